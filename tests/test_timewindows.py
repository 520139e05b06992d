"""Clock times on the race day as UTC windows: parsing, canonical addresses, time zones and
the nights clocks change."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from photos.domain import Order
from photos.timewindows import TimeSearch, finish_clock, parse_clock, parse_duration

BERLIN = ZoneInfo("Europe/Berlin")
SPRING_FORWARD = date(2026, 3, 29)  # 02:00 CET becomes 03:00 CEST
FALL_BACK = date(2026, 10, 25)  # 03:00 CEST becomes 02:00 CET


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("typed", "clock"),
    [("09:41", time(9, 41)), ("9:41", time(9, 41)), (" 9.41 ", time(9, 41)), ("9h41", time(9, 41))],
)
def test_clock_times_as_runners_write_them(typed, clock):
    assert parse_clock(typed) == clock


@pytest.mark.parametrize("typed", ["25:99", "24:00", "9:60", "941", "nine", "", "9:4", "-1:30"])
def test_what_is_no_clock_time(typed):
    with pytest.raises(ValueError):
        parse_clock(typed)


@pytest.mark.parametrize(
    ("typed", "duration"),
    [("3:41:27", timedelta(hours=3, minutes=41, seconds=27)), ("0:25", timedelta(minutes=25))],
)
def test_race_times(typed, duration):
    assert parse_duration(typed) == duration


@pytest.mark.parametrize("typed", ["3:61:00", "3:41:61", "0:00", "49:00:00", "fast", "3"])
def test_what_is_no_race_time(typed):
    with pytest.raises(ValueError):
        parse_duration(typed)


@pytest.mark.parametrize(
    ("identifier", "canonical", "minutes", "order"),
    [
        ("08:41", "08:41", 3, Order.NEWEST),
        ("8:41", "08:41", 3, Order.NEWEST),
        ("08:41~10min", "08:41~10min", 10, Order.NEWEST),
        ("08:41~oldest", "08:41~oldest", 3, Order.OLDEST),
        ("08:41~30min~oldest", "08:41~30min~oldest", 30, Order.OLDEST),
        ("08:41~3min~newest", "08:41", 3, Order.NEWEST),
    ],
)
def test_time_search_addresses(identifier, canonical, minutes, order):
    search = TimeSearch.parse(identifier)
    assert (search.identifier, search.minutes, search.order) == (canonical, minutes, order)


@pytest.mark.parametrize("identifier", ["08:41~7min", "08:41~sideways", "08:41~", "25:99", "~"])
def test_time_search_addresses_no_link_makes(identifier):
    with pytest.raises(ValueError):
        TimeSearch.parse(identifier)


def test_the_window_is_half_open_around_the_clock_time_in_the_races_zone():
    start, end = TimeSearch(time(9, 41)).window(date(2026, 1, 19), BERLIN)  # CET, UTC+1
    assert (start, end) == (utc(2026, 1, 19, 8, 38), utc(2026, 1, 19, 8, 44))
    assert TimeSearch(time(9, 41), 30).window(date(2026, 1, 19), ZoneInfo("UTC")) == (
        utc(2026, 1, 19, 9, 11),
        utc(2026, 1, 19, 10, 11),
    )


def test_the_race_days_own_offset_counts_across_a_dst_change():
    """09:00 is 08:00 UTC the day before clocks go forward, 07:00 UTC on the day."""
    nine = TimeSearch(time(9, 0))
    assert nine.window(SPRING_FORWARD - timedelta(days=1), BERLIN)[0] + 180 == utc(
        2026, 3, 28, 8, 0
    )
    assert nine.window(SPRING_FORWARD, BERLIN)[0] + 180 == utc(2026, 3, 29, 7, 0)
    assert nine.window(FALL_BACK, BERLIN)[0] + 180 == utc(2026, 10, 25, 8, 0)


def test_a_window_across_the_change_is_six_real_minutes():
    """01:59 CET ± 3 minutes ends at 03:02 CEST on the clocks: six minutes, not an hour more."""
    search = TimeSearch(time(1, 59))
    start, end = search.window(SPRING_FORWARD, BERLIN)
    assert end - start == 360
    assert search.local_bounds(SPRING_FORWARD, BERLIN) == (time(1, 56), time(3, 2))


def test_a_clock_time_that_does_not_exist_is_read_with_the_offset_before_the_change():
    start, _end = TimeSearch(time(2, 30)).window(SPRING_FORWARD, BERLIN)
    assert start + 180 == utc(2026, 3, 29, 1, 30)  # 03:30 CEST


def test_a_finish_is_the_start_plus_the_race_time_in_real_time():
    assert finish_clock(date(2026, 1, 19), time(8, 0), parse_duration("3:41:27"), BERLIN) == time(
        11, 41
    )
    # An hour's race from 01:30 CET ends at 03:30 CEST: the clocks skipped 02:00-03:00.
    assert finish_clock(SPRING_FORWARD, time(1, 30), timedelta(hours=1), BERLIN) == time(3, 30)
    # And from 01:30 CEST on the night they go back, two hours later is 02:30 CET.
    assert finish_clock(FALL_BACK, time(1, 30), timedelta(hours=2), BERLIN) == time(2, 30)


def test_a_finish_on_another_day_is_refused():
    with pytest.raises(ValueError):
        finish_clock(date(2026, 1, 19), time(22, 0), timedelta(hours=3), BERLIN)
