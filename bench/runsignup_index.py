"""Fill a RunSignUp event's photo index with N made-up photos, then time BIB searches on it.

Run by bench/run.py against its throwaway database (DATABASE_URL in the environment);
prints JSON: the BIBs worn, and p50/p95 of the selector's query in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from photos.models import Event, RunSignUpPhoto, RunSignUpPhotoBib  # noqa: E402
from photos.providers.runsignup import index  # noqa: E402

S3 = "https://rsu-photos-v2-v2prod.s3.amazonaws.com"
RACE_START = 1776589200
BATCH = 5000


def fill(event: Event, photos: int, rng: random.Random) -> list[int]:
    """Photos as a big race has them: a field of one runner per 12 photos, 0 to 3 BIBs each
    (most show one or two runners), uploaded over eight hours. Returns the BIBs worn."""
    field = range(1, photos // 12 + 2)
    first_id = (RunSignUpPhoto.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    with transaction.atomic():
        for start in range(0, photos, BATCH):
            rows, bibs = [], []
            for n in range(start, min(start + BATCH, photos)):
                pk = first_id + n
                name = f"race_21_6568_{n:08d}.jpg"
                uploaded_ts = RACE_START + n * 8 * 3600 // photos
                rows.append(
                    RunSignUpPhoto(
                        id=pk,
                        event=event,
                        photo_id=1_000_000 + n,
                        album_id=2101 + n % 3,
                        uploaded_filename=f"IMG_{n:06d}.jpg",
                        uploaded_at=datetime.fromtimestamp(uploaded_ts, UTC),
                        original_url=f"{S3}/customOriginal_v3/{name}",
                        large_url=f"{S3}/large_watermarked_v3/{name}",
                        large_width=900,
                        large_height=600,
                        thumbnail_url=f"{S3}/thumbs_v2/{name}",
                        thumbnail_width=300,
                        thumbnail_height=200,
                    )
                )
                shown = rng.choices((0, 1, 2, 3), weights=(10, 50, 30, 10))[0]
                for bib in rng.sample(field, shown):
                    bibs.append(RunSignUpPhotoBib(photo_id=pk, event=event, bib=bib))
            RunSignUpPhoto.objects.bulk_create(rows)
            RunSignUpPhotoBib.objects.bulk_create(bibs)
    return list(field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", default="demo-trail-run")
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(21)  # noqa: S311 - repeatable made-up data
    event = Event.objects.get(slug=args.event)
    start = time.perf_counter()
    bibs = fill(event, args.photos, rng)
    fill_seconds = time.perf_counter() - start
    page_size = settings.GALLERY_PAGE_SIZE
    samples = []
    for bib in rng.choices(bibs, k=args.samples):
        start = time.perf_counter()
        index.page_of(index.photos_showing(event, bib), offset=0, limit=page_size)
        samples.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    print(
        json.dumps(
            {
                "photos": args.photos,
                "bibs": bibs,
                "fill_seconds": round(fill_seconds, 1),
                "query_p50_ms": round(cuts[49], 2),
                "query_p95_ms": round(cuts[94], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
