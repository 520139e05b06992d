"""The selfie's own body limit in deploy/nginx.conf: served by nginx in front of the portal,
as in production (skipped where nginx is not installed; `make test` installs it)."""

import re
import shutil

import pytest
import requests

from bench.servers import nginx
from photos.web import runner_forms
from tests.selfie_pictures import phone_photo

pytestmark = pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx")


@pytest.fixture
def proxy(live_standin, event, tmp_path):
    with nginx(tmp_path, [live_standin.url]) as url:
        yield url, tmp_path / "nginx"


def post_selfie(portal: str, path: str, picture: bytes) -> requests.Response:
    session = requests.Session()
    page = session.get(f"{portal}/en/events/demo/", timeout=30).text
    token = re.search(rf'name="{runner_forms.FIELD}" value="([^"]+)"', page).group(1)
    return session.post(
        f"{portal}{path}",
        data={runner_forms.FIELD: token},
        files={"selfie": ("IMG_0001.JPG", picture, "image/jpeg")},
        headers={"Origin": portal},
        allow_redirects=False,
        timeout=60,
    )


def test_a_phones_whole_photo_passes_nginx_and_stays_in_its_memory(proxy):
    portal, prefix = proxy
    picture = phone_photo()
    assert len(picture) > 2 * 1024 * 1024  # over the 1 MB every other address may send
    for path in ("/en/events/demo/selfie/", "/en/embed/events/demo/selfie/"):
        answer = post_selfie(portal, path, picture)
        assert answer.status_code == 303, answer.text[:300]
    # nginx says so when it writes a body to its temporary files.
    assert "buffered to a temporary file" not in (prefix / "error.log").read_text()


def test_nginx_refuses_a_larger_body_and_other_addresses_keep_their_limit(proxy):
    portal, _ = proxy
    assert (
        post_selfie(portal, "/en/events/demo/selfie/", b"\xff" * (12 * 1024 * 1024)).status_code
        == 413
    )
    assert post_selfie(portal, "/en/events/demo/search", phone_photo()).status_code == 413
