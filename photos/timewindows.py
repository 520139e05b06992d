"""Finding photos by when they were taken: a runner's clock time on the race day, read in the
event's time zone, as a half-open window of UTC capture times (9Pic's Photo Timeline is UTC).

A time search's address names it whole: `08:41` is the photos taken from three minutes before
08:41 to three minutes after, newest first; `08:41~10min~oldest` ten minutes either side,
oldest first. Nothing here talks to a provider; every `parse_*` raises ValueError.

Clock times become instants with zoneinfo, on the race day's own offset, never today's or
the server's. On the night clocks go forward, a time that does not exist (02:30) is read
with the offset before the change (as 03:30 after it); on the night they go back, a time
that happens twice is its first occurrence. A finish worked out from a start time and a
race time is added in real time, so a race across the change comes out right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from photos.domain import Order

# Minutes either side of an hour's middle: the whole hour (the histogram's hours link so).
HALF_HOUR = 30
# How far either side of the clock time a search may look, in minutes; the first is the
# default, the others what "look wider" offers.
WIDTHS = (3, 10, HALF_HOUR)
CLOCK = re.compile(r"(?P<hour>[0-9]{1,2})\s*[:.hH]\s*(?P<minute>[0-9]{2})")
DURATION = re.compile(
    r"(?P<hours>[0-9]{1,2})\s*[:.hH]\s*(?P<minutes>[0-9]{2})(?:\s*[:.']\s*(?P<seconds>[0-9]{2}))?"
)
# A race time longer than this is a typing mistake, not an ultra.
MAX_DURATION = timedelta(hours=48)
SEPARATOR = "~"


def parse_clock(value: str) -> time:
    """A time of day as runners write it: 8:41, 08:41, 08.41 or 8h41 (24-hour clock)."""
    match = CLOCK.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(value)
    return time(hour, minute)


def parse_duration(value: str) -> timedelta:
    """A race time as results show it: 3:41:27 or 3:41 (hours, minutes, seconds)."""
    match = DURATION.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    minutes, seconds = int(match["minutes"]), int(match["seconds"] or 0)
    if minutes > 59 or seconds > 59:
        raise ValueError(value)
    duration = timedelta(hours=int(match["hours"]), minutes=minutes, seconds=seconds)
    if not duration or duration > MAX_DURATION:
        raise ValueError(value)
    return duration


def instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The moment `clock` shows on `day` in `zone`, in UTC (see the module's DST rules)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def finish_clock(day: date, start: time, duration: timedelta, zone: ZoneInfo) -> time:
    """The clock time, to the nearest minute, `duration` after `start` on `day`: added in real
    time (a race across a DST change ends an hour later or earlier on the clock). ValueError
    if that is not on `day` any more."""
    finish = (instant(day, start, zone) + duration + timedelta(seconds=30)).astimezone(zone)
    if finish.date() != day:
        raise ValueError("the finish is on another day")
    return finish.time().replace(second=0, microsecond=0)


@dataclass(frozen=True)
class TimeSearch:
    """Photos taken within `minutes` either side of `clock` on the race day, in `order`."""

    clock: time
    minutes: int = WIDTHS[0]
    order: Order = Order.NEWEST

    @classmethod
    def parse(cls, identifier: str) -> TimeSearch:
        """From an address: the clock time, then `~<minutes>min` and `~newest|oldest` if
        not the defaults. Lenient where it costs nothing (8:41); `identifier` gives the
        canonical form."""
        clock, *options = identifier.split(SEPARATOR)
        search = cls(parse_clock(clock))
        for option in options:
            if option in (Order.NEWEST, Order.OLDEST):
                search = replace(search, order=Order(option))
            elif option.endswith("min") and option[:-3].isdigit() and int(option[:-3]) in WIDTHS:
                search = replace(search, minutes=int(option[:-3]))
            else:
                raise ValueError(identifier)
        return search

    @property
    def identifier(self) -> str:
        parts = [self.clock.strftime("%H:%M")]
        if self.minutes != WIDTHS[0]:
            parts.append(f"{self.minutes}min")
        if self.order is not Order.NEWEST:
            parts.append(self.order.value)
        return SEPARATOR.join(parts)

    def window(self, day: date, zone: ZoneInfo) -> tuple[int, int]:
        """The UTC window [from, to) in Unix seconds."""
        middle = int(instant(day, self.clock, zone).timestamp())
        return middle - self.minutes * 60, middle + self.minutes * 60

    def local_bounds(self, day: date, zone: ZoneInfo) -> tuple[time, time]:
        """The window's ends as the race's clocks show them (for the page's words)."""
        start, end = self.window(day, zone)
        return datetime.fromtimestamp(start, zone).time(), datetime.fromtimestamp(end, zone).time()

    def wider(self) -> TimeSearch | None:
        """The next width up, or None if this is the widest."""
        larger = [width for width in WIDTHS if width > self.minutes]
        return replace(self, minutes=larger[0]) if larger else None

    def ordered(self, order: Order) -> TimeSearch:
        return replace(self, order=order)
