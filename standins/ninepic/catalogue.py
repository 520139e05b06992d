"""The stand-in's demo data, in code: deterministic, so tests and the demo agree on every photo.

Organisation 903 owns event 456 (the ids of 9Pic's docs) and event 457, which has
the same photos but answers in the legacy flat shape. Organisation 904 owns
event 789, so 903 asking for 789 is an ownership mismatch.
"""

import uuid
from dataclasses import dataclass
from functools import cache

DEMO_ORG_ID = 903
DEMO_EVENT_ID = 456
LEGACY_EVENT_ID = 457
OTHER_ORG_ID = 904
OTHER_EVENT_ID = 789
EVENT_OWNERS = {
    DEMO_EVENT_ID: DEMO_ORG_ID,
    LEGACY_EVENT_ID: DEMO_ORG_ID,
    OTHER_EVENT_ID: OTHER_ORG_ID,
}
# Only the demo organisation's events have photos; 789 exists just to be refused.
_EVENTS_WITH_PHOTOS = (DEMO_EVENT_ID, LEGACY_EVENT_ID)

DEMO_SELFIE_REQUEST_ID = "ddc661a7-8861-4793-9437-af42a82d12f8"
BIB_WITH_MANY_PHOTOS = "1234"
# The rest of the field: each of these bibs is somewhere in the background of three
# photos. It gives benchmarks thousands of distinct searches that find photos.
FIELD_BIBS = range(10000, 20000)

# BIB -> how many photos show it. Two bibs have more than a page of 30.
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


@dataclass(frozen=True)
class DemoPhoto:
    index: int  # capture order, from 0
    image_id: str
    bibs: tuple[str, ...]

    @property
    def is_portrait(self) -> bool:
        return self.index % 5 == 4


@cache
def all_photos() -> tuple[DemoPhoto, ...]:
    """100 photos; each BIB appears on its count of photos, spread evenly, 1-4 runners a photo."""
    bibs_on: list[list[str]] = [[] for _ in range(PHOTO_COUNT)]
    for bib, count in DEMO_BIBS.items():
        offset = sum(ord(c) for c in bib) % PHOTO_COUNT
        for n in range(count):
            slot = (offset + n * PHOTO_COUNT // count) % PHOTO_COUNT
            # A photo shows at most four runners: move on to the next photo with room.
            while len(bibs_on[slot]) >= 4 or bib in bibs_on[slot]:
                slot = (slot + 1) % PHOTO_COUNT
            bibs_on[slot].append(bib)
    return tuple(
        DemoPhoto(
            index=i,
            image_id=str(uuid.uuid5(_NAMESPACE, f"photo-{i}")),
            bibs=tuple(bibs) or (str(9000 + i),),  # everyone else in the field
        )
        for i, bibs in enumerate(bibs_on)
    )


def event_owner(event_id: int) -> int | None:
    return EVENT_OWNERS.get(event_id)


def photos_for_bib(event_id: int, bib: str) -> list[DemoPhoto]:
    if event_id not in _EVENTS_WITH_PHOTOS:
        return []
    if bib.isdigit() and int(bib) in FIELD_BIBS:
        first = int(bib) % PHOTO_COUNT
        return [all_photos()[(first + step) % PHOTO_COUNT] for step in (0, 37, 71)]
    return [photo for photo in all_photos() if bib in photo.bibs]


def photos_for_selfie(event_id: int, request_id: str) -> list[DemoPhoto]:
    if event_id not in _EVENTS_WITH_PHOTOS or request_id != DEMO_SELFIE_REQUEST_ID:
        return []
    # The selfie is of the runner wearing 777, who is also on three photos where the bib
    # was hidden: what a selfie search finds and a BIB search cannot.
    found = photos_for_bib(event_id, "777")
    hidden = [p for p in all_photos() if p.index % 33 == 5 and p not in found]
    return sorted(found + hidden, key=lambda p: p.index)


def photo(event_id: int, image_id: str) -> DemoPhoto | None:
    if event_id not in _EVENTS_WITH_PHOTOS:
        return None
    return next((p for p in all_photos() if p.image_id == image_id), None)
