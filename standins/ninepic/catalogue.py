"""The 9Pic stand-in's demo data, in code: deterministic, so tests and the demo agree on it.

Two organisations, each with its own key (a setting, read per request):

| org | key | event | what it is |
|-----|-----|-------|------------|
| 903 | NINEPIC_STANDIN_API_KEY | 456 | Demo City Marathon (the docs' ids): 100 photos; BIB, |
|     |     |     | selfie and timeline search |
| 903 | | 457 | Demo City Half Marathon: the same photos in 9Pic's older API (flat answers) |
| 903 | | 458 | Demo Night Run: 24 photos, BIB search only (selfie search off) |
| 903 | | 459 | a draft, switched off (`event_enabled` false): every photo endpoint says 403 |
| 903 | | 460 | Demo Winter 5K, in December: every search on, no photos yet |
| 904 | NINEPIC_STANDIN_OTHER_API_KEY | 789 | Demo Harbour 10K: 30 photos; BIB and selfie search |

An unknown BIB is an empty 200 at 456, 458 and 460, and a 404 at 457 and 789: 9Pic's docs
show both. Capture times are UTC; a few photos of each race have none (a camera without a
clock). A photo's `index` is its place in the upload, which is capture order for the others.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

DEMO_ORG_ID = 903
OTHER_ORG_ID = 904
# Each organisation's key is the value of this setting.
KEY_SETTINGS = {
    DEMO_ORG_ID: "NINEPIC_STANDIN_API_KEY",
    OTHER_ORG_ID: "NINEPIC_STANDIN_OTHER_API_KEY",
}

DEMO_EVENT_ID = 456
LEGACY_EVENT_ID = 457
SELFIE_OFF_EVENT_ID = 458
DRAFT_EVENT_ID = 459
UPCOMING_EVENT_ID = 460
OTHER_EVENT_ID = 789

DEMO_SELFIE_REQUEST_ID = "ddc661a7-8861-4793-9437-af42a82d12f8"
BIB_WITH_MANY_PHOTOS = "1234"
# The rest of the field: each of these bibs is somewhere in the background of three
# photos. It gives benchmarks thousands of distinct searches that find photos.
FIELD_BIBS = range(10000, 20000)

# BIB -> how many photos show it, at the Demo City Marathon. Two bibs have more than a
# page of 30.
DEMO_BIBS = {
    "1234": 47,
    "2024": 41,
    "A-17": 9,
    "777": 12,
    "42": 1,
    "3105": 5,
    "508": 3,
    "88": 7,
}
PHOTO_COUNT = 100

_NAMESPACE = uuid.UUID("6f1d2c3e-9a7b-4c5d-8e9f-0a1b2c3d4e5f")
# Photos that, besides those showing the runner's BIB, show a runner with the BIB hidden:
# those whose index leaves this remainder. What a selfie search finds and a BIB search cannot.
HIDDEN_EVERY = 33


@dataclass(frozen=True)
class Runner:
    """A runner a selfie can find: on the photos showing `bib`, and on those with it hidden."""

    bib: str
    hidden_at: int  # the remainder of index % HIDDEN_EVERY on photos with the BIB hidden


@dataclass(frozen=True)
class PhotoSet:
    """One race's photos, as a photographer uploaded them."""

    key: str  # names the photos' ids: one set's ids are unique among all sets
    caption: str
    count: int
    bibs: dict[str, int]  # BIB -> how many photos show it
    everyone_else: int  # BIB of the runner on a photo no listed BIB is on: this + index
    gun: datetime  # the start, UTC
    # When photos were taken: (first, last minute after the gun, share of photos).
    waves: tuple[tuple[int, int, float], ...]
    untimed_every: int  # every n-th photo (n-1, 2n-1, …) has no capture time
    seed_base: int  # photos are drawn with seed seed_base + index
    # The runner a selfie in a shirt of this colour finds (see facefind.py).
    runners: dict[str, Runner] = field(default_factory=dict)
    field_bibs: range = range(0)


@dataclass(frozen=True)
class DemoPhoto:
    index: int  # capture order, from 0
    image_id: str
    bibs: tuple[str, ...]
    captured_at: datetime | None
    seed: int  # of the drawing
    caption: str

    @property
    def is_portrait(self) -> bool:
        return self.index % 5 == 4

    def size(self, landscape: tuple[int, int]) -> tuple[int, int]:
        """Width and height when originals are `landscape` (wider than high) in size."""
        return landscape[::-1] if self.is_portrait else landscape


@dataclass(frozen=True)
class DemoEvent:
    event_id: int
    org_id: int
    name: str | None
    slug: str | None
    date: str | None  # ISO 8601, no zone: the race's local time, as 9Pic shows it
    status: str  # "active" or "draft"
    photo_set: str | None  # a PHOTO_SETS key; None: no photos
    enabled: bool = True
    bib_search: bool = True
    selfie_search: bool = True
    timeline_search: bool = False
    name_search: bool = False
    video_search: bool = False
    video_selfie_search: bool = False
    # Answers in 9Pic's older flat shapes (Ping, Event Details, Download Originals).
    legacy: bool = False
    # BIB Search answers an unknown BIB with 404 rather than an empty 200.
    unknown_bib_is_404: bool = False
    confidence_percentage: float | None = None  # the face matching threshold
    has_cover: bool = True


PHOTO_SETS = {
    "city": PhotoSet(
        key="city",
        caption="Demo City Marathon",
        count=PHOTO_COUNT,
        bibs=DEMO_BIBS,
        everyone_else=9000,
        gun=datetime(2026, 1, 19, 6, 0, tzinfo=UTC),
        # The start, the course, then finishers from 08:05 to about 09:50.
        waves=((0, 6, 0.08), (25, 100, 0.2), (125, 230, 0.72)),
        untimed_every=25,
        seed_base=0,
        runners={
            "red": Runner("777", hidden_at=5),
            "yellow": Runner("88", hidden_at=11),
            "green": Runner("A-17", hidden_at=17),
            "blue": Runner("3105", hidden_at=23),
        },
        field_bibs=FIELD_BIBS,
    ),
    "night": PhotoSet(
        key="night",
        caption="Demo Night Run",
        count=24,
        bibs={"300": 8, "N-9": 3, "1234": 4},
        everyone_else=7000,
        gun=datetime(2026, 2, 14, 19, 0, tzinfo=UTC),
        waves=((0, 5, 0.1), (20, 90, 0.9)),
        untimed_every=12,
        seed_base=1000,
    ),
    "harbour": PhotoSet(
        key="harbour",
        caption="Demo Harbour 10K",
        count=30,
        bibs={"5001": 12, "5017": 6, "B-3": 4, "64": 2},
        everyone_else=6000,
        gun=datetime(2026, 3, 22, 9, 0, tzinfo=UTC),
        waves=((0, 5, 0.1), (35, 110, 0.9)),
        untimed_every=10,
        seed_base=2000,
        runners={
            "red": Runner("5001", hidden_at=7),
            "green": Runner("B-3", hidden_at=20),
            "blue": Runner("5017", hidden_at=29),
        },
    ),
}

EVENTS = {
    event.event_id: event
    for event in (
        DemoEvent(
            event_id=DEMO_EVENT_ID,
            org_id=DEMO_ORG_ID,
            name="Demo City Marathon",
            slug="demo-city-marathon",
            date="2026-01-19T06:00:00",
            status="active",
            photo_set="city",
            timeline_search=True,
            confidence_percentage=85.0,
        ),
        DemoEvent(
            event_id=LEGACY_EVENT_ID,
            org_id=DEMO_ORG_ID,
            name="Demo City Half Marathon",
            slug="demo-city-half-marathon",
            date="2026-01-19T06:30:00",
            status="active",
            photo_set="city",
            legacy=True,
            unknown_bib_is_404=True,
            confidence_percentage=85.0,
        ),
        DemoEvent(
            event_id=SELFIE_OFF_EVENT_ID,
            org_id=DEMO_ORG_ID,
            name="Demo Night Run",
            slug="demo-night-run",
            date="2026-02-14T19:00:00",
            status="active",
            photo_set="night",
            selfie_search=False,
        ),
        DemoEvent(
            event_id=DRAFT_EVENT_ID,
            org_id=DEMO_ORG_ID,
            name="Demo Trail Series (draft)",
            slug=None,
            date=None,
            status="draft",
            photo_set=None,
            enabled=False,
            has_cover=False,
        ),
        DemoEvent(
            event_id=UPCOMING_EVENT_ID,
            org_id=DEMO_ORG_ID,
            name="Demo Winter 5K",
            slug="demo-winter-5k",
            date="2026-12-06T09:00:00",
            status="active",
            photo_set=None,
            timeline_search=True,
            confidence_percentage=85.0,
        ),
        DemoEvent(
            event_id=OTHER_EVENT_ID,
            org_id=OTHER_ORG_ID,
            name="Demo Harbour 10K",
            slug="demo-harbour-10k",
            # Local time (UTC+1): the gun went at 09:00 UTC; photos' capture times are UTC.
            date="2026-03-22T10:00:00",
            status="active",
            photo_set="harbour",
            name_search=True,
            unknown_bib_is_404=True,
        ),
    )
}


@cache
def photos_of_set(key: str) -> tuple[DemoPhoto, ...]:
    """A set's photos; each BIB on its count of photos, spread evenly, 1-4 runners a photo."""
    photo_set = PHOTO_SETS[key]
    count = photo_set.count
    bibs_on: list[list[str]] = [[] for _ in range(count)]
    for bib, shown in photo_set.bibs.items():
        offset = sum(ord(c) for c in bib) % count
        for n in range(shown):
            slot = (offset + n * count // shown) % count
            # A photo shows at most four runners: move on to the next photo with room.
            while len(bibs_on[slot]) >= 4 or bib in bibs_on[slot]:
                slot = (slot + 1) % count
            bibs_on[slot].append(bib)
    # The first set's ids predate the others: they keep their unprefixed names.
    prefix = "" if key == "city" else f"{key}-"
    captured = _capture_times(photo_set)
    return tuple(
        DemoPhoto(
            index=i,
            image_id=str(uuid.uuid5(_NAMESPACE, f"{prefix}photo-{i}")),
            bibs=tuple(bibs) or (str(photo_set.everyone_else + i),),
            captured_at=captured[i],
            seed=photo_set.seed_base + i,
            caption=f"{photo_set.caption} · photo {i + 1}",
        )
        for i, bibs in enumerate(bibs_on)
    )


def _capture_times(photo_set: PhotoSet) -> list[datetime | None]:
    """Capture times rising with the index, whole seconds, in the set's waves."""
    rng = random.Random(photo_set.key)  # noqa: S311 - repeatable demo data, not a secret
    every = photo_set.untimed_every
    timed = [i for i in range(photo_set.count) if i % every != every - 1]
    weights = [share for _, _, share in photo_set.waves]
    minutes = []
    for _ in timed:
        first, last, _share = rng.choices(photo_set.waves, weights=weights)[0]
        minutes.append(rng.triangular(first, last))
    times: list[datetime | None] = [None] * photo_set.count
    for i, minute in zip(timed, sorted(minutes), strict=True):
        times[i] = photo_set.gun + timedelta(seconds=int(minute * 60))
    return times


def all_photos() -> tuple[DemoPhoto, ...]:
    """The Demo City Marathon's 100 photos (events 456 and 457)."""
    return photos_of_set("city")


def event(event_id: int) -> DemoEvent | None:
    return EVENTS.get(event_id)


def event_owner(event_id: int) -> int | None:
    found = EVENTS.get(event_id)
    return found.org_id if found else None


def events_of(org_id: int) -> list[DemoEvent]:
    return [e for e in EVENTS.values() if e.org_id == org_id]


def photos(event_id: int) -> tuple[DemoPhoto, ...]:
    """The event's photos by index; none for an event without photos or unknown."""
    found = EVENTS.get(event_id)
    return photos_of_set(found.photo_set) if found and found.photo_set else ()


def photos_by_capture_time(event_id: int) -> list[DemoPhoto]:
    """As 9Pic's All Photos lists them: by capture time, those without one last."""
    return sorted(
        photos(event_id),
        key=lambda p: (p.captured_at is None, p.captured_at or datetime.min, p.index),
    )


def photos_for_bib(event_id: int, bib: str, *, ignore_case: bool = False) -> list[DemoPhoto]:
    """The photos showing `bib`, by index: the exact BIB (Download Originals) or any case of
    it (BIB Search)."""
    event_photos = photos(event_id)
    if not event_photos:
        return []
    if bib.isdigit() and int(bib) in PHOTO_SETS[EVENTS[event_id].photo_set].field_bibs:
        first = int(bib) % len(event_photos)
        return [event_photos[(first + step) % len(event_photos)] for step in (0, 37, 71)]
    if ignore_case:
        return [p for p in event_photos if bib.casefold() in (b.casefold() for b in p.bibs)]
    return [p for p in event_photos if bib in p.bibs]


def runner_photos(event_id: int, shirt: str) -> list[DemoPhoto] | None:
    """The photos of the runner wearing `shirt` at this event; None if nobody there does."""
    event_photos = photos(event_id)
    runner = PHOTO_SETS[EVENTS[event_id].photo_set].runners.get(shirt) if event_photos else None
    if runner is None:
        return None
    found = photos_for_bib(event_id, runner.bib)
    hidden = [
        p for p in event_photos if p.index % HIDDEN_EVERY == runner.hidden_at and p not in found
    ]
    return sorted(found + hidden, key=lambda p: p.index)


def photos_for_selfie(event_id: int, request_id: str) -> list[DemoPhoto]:
    """The demo selfie search's photos (empty for any other request_id): a selfie of the
    runner wearing 777 at the Demo City Marathon, the one in standins/ninepic/sample-selfie.jpg."""
    found = EVENTS.get(event_id)
    if request_id != DEMO_SELFIE_REQUEST_ID or found is None or found.photo_set != "city":
        return []
    return runner_photos(event_id, "red") or []


def photo(event_id: int, image_id: str) -> DemoPhoto | None:
    return next((p for p in photos(event_id) if p.image_id == image_id), None)


def captured_between(event_id: int, start: int, end: int) -> list[DemoPhoto]:
    """Photos captured in [start, end), Unix seconds, by capture time."""
    return [
        p
        for p in photos_by_capture_time(event_id)
        if p.captured_at and start <= p.captured_at.timestamp() < end
    ]
