"""The selfie's own body limit in deploy/nginx.conf: served by nginx in front of the portal,
as in production (skipped where nginx is not installed; `make test` installs it)."""

import shutil

import pytest

from bench.servers import nginx
from tests.selfie_pictures import phone_photo
from tests.test_selfie_upload import upload_over_http

pytestmark = pytest.mark.skipif(not shutil.which("nginx"), reason="needs nginx")


@pytest.fixture
def proxy(live_standin, event, tmp_path):
    with nginx(tmp_path, [live_standin.url]) as url:
        yield url, tmp_path / "nginx"


def test_a_phones_whole_photo_passes_nginx_and_stays_in_its_memory(proxy):
    portal, prefix = proxy
    picture = phone_photo()
    assert len(picture) > 2 * 1024 * 1024  # over the 1 MB every other address may send
    for path in ("/en/events/demo/selfie/", "/en/embed/events/demo/selfie/"):
        answer = upload_over_http(portal, picture, path, allow_redirects=False)
        assert answer.status_code == 303, answer.text[:300]
    # nginx says so when it writes a body to its temporary files.
    assert "buffered to a temporary file" not in (prefix / "error.log").read_text()


def test_nginx_refuses_a_larger_body_and_other_addresses_keep_their_limit(proxy):
    portal, _ = proxy
    too_large = b"\xff" * (12 * 1024 * 1024)
    assert upload_over_http(portal, too_large).status_code == 413
    assert upload_over_http(portal, phone_photo(), "/en/events/demo/search").status_code == 413
