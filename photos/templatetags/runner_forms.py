"""`{% runner_form_token event "purpose" %}`: the hidden field a runner form that writes carries
(photos/web/runner_forms.py)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from photos.models import Event
from photos.web import runner_forms

register = template.Library()


@register.simple_tag
def runner_form_token(event: Event, purpose: str) -> SafeString:
    return format_html(
        '<input type="hidden" name="{}" value="{}">',
        runner_forms.FIELD,
        runner_forms.token_for(event, purpose),
    )
