"""What the providers' JSON answers are decoded into: field types their models share.

Each client declares the answers it reads as msgspec Structs (field types, defaults for
what may be missing or null, `Meta` bounds) and decodes them with a `decoder`: strict
where the provider sends numbers as numbers, lax where it also sends them as strings.
A body that does not fit raises `msgspec.DecodeError` (its message names the field and
what was wrong, not the value), which the client reports as ProviderUnavailable.
"""

from typing import Annotated, Any, TypeVar, overload

import msgspec

# The shape of a link the portal may fetch or show; which hosts it may name is checked
# where it is used (`photos.providers.http.StorageHosts`).
HttpUrl = Annotated[str, msgspec.Meta(pattern=r"^(?i:https?)://")]


class Text(str):
    """Free text (a file name, a message) that a provider may also send as null, false or
    a number: only a string is text, anything else decodes as empty text, never an error."""

    __slots__ = ()


T = TypeVar("T")


def _decode_text(type_: type, value: Any) -> Text:
    if type_ is not Text:
        raise TypeError(f"no decoder for {type_}")
    return Text(value if isinstance(value, str) else "")


@overload
def decoder(model: type[T], *, strict: bool) -> msgspec.json.Decoder[T]: ...
@overload
def decoder(model: Any, *, strict: bool) -> msgspec.json.Decoder[Any]: ...
def decoder(model: Any, *, strict: bool) -> msgspec.json.Decoder[Any]:
    """Decodes JSON into `model` (a Struct, or any type msgspec knows, e.g. `Annotated[int,
    Meta(…)]`); `strict=False` also takes numbers sent as strings."""
    return msgspec.json.Decoder(model, strict=strict, dec_hook=_decode_text)
