"""9Pic's answers, as its docs show them, for tests that fake 9Pic with `responses`; and the
addresses the portal asks for the demo event (organisation 903, event 456) under the test
settings' NINEPIC_BASE_URL."""

API = "http://testserver/_standin/9pic/api/v1/ext/903/event/456"
ORIGINAL_PHOTOS = f"{API}/original-photos"
DETAILS = f"{API}/details"
CDN = "https://photos.9pic.ai/imgs/456"
STORAGE = "https://storage.test/imgs/456/large"


def bib_search(bib: str) -> str:
    return f"{API}/bibs/{bib}"


def face_result(request_id: str) -> str:
    return f"{API}/faces/{request_id}"


def photo_ids(count: int, *, first: int = 0) -> list[str]:
    """`count` distinct 9Pic image IDs."""
    return [f"{n:08d}-0000-4000-8000-000000000000" for n in range(first, first + count)]


def details(**flags: bool) -> dict:
    """Event Details of an active event with BIB and selfie search on, unless `flags` say."""
    data = {
        "event_id": 456,
        "event_name": "Demo City Marathon",
        "event_slug": "demo-city-marathon",
        "event_date": "2026-01-19T06:00:00",
        "status": "active",
        "event_enabled": True,
        "bib_search": True,
        "selfie_search": True,
        "name_search": False,
        "video_search": False,
        "video_selfie_search": False,
        "timeline_search": False,
        **flags,
    }
    return {"responseType": "success", "message": "Event details retrieved", "data": data}


def image_item(image_id: str, *, query: str = "") -> dict:
    return {
        "image_id": image_id,
        "img_url": f"{CDN}/large/{image_id}.jpg{query}",
        "thumbnail_url": f"{CDN}/small/{image_id}.jpg{query}",
        "width": 6000,
        "height": 4000,
        "original_url": None,
    }


def pagination(total: int, page: int, page_size: int) -> dict:
    pages = -(-total // page_size)
    return {
        "total": total,
        "currentPage": page if total else 0,
        "totalPages": pages,
        "hasNextPage": page < pages,
        "hasPreviousPage": page > 1,
        "page_size": page_size,
    }


def listing(
    image_ids: list[str], *, total: int | None = None, page: int = 1, page_size: int = 30
) -> dict:
    """A page of BIB Search (or of a Face Search result) listing `image_ids`."""
    total = len(image_ids) if total is None else total
    return {
        "responseType": "success",
        "message": "Records for bib number 1234",
        "data": {
            "images": [image_item(i) for i in image_ids],
            "pagination": pagination(total, page, page_size),
        },
    }


def presigned(
    image_ids: list[str], *, total: int | None = None, page: int = 1, page_size: int = 30
) -> dict:
    """A page of Download Originals linking `image_ids`."""
    total = len(image_ids) if total is None else total
    return {
        "responseType": "success",
        "message": "Presigned URLs generated",
        "data": {
            "presigned_urls": [
                {"url": f"{STORAGE}/{i}.jpg?X-Amz-Signature=s", "filename": f"{i}.jpg"}
                for i in image_ids
            ],
            "failed_urls": [],
            "total_images": total,
            "successful_count": len(image_ids),
            "failed_count": 0,
            "identifier": "1234",
            "pagination": pagination(total, page, page_size) if total else None,
        },
    }


NO_PHOTOS = {"responseType": "error", "message": "No photos", "data": None}
