"""The event admin's form as organisers fill it in: texts per language, the accent colour's
contrast, the uploaded logo, the embedding sites' www./bare twins, and the event list."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from photos import colours, emails, images
from photos.models import Event, PhotoSubscription
from photos.origins import missing_twins


def change_url(event: Event) -> str:
    return f"/admin/photos/event/{event.pk}/change/"


def form_of(event: Event, **changes: object) -> dict[str, object]:
    """The change form as the admin shows it for `event`, with `changes`, ready to post."""
    data: dict[str, object] = {
        "name": event.name,
        "slug": event.slug,
        "provider": event.provider,
        "org_id": event.org_id or "",
        "event_id": event.event_id or "",
        "offers_bib_search": "on",
        "offers_selfie_search": "on",
        "default_language": event.default_language,
        "time_zone": event.time_zone,
        "accent_colour": event.accent_colour,
        "embed_origins": event.embed_origins,
        "intro": event.intro,
        "is_published": "on",
    }
    return {**data, **changes}


# --- Texts in each language ----------------------------------------------------------------


def test_texts_in_other_languages_are_saved_and_shown_again(admin_client, event):
    form = form_of(event, name_de="Stadtmarathon", intro_de="Die Fotos sind da.", name_fr="")
    assert admin_client.post(change_url(event), form).status_code == 302
    event.refresh_from_db()
    assert event.translated_texts == {
        "de": {"name": "Stadtmarathon", "intro": "Die Fotos sind da."}
    }
    page = admin_client.get(change_url(event)).content.decode()
    assert 'name="name_de" value="Stadtmarathon"' in page
    assert ">\nDie Fotos sind da.</textarea>" in page
    assert "Introduction in German" in page


def test_texts_emptied_in_the_admin_are_forgotten(admin_client, event):
    event.translated_texts = {"de": {"name": "Stadtmarathon"}}
    event.save()
    assert admin_client.post(change_url(event), form_of(event, name_de="")).status_code == 302
    event.refresh_from_db()
    assert event.translated_texts == {}


@pytest.mark.parametrize(
    ("language", "name", "subject_words"),
    [
        ("de", "Stadtmarathon", "Stadtmarathon"),
        ("es", "Maratón de la ciudad", "Maratón de la ciudad"),
        ("fr", "Demo City Marathon", "Demo City Marathon"),
    ],
)
def test_emails_carry_the_events_name_in_the_runners_language(
    event, mailoutbox, language, name, subject_words
):
    event.translated_texts = {
        "de": {"name": "Stadtmarathon"},
        "es": {"name": "Maratón de la ciudad"},
    }
    event.save()
    subscription = PhotoSubscription.objects.create(
        event=event,
        email="runner@example.org",
        method="bib",
        identifier="1234",
        language=language,
        photos_seen=0,
    )
    emails.send_confirmation(subscription)
    assert subject_words in mailoutbox[0].subject
    assert name in mailoutbox[0].body


# --- The accent colour ---------------------------------------------------------------------


def test_the_accent_is_picked_with_a_colour_picker_told_what_to_check(admin_client, event):
    page = admin_client.get(change_url(event)).content.decode()
    picker = re.search(r"<input[^>]*name=\"accent_colour\"[^>]*>", page)
    assert picker is not None
    assert 'type="color"' in picker[0]
    assert f'data-contrast-background="{colours.PAGE_BACKGROUND}"' in picker[0]
    assert 'data-contrast-minimum="4.5"' in picker[0]


def test_an_accent_runners_could_hardly_see_is_refused_with_a_readable_shade(admin_client, event):
    page = admin_client.post(change_url(event), form_of(event, accent_colour="#ffd60a"))
    assert page.status_code == 200
    html = page.content.decode()
    shade = colours.readable_shade("#ffd60a")
    assert "#ffd60a stands out from the runner pages&#x27; background only 1.2:1" in html
    assert f"it needs 4.5:1 to be readable. A darker shade such as {shade} is." in html
    event.refresh_from_db()
    assert event.accent_colour == "#c2410c"
    form = form_of(event, accent_colour=shade)
    assert admin_client.post(change_url(event), form).status_code == 302


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [("#000000", "#ffffff", 21.0), ("#767676", "#ffffff", 4.54), ("#0b5fff", "#f3f4f6", 4.66)],
)
def test_contrast_ratios_are_wcags(first, second, ratio):
    assert colours.contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)


@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_the_suggested_shade_is_readable_and_keeps_a_readable_colour(colour):
    shade = colours.readable_shade(colour)
    assert colours.contrast_ratio(shade, colours.PAGE_BACKGROUND) >= colours.MINIMUM_CONTRAST
    if colours.contrast_ratio(colour, colours.PAGE_BACKGROUND) >= colours.MINIMUM_CONTRAST:
        assert shade == colour


@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_text_on_any_accent_reads_at_least_as_wcag_asks(colour):
    assert colours.contrast_ratio(colour, colours.text_colour_on(colour)) >= 4.5


# --- The logo ------------------------------------------------------------------------------


def picture(
    size: tuple[int, int], file_format: str = "PNG", name: str = "logo.png"
) -> SimpleUploadedFile:
    encoded = io.BytesIO()
    Image.new("RGB", size, "#c2410c").save(encoded, format=file_format)
    return SimpleUploadedFile(name, encoded.getvalue())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    ("size", "file_format", "stored_size", "extension"),
    [
        ((3000, 1000), "PNG", (576, 192), "png"),
        ((4000, 400), "JPEG", (800, 80), "jpg"),
        ((120, 48), "WEBP", (120, 48), "webp"),
    ],
)
def test_an_uploaded_logo_is_scaled_down_and_shown_to_runners(
    admin_client, client, event, media, size, file_format, stored_size, extension
):
    upload = picture(size, file_format, name=f"Our Logo.{extension}")
    assert admin_client.post(change_url(event), form_of(event, logo=upload)).status_code == 302
    event.refresh_from_db()
    assert re.fullmatch(rf"logos/Our_Logo(_\w+)?\.{extension}", event.logo.name)
    with Image.open(media / event.logo.name) as stored:
        assert (stored.format, stored.size) == (file_format, stored_size)
    page = client.get("/en/events/demo/")
    width, height = stored_size
    # Its shape, for the page to reserve before it loads (CSS shows it 48 pixels high).
    assert (
        f'<img class="event-logo" src="/media/{event.logo.name}" alt="" '
        f'width="{width}" height="{height}">'
    ) in page.content.decode()
    # The portal's own address: the page's policy needs no other image source for it.
    assert "img-src 'self' " in page["Content-Security-Policy"]


def test_a_cleared_logo_leaves_the_pages(admin_client, client, event, media):
    event.logo.save("logo.png", picture((96, 48)))
    assert 'width="96" height="48"' in client.get("/en/events/demo/").content.decode()
    form = form_of(event, **{"logo-clear": "on"})
    assert admin_client.post(change_url(event), form).status_code == 302
    event.refresh_from_db()
    assert (event.logo.name, event.logo_width, event.logo_height) == ("", None, None)
    assert "event-logo" not in client.get("/en/events/demo/").content.decode()


def test_an_uploaded_logo_wins_over_the_logo_address(event, media):
    event.logo_url = "https://www.myrace.org/logo.svg"
    assert event.logo_src == "https://www.myrace.org/logo.svg"
    event.logo.save("logo.png", picture((10, 10)))
    assert event.logo_src == f"/media/{event.logo.name}"


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("logo.png", b"<svg></svg>"), "Upload a valid image"),
        (picture((10, 10), "GIF", name="logo.gif"), "Upload the logo as PNG, JPEG or WebP"),
        (picture((8000, 6000)), "That picture is 8000×6000 pixels"),
    ],
)
def test_a_logo_that_is_not_a_small_enough_picture_is_refused(
    admin_client, event, media, upload, words
):
    page = admin_client.post(change_url(event), form_of(event, logo=upload))
    assert page.status_code == 200
    assert words in page.content.decode()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_logo_is_stored_without_its_metadata():
    encoded = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    Image.new("RGB", (40, 20)).save(encoded, format="JPEG", exif=exif)
    shrunk = images.scaled_down(encoded.getvalue(), images.LOGO, stem="logo")
    assert b"Camera Maker" in encoded.getvalue()
    assert b"Camera Maker" not in shrunk.read()


# --- The provider's fields and the embed code ----------------------------------------------


def test_each_providers_fields_are_marked_for_the_switch_and_all_shown_without_it(
    admin_client, event
):
    page = admin_client.get(change_url(event)).content.decode()
    assert re.search(r'<fieldset class="[^"]*provider-fields provider-ninepic"', page)
    assert re.search(r'<fieldset class="[^"]*provider-fields provider-runsignup"', page)
    assert 'src="/static/photos/admin.js"' in page


def test_the_embed_snippet_is_shown_ready_to_copy(admin_client, event):
    page = admin_client.get(change_url(event)).content.decode()
    assert re.search(r'<textarea id="embed-snippet"[^>]*readonly>&lt;div data-race-photos=', page)
    # Shown by admin.js, which can copy: without it the text is selected by hand.
    assert '<button type="button" class="button" data-copy="embed-snippet" hidden>' in page


# --- Embedding sites' twins ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("origins", "twins"),
    [
        (["https://www.myrace.org"], ["https://myrace.org"]),
        (["https://myrace.org"], ["https://www.myrace.org"]),
        (["https://myrace.co.uk:8443"], ["https://www.myrace.co.uk:8443"]),
        (["https://www.myrace.org", "https://myrace.org"], []),
        (["https://photos.myrace.org"], []),
        (["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]"], []),
    ],
)
def test_the_www_or_bare_twin_of_a_listed_site(origins, twins):
    assert missing_twins(origins) == twins


def test_the_admin_offers_to_allow_a_listed_sites_twin(admin_client, event):
    saved = admin_client.post(
        change_url(event), form_of(event, embed_origins="https://www.myrace.org"), follow=True
    )
    assert (
        "https://myrace.org may not show the photo search, though it looks like a listed "
        "site. Open the event and tick “Also allow” under Embedding to add it."
    ) in saved.content.decode()
    event.refresh_from_db()
    page = admin_client.get(change_url(event)).content.decode()
    assert "Also allow https://myrace.org" in page
    form = form_of(event, add_origin_twins="on")
    assert admin_client.post(change_url(event), form).status_code == 302
    event.refresh_from_db()
    assert event.embed_origin_list == ["https://www.myrace.org", "https://myrace.org"]
    assert "Also allow" not in admin_client.get(change_url(event)).content.decode()


def test_sites_without_twins_are_not_asked_about(admin_client, event):
    event.embed_origins = "https://www.myrace.org\nhttps://myrace.org"
    event.save()
    assert "add_origin_twins" not in admin_client.get(change_url(event)).content.decode()
    assert "add_origin_twins" not in admin_client.get("/admin/photos/event/add/").content.decode()


# --- The event list and the demo's admin ---------------------------------------------------


def test_the_event_list_shows_what_organisers_check(admin_client, event, runsignup_event):
    page = admin_client.get("/admin/photos/event/").content.decode()
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page)
    assert headers == [
        "name",
        "date",
        "is_published",
        "provider",
        "photo_status",
        "photo_emails",
        "organisation",
    ]
    assert "0 waiting, 0 unconfirmed" in page
    assert 'id="nav-sidebar"' not in page


def test_the_demo_prints_an_admin_sign_in_that_works(settings, db, capsys):
    settings.DEBUG = True
    call_command("demo_welcome")
    printed = capsys.readouterr().out
    password = re.search(r"Admin: http://\S+/admin/ as demo, password (\S+)", printed)[1]
    assert "/events/demo-city-marathon/" in printed
    admin = get_user_model().objects.get(username="demo")
    assert admin.is_superuser and admin.check_password(password)
    call_command("demo_welcome")
    admin.refresh_from_db()
    assert not admin.check_password(password)


def test_the_demo_admin_is_never_made_without_debug(db):
    with pytest.raises(CommandError, match="DEBUG only"):
        call_command("demo_welcome")
