"""Runner pages in the runner's language: negotiation, translations, switcher, embed, sharing."""

import re

import pytest
import requests
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from standins.ninepic import catalogue

BIB = catalogue.BIB_WITH_MANY_PHOTOS  # 47 photos
ONE_PHOTO_BIB = "42"
PHOTO = [p.image_id for p in catalogue.photos_for_bib(catalogue.DEMO_EVENT_ID, BIB)][4]


@pytest.fixture
def german_event(event):
    event.default_language = "de"
    event.save()
    return event


@pytest.fixture
def portal(live_standin, event) -> str:
    """The portal over real HTTP, for pages that ask the stand-in for photos."""
    return live_standin.url


def get(portal: str, path: str) -> requests.Response:
    return requests.get(portal + path, timeout=30, allow_redirects=False)


def h1(html: str) -> str:
    """The text of the page's heading, without its markup."""
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", "", heading).split())


# --- Which language an unprefixed address redirects to ---------------------------------


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-CA", "fr"),  # a regional variant gets its language
        ("it-IT,es;q=0.7,en;q=0.5", "es"),  # the first the portal speaks
        ("en-GB", "en"),  # an English browser reads English, whatever the event's default
    ],
)
def test_the_browser_language_wins(client, german_event, accept_language, language):
    response = client.get("/events/demo/", headers={"Accept-Language": accept_language})
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/events/demo/"


@pytest.mark.parametrize("accept_language", [None, "it-IT,pt;q=0.8", "*"])
def test_otherwise_the_events_default_language(client, german_event, accept_language):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/events/demo/bib/1234/?page=2", headers=headers)
    assert response["Location"] == "/de/events/demo/bib/1234/?page=2"


def test_then_english(client, event):
    assert client.get("/events/unknown-race/")["Location"] == "/en/events/unknown-race/"
    assert client.get("/")["Location"] == "/en/"


def test_an_unpublished_events_default_language_is_not_revealed(client, german_event):
    german_event.is_published = False
    german_event.save()
    assert client.get("/events/demo/")["Location"] == "/en/events/demo/"


def test_the_redirect_varies_with_what_chose_it(client, event):
    response = client.get("/events/demo/", headers={"Accept-Language": "fr"})
    assert {"Accept-Language", "Cookie"} <= set(re.split(r",\s*", response["Vary"]))


def test_the_language_in_the_address_wins_over_the_browser(client, german_event):
    response = client.get("/fr/events/demo/", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_old_embed_links_keep_working_in_the_events_language(client, german_event):
    response = client.get(f"/embed/events/demo/search?bib={BIB}")
    assert response["Location"] == f"/de/embed/events/demo/search?bib={BIB}"
    assert client.get(response["Location"])["Location"] == f"/de/embed/events/demo/bib/{BIB}/"


def test_only_unprefixed_addresses_look_up_the_event(client, german_event):
    with CaptureQueriesContext(connection) as prefixed:
        client.get("/de/events/demo/")
    with CaptureQueriesContext(connection) as unprefixed:
        client.get("/events/demo/")
    assert len(prefixed) == 1  # the page's own query for the event
    assert len(unprefixed) == 1  # the redirect's, for the default language


def test_other_addresses_stay_unprefixed(client, event):
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/static/photos/embed.js").status_code == 200


def test_a_mistyped_address_is_a_404_in_the_browsers_language(client, event):
    response = client.get("/events/demo/nothing/here", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "No hemos encontrado esa página" in html
    assert 'href="/es/"' in html
    assert 'class="languages"' not in html  # no page to offer in other languages


def test_the_server_error_page_too(client):
    # Rendered without a request (Django's handler500): the active language is all it has.
    with translation.override("de"):
        html = render_to_string("500.html")
    assert '<html lang="de">' in html
    assert "Bei uns ist etwas schiefgelaufen" in html


# --- Pages in each language -------------------------------------------------------------

SEARCH_PAGE = {
    "en": ("Find your photos", "BIB number", "Find my photos with a selfie"),
    "de": ("Finde deine Fotos", "Startnummer", "Meine Fotos per Selfie finden"),
    "es": ("Encuentra tus fotos", "Número de dorsal", "Buscar mis fotos con un selfie"),
    "fr": ("Trouvez vos photos", "Numéro de dossard", "Trouver mes photos avec un selfie"),
}


@pytest.mark.parametrize("language", SEARCH_PAGE)
def test_the_search_page(client, event, language):
    event.date = "2026-04-12"
    event.save()
    html = client.get(f"/{language}/events/demo/").content.decode()
    assert f'<html lang="{language}">' in html
    for text in SEARCH_PAGE[language]:
        assert text in html
    assert 'datetime="2026-04-12"' in html


# Django's forms of each language (the portal's British one for English).
DATES = {
    "en": "28 November 2026",
    "de": "28. November 2026",
    "es": "28 de noviembre de 2026",
    "fr": "28 novembre 2026",
}


@pytest.mark.parametrize(("language", "date"), DATES.items())
def test_dates_are_written_in_each_languages_form(client, event, language, date):
    event.date = "2026-11-28"
    event.save()
    for page in (f"/{language}/events/demo/", f"/{language}/"):
        assert date in client.get(page).content.decode()


ORGANISERS_TEXTS = {
    "de": {"name": "Stadtmarathon", "intro": "Die Fotos sind da."},
    "fr": {"name": "Marathon de la ville"},
}


@pytest.mark.parametrize(
    ("language", "name", "intro"),
    [
        ("en", "Demo City Marathon", "The photos are here."),
        ("de", "Stadtmarathon", "Die Fotos sind da."),
        # Not given in French: the event's own, in its default language.
        ("fr", "Marathon de la ville", "The photos are here."),
        ("es", "Demo City Marathon", "The photos are here."),
    ],
)
def test_the_organisers_texts_follow_the_runners_language(client, event, language, name, intro):
    event.intro = "The photos are here."
    event.translated_texts = ORGANISERS_TEXTS
    event.save()
    html = client.get(f"/{language}/events/demo/").content.decode()
    assert f'<span class="event-name">{name}</span>' in html
    assert f"<title>{name} · " in html
    assert f"<p>{intro}</p>" in html
    assert name in client.get(f"/{language}/").content.decode()


FORM_ERROR = {
    "en": "A BIB number has 1 to 20 letters, digits or hyphens",
    "de": "Eine Startnummer hat 1 bis 20 Buchstaben, Ziffern oder Bindestriche",
    "es": "Un dorsal tiene de 1 a 20 letras, cifras o guiones",
    "fr": "Un numéro de dossard comporte 1 à 20 lettres, chiffres ou tirets",
}


@pytest.mark.parametrize("language", FORM_ERROR)
def test_a_form_error(client, event, language):
    response = client.get(f"/{language}/events/demo/search?bib=12_34")
    assert response.status_code == 400
    assert FORM_ERROR[language] in response.content.decode()


PROBLEM = {
    "en": ("The photo service is having trouble", "Try again", "Search again"),
    "de": ("Der Fotodienst hat gerade Probleme", "Noch einmal versuchen", "Erneut suchen"),
    "es": ("El servicio de fotos tiene problemas", "Volver a intentarlo", "Buscar de nuevo"),
    "fr": ("Le service photo rencontre des difficultés", "Réessayer", "Rechercher à nouveau"),
}


@pytest.mark.parametrize("language", PROBLEM)
def test_a_problem_page(client, event, settings, language):
    settings.NINEPIC_BASE_URL = "http://127.0.0.1:9/"  # nothing listens: 9Pic is unreachable
    response = client.get(f"/{language}/events/demo/bib/{BIB}/")
    assert response.status_code == 502
    html = response.content.decode()
    for text in PROBLEM[language]:
        assert text in html


GALLERY = {
    "en": ("47 photos for BIB 1234", "1 photo for BIB 42", "Page 1 of 2", "Save all 47 photos"),
    "de": (
        "47 Fotos für Startnummer 1234",
        "1 Foto für Startnummer 42",
        "Seite 1 von 2",
        "Alle 47 Fotos speichern",
    ),
    "es": (
        "47 fotos del dorsal 1234",
        "1 foto del dorsal 42",
        "Página 1 de 2",
        "Guardar las 47 fotos",
    ),
    "fr": (
        "47 photos pour le dossard 1234",
        "1 photo pour le dossard 42",
        "Page 1 sur 2",
        "Enregistrer les 47 photos",
    ),
}


@pytest.mark.parametrize("language", GALLERY)
def test_a_gallery_with_its_plurals(portal, language):
    many, one, page_status, save_all = GALLERY[language]
    gallery = get(portal, f"/{language}/events/demo/bib/{BIB}/").text
    assert h1(gallery) == many
    assert page_status in gallery
    assert save_all in gallery
    assert h1(get(portal, f"/{language}/events/demo/bib/{ONE_PHOTO_BIB}/").text) == one


EMPTY = {
    "en": ("No photos yet for BIB 5555", "still being processed", "Search with a selfie"),
    "de": ("Noch keine Fotos für Startnummer 5555", "noch bearbeitet", "Mit einem Selfie suchen"),
    "es": ("Aún no hay fotos del dorsal 5555", "aún se están procesando", "Buscar con un selfie"),
    "fr": (
        "Pas encore de photos pour le dossard 5555",
        "en cours de traitement",
        "Rechercher avec",
    ),
}


@pytest.mark.parametrize("language", EMPTY)
def test_an_empty_gallery(portal, language):
    heading, processing, selfie_action = EMPTY[language]
    html = get(portal, f"/{language}/events/demo/bib/5555/").text
    assert h1(html) == heading
    assert processing in html
    assert f'<a class="button" href="#selfie">{selfie_action}' in html


PHOTO_PAGE = {
    "en": ("Photo 5 of 47", "Download", "Race photo for BIB 1234"),
    "de": ("Foto 5 von 47", "Herunterladen", "Lauffoto mit Startnummer 1234"),
    "es": ("Foto 5 de 47", "Descargar", "Foto de la carrera del dorsal 1234"),
    "fr": ("Photo 5 sur 47", "Télécharger", "Photo de course pour le dossard 1234"),
}


@pytest.mark.parametrize("language", PHOTO_PAGE)
def test_a_photo_page(portal, language):
    number, download, share_title = PHOTO_PAGE[language]
    html = get(portal, f"/{language}/events/demo/bib/{BIB}/photos/{PHOTO}/").text
    assert f"<h1>{number} " in html
    assert f">{download}</a>" in html
    assert f'data-share-title="{share_title} · Demo City Marathon"' in html
    assert f'<meta property="og:locale" content="{language}">' in html


def test_a_share_link_names_no_language(portal):
    """Each recipient then reads the page in their own language."""
    for path in (f"/de/events/demo/bib/{BIB}/", f"/fr/embed/events/demo/bib/{BIB}/"):
        html = get(portal, path).text
        assert f'data-share-url="{portal}/events/demo/bib/{BIB}/"' in html


def test_previews_have_one_address_in_every_language(portal, settings):
    """Browsers and CDNs keep one copy of each preview, whatever the page's language: 9Pic's,
    the share card's (the portal's), and the portal's where galleries fall back to them."""
    html = get(portal, f"/de/events/demo/bib/{BIB}/photos/{PHOTO}/").text
    assert f'<img src="{portal}/_standin/9pic/cdn/imgs/456/large/{PHOTO}.jpg"' in html
    large = f"/en/events/demo/photos/{PHOTO}/preview/large"
    assert f'<meta property="og:image" content="{portal}{large}">' in html
    settings.NINEPIC_GALLERY_LISTING = "originals"
    cache.clear()  # the gallery page above, listed by search
    html = get(portal, f"/de/events/demo/bib/{BIB}/photos/{PHOTO}/").text
    assert f'<img src="{large}"' in html
    gallery = get(portal, f"/fr/embed/events/demo/bib/{BIB}/").text
    assert f'src="/en/embed/events/demo/photos/{PHOTO}/preview"' in gallery
    assert f'href="/fr/embed/events/demo/photos/{PHOTO}/download"' in gallery


def test_portal_js_texts_come_in_the_pages_language(client, event):
    catalog = client.get("/de/jsi18n/")
    assert catalog["Content-Type"].startswith("text/javascript")
    assert "von %(count)s gespeichert" in catalog.content.decode()
    assert "max-age=3600" in catalog["Cache-Control"]
    page = client.get("/de/").content.decode()
    assert page.index('src="/de/jsi18n/"') < page.index("photos/portal.js")


# --- The switcher -----------------------------------------------------------------------


def switcher(html: str) -> list[tuple[str, str, str]]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S)[0]
    return re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+"( aria-current="true")?', nav)


def test_the_switcher_links_to_this_page_in_each_language(client, event):
    html = client.get("/es/events/demo/search?bib=12_34").content.decode()
    assert '<nav class="languages" aria-label="Idioma">' in html
    assert switcher(html) == [
        ("/en/events/demo/search?bib=12_34", "en", ""),
        ("/de/events/demo/search?bib=12_34", "de", ""),
        ("/es/events/demo/search?bib=12_34", "es", ' aria-current="true"'),
        ("/fr/events/demo/search?bib=12_34", "fr", ""),
    ]
    assert '<a href="/fr/events/demo/search?bib=12_34" hreflang="fr" lang="fr">Français</a>' in html
    alternate = '<link rel="alternate" hreflang="de" href="http://testserver/de/events/demo/search?bib=12_34">'
    assert alternate in html


def test_inside_the_embed_the_switcher_stays_in_the_embed(portal):
    html = get(portal, f"/de/embed/events/demo/bib/{BIB}/?page=2").text
    assert [url for url, *_ in switcher(html)] == [
        f"/{language}/embed/events/demo/bib/{BIB}/?page=2" for language in ("en", "de", "es", "fr")
    ]
    assert 'rel="alternate"' not in html  # embed pages are not for search engines


def test_the_embed_keeps_its_language_without_cookies(portal):
    search_page = get(portal, "/fr/embed/events/demo/")
    assert 'action="/fr/embed/events/demo/search"' in search_page.text
    assert not search_page.cookies
    search = get(portal, f"/fr/embed/events/demo/search?bib={BIB}")
    assert search.headers["Location"] == f"/fr/embed/events/demo/bib/{BIB}/"
    assert not search.cookies
    html = get(portal, search.headers["Location"]).text
    assert f'href="/fr/embed/events/demo/bib/{BIB}/photos/' in html
    assert 'href="?page=2"' in html
    assert h1(html) == "47 photos pour le dossard 1234"
