"""Template filters for showing what runners searched for."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def unbroken(identifier: str) -> SafeString:
    """The BIB (or other identifier), escaped, that a line never breaks inside: a heading
    wraps before "A-17", never at its hyphen (CSS class `unbroken`)."""
    return format_html('<span class="unbroken">{}</span>', identifier)
