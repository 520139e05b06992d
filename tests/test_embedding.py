"""Embed pages: framing headers per event, cookieless, links that stay in the frame, admin code."""

import pytest
from django.core.exceptions import ValidationError

from photos.origins import parse_origin, parse_origins
from tests import ninepic_answers

SELFIE = "ddc661a7-8861-4793-9437-af42a82d12f8"


@pytest.fixture
def embeddable(event):
    event.embed_origins = "https://www.demo-marathon.org\nhttps://results.demo-marathon.org"
    event.save()
    return event


@pytest.mark.parametrize(
    ("text", "origins"),
    [
        ("https://www.myrace.org", ["https://www.myrace.org"]),
        (
            "HTTPS://WWW.MyRace.org/ ,https://b.org:8443",
            ["https://www.myrace.org", "https://b.org:8443"],
        ),
        ("https://a.org\n\nhttps://a.org", ["https://a.org"]),
        (
            "http://localhost:8001 http://127.0.0.2:9000 http://[::1]:8000",
            ["http://localhost:8001", "http://127.0.0.2:9000", "http://[::1]:8000"],
        ),
        ("", []),
    ],
)
def test_origins_are_parsed_to_canonical_form(text, origins):
    assert parse_origins(text) == origins


# What browsers report as `event.origin` for each (tests/browser/test_embed.py asks Chromium).
CANONICAL = [
    ("https://пример.рф", "https://xn--e1afmkfd.xn--p1ai"),
    ("https://Bücher.example", "https://xn--bcher-kva.example"),
    ("https://faß.de", "https://xn--fa-hia.de"),
    ("https://x.org:443", "https://x.org"),
    ("https://x.org:0443/", "https://x.org"),
    ("http://127.0.0.1:80", "http://127.0.0.1"),
    ("https://x.org:80", "https://x.org:80"),
    ("https://[0:0:0:0:0:0:0:1]:8443", "https://[::1]:8443"),
    ("https://[2001:DB8::0:1]", "https://[2001:db8::1]"),
]


@pytest.mark.parametrize(("text", "origin"), CANONICAL)
def test_embed_origins_are_canonical_as_browsers_report_them(text, origin):
    assert parse_origin(text) == origin


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("www.myrace.org", "must start with https://"),
        ("http://www.myrace.org", "must use https://"),
        ("https://www.myrace.org/photos", "without a path"),
        ("https://*.myrace.org", "wildcards are not supported"),
        ("https://user@myrace.org", "without a path"),
        ("javascript:alert(1)", "must start with https://"),
        ("https://myrace.org:99999", "is not a web address"),
        # Directives smuggled into the CSP header, and hosts a browser reads otherwise.
        ("https://myrace.org;script-src", "is not a valid host name"),
        ("https://myrace.org\\@evil.org", "without a path"),
        ("https://myrace.org?", "without a path"),
        ("https://myrace.org#", "without a path"),
        ("https://my_race.org", "is not a valid host name"),
        ("https://myrace.org.", "without a final dot"),
        ("https://myrace.org:", "is not a web address"),
        ("https://[fe80::1%eth0]", "is not a web address"),
        ("https://0x7f.1", "four decimal numbers"),
        # Plain http only for real loopback, not for names that look like it.
        ("http://127.evil.com", "must use https://"),
        ("http://localhost.evil.com", "must use https://"),
        ("http://127.1", "four decimal numbers"),
        ("http://[::ffff:127.0.0.1]", "must use https://"),
    ],
)
def test_embed_origins_that_are_not_plain_origins_are_refused(text, words):
    with pytest.raises(ValidationError) as raised:
        parse_origins(text)
    assert words in " ".join(raised.value.messages)


def frame_ancestors(response) -> bytes:
    """The frame-ancestors directive exactly as the response's header bytes carry it."""
    name = b"Content-Security-Policy: "
    [policy] = [
        line.removeprefix(name)
        for line in response.serialize_headers().split(b"\r\n")
        if line.startswith(name)
    ]
    return next(d for d in policy.split(b"; ") if d.startswith(b"frame-ancestors"))


def test_embed_origins_reach_the_csp_header_as_punycode_bytes(client, event):
    # Saved without the admin's validation, as an older portal may have saved them.
    event.embed_origins = "https://пример.рф\nhttps://Bücher.example:443"
    event.save()
    response = client.get("/en/embed/events/demo/")
    assert frame_ancestors(response) == (
        b"frame-ancestors 'self' https://xn--e1afmkfd.xn--p1ai https://xn--bcher-kva.example"
    )
    assert response.serialize_headers().isascii()
    assert b"=?utf-8?" not in response.serialize_headers()
    assert (
        'data-embed-origins="https://xn--e1afmkfd.xn--p1ai https://xn--bcher-kva.example"'
        in response.content.decode()
    )


def test_embed_origins_that_are_not_plain_never_reach_the_header(client, event, caplog):
    event.embed_origins = (
        "https://a.org;script-src https://*;\nhttp://127.evil.com\nhttps://b.org:443"
    )
    event.save()
    response = client.get("/en/embed/events/demo/")
    assert frame_ancestors(response) == b"frame-ancestors 'self' https://b.org"
    policy = response["Content-Security-Policy"]
    assert policy.count("script-src") == 1 and "script-src 'self'" in policy
    assert "embed origin left out" in caplog.text


def test_normal_pages_refuse_to_be_framed(client, embeddable):
    response = client.get("/en/events/demo/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_embed_pages_may_be_framed_by_the_events_sites_only(client, embeddable):
    response = client.get("/en/embed/events/demo/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert (
        "frame-ancestors 'self' https://www.demo-marathon.org https://results.demo-marathon.org"
        in response["Content-Security-Policy"]
    )


def test_an_event_without_sites_cannot_be_embedded_elsewhere(client, event):
    response = client.get("/en/embed/events/demo/")
    assert "frame-ancestors 'self';" in response["Content-Security-Policy"] + ";"


def test_embed_pages_drop_the_site_chrome_and_keep_links_inside(client, embeddable):
    html = client.get("/en/embed/events/demo/").content.decode()
    assert 'class="embed"' in html
    assert "site-footer" not in html and "event-header" not in html
    assert 'action="/en/embed/events/demo/search"' in html
    assert (
        'data-embed-origins="https://www.demo-marathon.org https://results.demo-marathon.org"'
        in html
    )


def test_embed_search_redirects_inside_the_embed(client, embeddable):
    response = client.get(f"/en/embed/events/demo/search?selfie={SELFIE}")
    assert response["Location"] == f"/en/embed/events/demo/selfie/{SELFIE}/"


def test_embed_gallery_links_stay_inside_and_need_no_cookies(client, embeddable, upstream):
    answer = ninepic_answers.listing(ninepic_answers.photo_ids(30), total=47)
    upstream.get(ninepic_answers.bib_search("1234"), json=answer)
    response = client.get("/en/embed/events/demo/bib/1234/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('/download"') == 30
    assert html.count('href="/en/embed/events/demo/bib/1234/photos/') == 30  # the photo pages
    assert 'href="/en/events/' not in html
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert (
        "frame-ancestors 'self' https://www.demo-marathon.org"
        in response["Content-Security-Policy"]
    )


def test_embed_problem_pages_can_be_framed_too(client, embeddable):
    response = client.get("/en/embed/events/demo/search?bib=%20")
    assert response.status_code == 400
    assert "X-Frame-Options" not in response


def test_admin_shows_the_snippet_and_a_preview(admin_client, embeddable):
    html = admin_client.get(f"/admin/photos/event/{embeddable.pk}/change/").content.decode()
    assert "&lt;div data-race-photos=&quot;http://testserver/embed/events/demo/&quot;" in html
    assert "http://testserver/static/photos/embed.js" in html
    assert "&lt;iframe src=&quot;http://testserver/embed/events/demo/&quot;" in html
    assert '<iframe class="embed-preview" src="http://testserver/embed/events/demo/"' in html


def post_event_form(admin_client, event, embed_origins: str):
    form = {
        "name": event.name,
        "slug": event.slug,
        "provider": "ninepic",
        "org_id": 903,
        "event_id": 456,
        "is_published": "on",
        "offers_bib_search": "on",
        "default_language": "en",
        "time_zone": "UTC",
        "accent_colour": "#c2410c",
        "embed_origins": embed_origins,
    }
    return admin_client.post(f"/admin/photos/event/{event.pk}/change/", form)


def test_admin_normalises_origins(admin_client, event):
    response = post_event_form(
        admin_client,
        event,
        "HTTPS://Www.Demo-Marathon.org:443/\nhttps://www.demo-marathon.org\nhttps://Пример.рф",
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.embed_origins == "https://www.demo-marathon.org\nhttps://xn--e1afmkfd.xn--p1ai"


def test_admin_explains_an_origin_that_is_not_plain(admin_client, event):
    response = post_event_form(admin_client, event, "https://a.org;frame-ancestors")
    assert response.status_code == 200
    assert "is not a valid host name" in response.content.decode()
