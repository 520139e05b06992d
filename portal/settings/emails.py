"""Email to runners: Django's email framework, and "email me when my photos are ready".

Without EMAIL_URL the portal sends no email and runners are not offered it.
"""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.core import DEBUG, env
from portal.settings.protection import UPSTREAM_CALLS_PER_MINUTE_PER_EVENT

# One URL (django-environ): smtp://user:password@host:25, smtp+tls://…:587 (STARTTLS),
# smtp+ssl://…:465, or consolemail:// (printed; `make run`). Empty: no email at all.
EMAIL_URL = env.str("EMAIL_URL", default="")
SENDS_EMAIL = bool(EMAIL_URL)
if SENDS_EMAIL:
    globals().update(env.email_url_config(EMAIL_URL))
# Seconds an SMTP connection may take to answer: a runner waits for the confirmation email.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Race photos <photos@localhost>")
# The portal's public address: emails sent by a scheduled command have no request to take
# it from, so every email's links start with it.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# A confirmed request is kept this many days at most; one never confirmed, this many hours.
SUBSCRIPTION_DAYS = env.int("SUBSCRIPTION_DAYS", default=30)
SUBSCRIPTION_CONFIRM_HOURS = env.int("SUBSCRIPTION_CONFIRM_HOURS", default=48)
# Searches `notify_photo_subscribers` asks an event's provider about per minute: at most
# half the event's upstream budget, so that runners keep the rest.
SUBSCRIPTION_CHECKS_PER_MINUTE = env.int("SUBSCRIPTION_CHECKS_PER_MINUTE", default=60)
if SUBSCRIPTION_CHECKS_PER_MINUTE < 1 or (
    UPSTREAM_CALLS_PER_MINUTE_PER_EVENT
    and SUBSCRIPTION_CHECKS_PER_MINUTE > UPSTREAM_CALLS_PER_MINUTE_PER_EVENT // 2
):
    raise ImproperlyConfigured(
        "SUBSCRIPTION_CHECKS_PER_MINUTE must be at least 1 and at most half of "
        f"UPSTREAM_CALLS_PER_MINUTE_PER_EVENT ({UPSTREAM_CALLS_PER_MINUTE_PER_EVENT})."
    )
