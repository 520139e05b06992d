import email
import email.policy
import mailbox
import os
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import environ
import pytest
import responses
from django.utils import translation

from bench.servers import smtp
from photos.models import Event, Provider
from photos.providers import provider_for
from standins.runsignup import catalogue as runsignup_catalogue
from standins.runsignup import views as runsignup_views
from tests import leakcheck, ninepic_answers

API_KEY = os.environ["NINEPIC_STANDIN_API_KEY"]
CREDENTIALS = {
    "the 9Pic API key": API_KEY,
    "the second organisation's 9Pic API key": os.environ["NINEPIC_STANDIN_OTHER_API_KEY"],
    "the RunSignUp API key": os.environ["RUNSIGNUP_STANDIN_API_KEY"],
    "the RunSignUp API secret": os.environ["RUNSIGNUP_STANDIN_API_SECRET"],
}


@pytest.fixture(autouse=True)
def api_key_never_leaks(caplog):
    """Fails any test during which a provider's key or secret reached a response (headers or
    body) or a log. The stand-ins' own API answers count: they never echo credentials either."""
    leakcheck.clear()
    yield
    for name, value in CREDENTIALS.items():
        assert leakcheck.leaks(value) == [], f"{name} appeared in a response"
        assert value not in caplog.text, f"{name} appeared in a log line"


@pytest.fixture(autouse=True)
def _standin_media(settings, tmp_path_factory):
    # Drawn demo photos are shared by all tests of a run (of a worker under pytest -n: each has
    # its own base temp): drawing them is the slow part.
    settings.NINEPIC_STANDIN_MEDIA_DIR = tmp_path_factory.getbasetemp() / "standin-media"
    settings.RUNSIGNUP_STANDIN_MEDIA_DIR = tmp_path_factory.getbasetemp() / "runsignup-media"


@pytest.fixture(autouse=True)
def _runsignup_standin_calls():
    """Each test counts the RunSignUp stand-in's calls (and so its throttling) from zero."""
    runsignup_views.reset_call_count()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """The test client's requests activate their page's language in the test's own thread,
    where reverse() then prefixes it: no test leaves one behind for the next."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_backoff_sleep(settings):
    settings.NINEPIC_BACKOFF = 0
    settings.RUNSIGNUP_BACKOFF = 0


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path, monkeypatch):
    """Each test starts with nothing cached (no gallery answers, no previews) and a cache
    that has not failed."""
    from django.core.cache import cache

    from photos import sharedcache

    cache.clear()
    monkeypatch.setattr(sharedcache, "_outage", sharedcache._Outage())
    settings.PREVIEW_DIR = tmp_path / "previews"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A test client's request leaves its page's
    language active in the test's thread, where the next test in this process would inherit it
    (reverse() then gives German addresses, say): which test comes next differs under pytest -n."""
    translation.deactivate()


@pytest.fixture
def event(db) -> Event:
    """The stand-in's demo event (9Pic's documented example ids: org 903, event 456)."""
    return Event.objects.create(
        name="Demo City Marathon",
        slug="demo",
        org_id=903,
        event_id=456,
        is_published=True,
        accent_colour="#c2410c",
    )


@pytest.fixture
def upstream(event):
    """9Pic faked with `responses` for the demo event, whose Event Details (BIB and selfie
    search on) the portal has already read: `upstream.calls` holds what the test asks."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(ninepic_answers.DETAILS, json=ninepic_answers.details())
        assert provider_for(event).search_methods
        mock.calls.reset()
        yield mock


@pytest.fixture
def live_standin(live_server, settings):
    """Point the portal at the stand-in served by the live server, over real HTTP."""
    settings.NINEPIC_BASE_URL = f"{live_server.url}/_standin/9pic"
    return live_server


@pytest.fixture
def runsignup_event(db) -> Event:
    """An event on the RunSignUp stand-in's demo race; its index is empty until synced."""
    return Event.objects.create(
        name="Demo Trail Run",
        slug="trail",
        provider=Provider.RUNSIGNUP,
        runsignup_race_id=runsignup_catalogue.DEMO_RACE_ID,
        runsignup_event_days_id=runsignup_catalogue.DEMO_EVENT_DAYS_ID,
        offers_selfie_search=False,
        is_published=True,
    )


@pytest.fixture
def live_runsignup(live_server, settings):
    """Point the portal at the RunSignUp stand-in served by the live server, over real HTTP."""
    settings.RUNSIGNUP_BASE_URL = f"{live_server.url}/_standin/runsignup"
    return live_server


@pytest.fixture
def dripping_standins(settings):
    """The stand-ins' slow-drip faults at a quick pace. Afterwards a moment for the live
    server's threads still dripping to notice, at their next bytes, that the portal left,
    so that none outlives the test database."""
    settings.STANDIN_DRIP_MS = 50
    settings.STANDIN_DRIP_SECONDS = 15
    yield
    time.sleep(10 * settings.STANDIN_DRIP_MS / 1000)


@dataclass
class MailServer:
    """A real SMTP server on loopback, and what it has received."""

    maildir: Path

    def messages(self) -> list[EmailMessage]:
        """Every email received, in the order received."""
        box = mailbox.Maildir(self.maildir)
        received = sorted(box, key=lambda message: message.get_date())
        return [
            email.message_from_bytes(bytes(message), policy=email.policy.default)
            for message in received
        ]


@pytest.fixture(scope="session")
def _smtp_server(tmp_path_factory):
    """`make test-services`' SMTP server (EMAIL_URL, TEST_MAILDIR), else one started here."""
    if "TEST_MAILDIR" in os.environ:
        yield os.environ["EMAIL_URL"], Path(os.environ["TEST_MAILDIR"])
        return
    with smtp(tmp_path_factory.mktemp("smtp")) as server:
        yield server


@pytest.fixture
def mail_server(_smtp_server, settings) -> MailServer:
    """The portal sends its emails to a real SMTP server (not Django's test outbox), which
    starts each test empty."""
    url, maildir = _smtp_server
    for name, value in environ.Env.email_url_config(url).items():
        setattr(settings, name, value)
    mailbox.Maildir(maildir).clear()
    return MailServer(maildir)
