"""The demo race site: the embed snippet on a page of the portal's loopback twin origin."""

import pytest

from standins.racesite import site_origin


@pytest.mark.parametrize(
    ("portal", "site"),
    [
        ("http://127.0.0.1:8019", "http://localhost:8019"),
        ("http://localhost:8000", "http://127.0.0.1:8000"),
        ("http://127.0.0.1", "http://localhost"),
        ("https://photos.example.org", None),
    ],
)
def test_the_race_site_is_on_the_portals_loopback_twin(portal, site):
    assert site_origin(portal) == site


def test_the_portals_own_origin_is_sent_to_the_twin(client, settings):
    settings.PORTAL_URL = "http://localhost:8019"
    response = client.get("/_standin/race-site/", HTTP_HOST="localhost:8019")
    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1:8019/_standin/race-site/"


def test_the_race_page_embeds_the_demo_events_and_may_run_the_portals_script(client, settings):
    settings.PORTAL_URL = "http://localhost:8019"
    response = client.get("/_standin/race-site/", HTTP_HOST="127.0.0.1:8019")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-race-photos="http://localhost:8019/embed/events/demo-city-marathon/"' in html
    assert '<script src="http://localhost:8019/static/photos/embed.js" async>' in html
    policy = response["Content-Security-Policy"]
    assert "script-src http://localhost:8019" in policy
    assert "frame-src http://localhost:8019" in policy
