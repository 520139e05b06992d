"""Runner forms that write, protected without a cookie: the Origin, and a short-lived token."""

import pytest
from django.core import signing
from django.test import RequestFactory

from photos.models import Event
from photos.web import runner_forms
from photos.web.problems import Problem

PORTAL = "http://testserver"


def post(event, *, token=None, purpose="selfie", **headers):
    data = {runner_forms.FIELD: runner_forms.token_for(event, purpose) if token is None else token}
    return RequestFactory().post("/", data, **headers)


def refusal(request, event, purpose="selfie") -> str | None:
    try:
        runner_forms.check(request, event, purpose)
    except Problem as problem:
        assert problem.status == 403
        return problem.title
    return None


def test_a_post_from_the_portals_own_page_with_a_fresh_token_passes(event):
    assert refusal(post(event, HTTP_ORIGIN=PORTAL), event) is None
    # Browsers that send no Origin send a same-origin Referer (Referrer-Policy: same-origin).
    assert refusal(post(event, HTTP_REFERER=f"{PORTAL}/en/embed/events/demo/"), event) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://www.myrace.org"},  # the race site's page itself, or any other
        {"HTTP_ORIGIN": "null"},  # a sandboxed frame or a file
        {"HTTP_REFERER": "https://evil.example/"},
        {},  # neither header
    ],
)
def test_a_post_from_anywhere_else_is_refused(event, headers):
    assert (
        refusal(post(event, **headers), event) == "This form can only be sent from the photo pages"
    )


def test_trusted_origins_behind_a_proxy_may_post(event, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://photos.example.org"]
    assert refusal(post(event, HTTP_ORIGIN="https://photos.example.org"), event) is None


def test_a_token_of_another_event_form_or_age_is_refused(event, settings):
    other = Event.objects.create(name="Other", slug="other", org_id=903, event_id=457)
    expired = "This form was open too long"
    assert refusal(post(other, HTTP_ORIGIN=PORTAL), event) == expired
    assert refusal(post(event, purpose="subscribe", HTTP_ORIGIN=PORTAL), event) == expired
    assert refusal(post(event, token="forged", HTTP_ORIGIN=PORTAL), event) == expired
    assert refusal(post(event, token="", HTTP_ORIGIN=PORTAL), event) == expired
    settings.RUNNER_FORM_TOKEN_SECONDS = -1  # every token is older than that
    assert refusal(post(event, HTTP_ORIGIN=PORTAL), event) == expired


def test_the_token_is_signed_with_the_secret_key(event, settings):
    token = runner_forms.token_for(event, "selfie")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="photos.web.runner_forms")
