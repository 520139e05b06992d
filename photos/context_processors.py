from django.http import HttpRequest

from photos.embedding import is_embed


def embedding(request: HttpRequest) -> dict[str, bool]:
    return {"is_embed": is_embed(request)}
