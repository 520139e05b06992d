from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from photos.web.embedding import is_embed
from photos.web.languages import language_links


def embedding(request: HttpRequest) -> dict[str, bool]:
    return {"is_embed": is_embed(request)}


def languages(request: HttpRequest) -> dict[str, object]:
    # Lazy: only pages that show the switcher (not the admin's) build its links.
    return {"language_links": SimpleLazyObject(lambda: language_links(request))}
