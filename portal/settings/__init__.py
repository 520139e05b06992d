"""Settings for the race photos portal, one module per concern, read in this order.

Every value comes from the environment (or an optional `.env` file beside manage.py)
through django-environ; `.env.example` documents each variable.

- `core`: Django itself (apps, middleware, database, cache, languages, headers, logging).
- `emails`: email to runners (EMAIL_URL) and "email me when my photos are ready".
- `protection`: race-day limits (per client, per event) and the runner pages' sizes.
- `providers`: where photos come from (9Pic, RunSignUp) and how long to wait for them.
- `demo`: the local stand-ins of 9Pic and RunSignUp, only when NINEPIC_STANDIN or
  RUNSIGNUP_STANDIN is on (`make run`, tests). Production never loads it.
"""

from portal.settings.core import *  # noqa: F403
from portal.settings.emails import *  # noqa: F403
from portal.settings.protection import *  # noqa: F403
from portal.settings.providers import *  # noqa: F403

if NINEPIC_STANDIN or RUNSIGNUP_STANDIN:  # noqa: F405
    from portal.settings.demo import *  # noqa: F403
