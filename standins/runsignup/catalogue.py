"""The stand-in's demo race, in code: deterministic, so tests, the demo and a sync agree on it.

Race 21 and its race-day edition 6568 are the ids of RunSignUp's docs; 6827, the docs' other
id, is next year's edition: known, but without photos yet. On race day (RACE_DAY_START_TS,
2026-04-19 07:00 UTC; the gun at 08:00) photographers upload three albums in batches from
08:20 to about 14:30, a batch sharing one `uploaded_ts`, and runners add their own photos
until about 18:00. Photo ids follow upload order.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

DEMO_RACE_ID = 21
DEMO_EVENT_DAYS_ID = 6568
UPCOMING_EVENT_DAYS_ID = 6827
RACE_EVENT_DAYS = {DEMO_RACE_ID: (DEMO_EVENT_DAYS_ID, UPCOMING_EVENT_DAYS_ID)}

START_ALBUM_ID = 2101
SECOND_ALBUM_ID = 2102
DEMO_ALBUM_ID = 2103
ALBUMS = {START_ALBUM_ID: "Start", SECOND_ALBUM_ID: "On the course", DEMO_ALBUM_ID: "Finish line"}

RACE_DAY_START_TS = 1776582000  # 2026-04-19 07:00:00 UTC
FIRST_PHOTO_ID = 310001
PHOTO_COUNT = 520

DEMO_BIB = 1179
# BIB -> how many photos show it. The rest of the field (FIELD_BIBS) is on a few at most.
DEMO_BIBS = {DEMO_BIB: 48, 1145: 16, 1308: 9, 1425: 2}
FIELD_BIBS = range(1000, 2000)
MAX_BIBS_PER_PHOTO = 3

# Longest side of each variant; the original is as uploaded. Sizes round half up, as in the
# docs' example (a 1062x1200 original has a 266x300 thumbnail and a 797x900 large).
VARIANTS = {"original": None, "large": 900, "thumbnail": 300}


@dataclass(frozen=True)
class DemoPhoto:
    photo_id: int
    album_id: int
    bibs: tuple[int, ...]
    uploaded_ts: int
    uploaded_filename: str
    width: int  # of the original
    height: int
    participant_upload: bool
    race_event_days_id: int = DEMO_EVENT_DAYS_ID

    def size(self, variant: str) -> tuple[int, int]:
        longest = VARIANTS[variant]
        if longest is None:
            return self.width, self.height
        scale = min(1.0, longest / max(self.width, self.height))
        return int(self.width * scale + 0.5), int(self.height * scale + 0.5)


@dataclass(frozen=True)
class _Upload:
    ts: int
    album_id: int
    filename: str
    size: tuple[int, int]
    participant: bool
    runners: int  # how many bibs the photo shows


# Photographers' sessions: album, first upload (minutes after 07:00), photos, batch size, and
# minutes between batches.
_SESSIONS = (
    (START_ALBUM_ID, 80, 100, 20, 6),
    (SECOND_ALBUM_ID, 130, 160, 10, 15),
    (DEMO_ALBUM_ID, 160, 200, 10, 15),
)
_PARTICIPANT_UPLOADS = PHOTO_COUNT - sum(session[2] for session in _SESSIONS)


def _uploads(rng: random.Random) -> list[_Upload]:
    uploads = []
    for number, (album_id, first, count, batch, every) in enumerate(_SESSIONS):
        for n in range(count):
            portrait = rng.random() < 0.2
            uploads.append(
                _Upload(
                    ts=RACE_DAY_START_TS + (first + n // batch * every) * 60,
                    album_id=album_id,
                    filename=f"DSC{number + 1}_{n + 1:04d}.JPG",
                    size=(2000, 3000) if portrait else (3000, 2000),
                    participant=False,
                    runners=rng.choices(range(MAX_BIBS_PER_PHOTO + 1), weights=(1, 4, 3, 2))[0],
                )
            )
    # Runners' own phone photos, one at a time from 11:00 (a selfie, or with a friend).
    for n in range(_PARTICIPANT_UPLOADS):
        portrait = rng.random() < 0.5
        uploads.append(
            _Upload(
                ts=RACE_DAY_START_TS + 4 * 3600 + n * 421,
                album_id=(SECOND_ALBUM_ID, DEMO_ALBUM_ID)[n % 2],
                filename=f"IMG_{rng.randrange(1000, 10000)}.jpg",
                size=(1200, 1600) if portrait else (1600, 1200),
                participant=True,
                runners=rng.choice((1, 1, 2)),
            )
        )
    uploads.sort(key=lambda upload: upload.ts)  # stable: a batch keeps its order
    return uploads


@cache
def all_photos() -> tuple[DemoPhoto, ...]:
    """Every photo of the race day, in upload order (`uploaded_ts`, then `photo_id`)."""
    rng = random.Random(DEMO_RACE_ID)  # noqa: S311 - repeatable demo data, not a secret
    uploads = _uploads(rng)
    bibs_on: list[list[int]] = [[] for _ in uploads]
    for bib, count in DEMO_BIBS.items():
        offset = bib % len(uploads)
        for n in range(count):
            slot = (offset + n * len(uploads) // count) % len(uploads)
            # Spread evenly, moving on to the next photo that shows a runner still unnamed.
            while len(bibs_on[slot]) >= uploads[slot].runners or bib in bibs_on[slot]:
                slot = (slot + 1) % len(uploads)
            bibs_on[slot].append(bib)
    field = [bib for bib in FIELD_BIBS if bib not in DEMO_BIBS]
    for upload, bibs in zip(uploads, bibs_on, strict=True):
        while len(bibs) < upload.runners:
            bib = rng.choice(field)
            if bib not in bibs:
                bibs.append(bib)
    return tuple(
        DemoPhoto(
            photo_id=FIRST_PHOTO_ID + n,
            album_id=upload.album_id,
            bibs=tuple(sorted(bibs)),
            uploaded_ts=upload.ts,
            uploaded_filename=upload.filename,
            width=upload.size[0],
            height=upload.size[1],
            participant_upload=upload.participant,
        )
        for n, (upload, bibs) in enumerate(zip(uploads, bibs_on, strict=True))
    )


def photos(race_id: int, event_days_id: int) -> list[DemoPhoto]:
    """The photos of one race's edition in listing order; none for an edition it does not have."""
    if (race_id, event_days_id) != (DEMO_RACE_ID, DEMO_EVENT_DAYS_ID):
        return []
    return list(all_photos())


@cache
def bibs_index() -> dict[int, tuple[DemoPhoto, ...]]:
    """BIB -> the photos showing it, in listing order."""
    index: dict[int, list[DemoPhoto]] = defaultdict(list)
    for photo in all_photos():
        for bib in photo.bibs:
            index[bib].append(photo)
    return {bib: tuple(shown) for bib, shown in index.items()}


def photo(photo_id: int) -> DemoPhoto | None:
    index = photo_id - FIRST_PHOTO_ID
    return all_photos()[index] if 0 <= index < PHOTO_COUNT else None
