import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM, used by
# fixtures in that same thread, would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Root in CI needs --no-sandbox; the machine has no network beyond loopback.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the session: a second one cannot start while it runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, db):
    # After the database (so closed before it): no request may still be running then.
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    yield page
    # Previews still loading are made from originals by live-server threads that read the
    # database: let them finish before it goes, or the test errors at teardown.
    for open_page in context.pages:
        open_page.wait_for_load_state("networkidle")
    context.close()
