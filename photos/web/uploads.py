"""A runner's one upload (the selfie), held in memory only and bounded.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; a
selfie must never touch the disk, so its view swaps in `MemoryOnlyUpload` before the body
is read. A body whose Content-Length is over the limit (with room for the form around the
file) is refused without reading a byte; Django reads no further than Content-Length, so a
lying or missing one cannot bring more. A file over the limit within that room is dropped
as soon as it passes the limit.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest

from photos.selfies import Refusal, SelfieRefused

# Room for the form's other fields and the multipart headers around the file (a few
# hundred bytes in a browser's post).
FORM_OVERHEAD = 16 * 1024


class MemoryOnlyUpload(FileUploadHandler):
    """Keeps the first file sent as `field` in memory, up to `limit` bytes; other files are
    skipped. Past the limit the upload stops and `too_large` is set."""

    def __init__(self, request: HttpRequest, *, field: str, limit: int):
        super().__init__(request)
        self.field = field
        self.limit = limit
        self.too_large = False
        self._buffer: io.BytesIO | None = None
        self._taken = False

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != self.field or self._taken:
            raise SkipFile()
        self._taken = True
        self._buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self._buffer is not None  # new_file came first
        if start + len(raw_data) > self.limit:
            self.too_large = True
            self._buffer = io.BytesIO()  # what was read goes at once
            # Read the rest of the (capped) body to the end, so the runner gets our answer.
            raise StopUpload(connection_reset=False)
        self._buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self._buffer is None or self.too_large:
            return None
        self._buffer.seek(0)
        return InMemoryUploadedFile(
            file=self._buffer,
            field_name=self.field,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def hold_in_memory(request: HttpRequest, *, field: str, limit: int) -> MemoryOnlyUpload:
    """Before anything reads the body of `request`: refuse it (SelfieRefused TOO_LARGE) if
    it says it is larger than a `limit`-byte file could make it, else make sure its file
    `field` is read into memory only. Returns the handler, for `sent_file`."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # Django reads such a body as empty
    if length > limit + FORM_OVERHEAD:
        raise SelfieRefused(Refusal.TOO_LARGE)
    handler = MemoryOnlyUpload(request, field=field, limit=limit)
    request.upload_handlers = [handler]
    return handler


def sent_file(request: HttpRequest, handler: MemoryOnlyUpload) -> bytes:
    """The bytes of the file `handler` kept (b"" if none was sent); SelfieRefused TOO_LARGE
    if it outgrew the limit while being read."""
    upload = request.FILES.get(handler.field)
    if handler.too_large:
        raise SelfieRefused(Refusal.TOO_LARGE)
    return upload.read() if upload is not None else b""
