"""When a pair can meet: shared weekly slots turned into coming local times."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.notifications import slots

SLOTS = [f"{d}-{p}" for d in slots.DAYS[:5] for p in slots.PART_STARTS]


def test_shared_slots_in_weekly_order_or_the_mentors_own():
    assert slots.shared(["wed-lunch", "mon-after", "fri-before"], ["fri-before", "mon-after"]) == [
        "mon-after", "fri-before"]
    assert slots.shared(["wed-lunch", "bogus"], ["tue-lunch"]) == ["wed-lunch"]
    assert slots.shared([], ["tue-lunch"]) == []


def test_a_monday_lunch_in_london_across_the_clock_change():
    now = datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc)  # a Tuesday; clocks go back on 25 October
    times = slots.upcoming(["mon-lunch"], now, "Europe/London")
    assert [t.isoformat() for t in times] == ["2026-10-26T12:30:00+00:00", "2026-11-02T12:30:00+00:00"]


@given(st.lists(st.sampled_from(SLOTS), max_size=6),
       st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
       st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]))
def test_every_time_is_a_given_slot_in_the_coming_fortnight(chosen, naive_now, zone):
    now = naive_now.replace(tzinfo=timezone.utc)
    times = slots.upcoming(chosen, now, zone)
    assert times == sorted(times) and len(times) == len(set(times))
    for when in times:
        assert now < when <= now + timedelta(days=slots.LOOK_AHEAD_DAYS)
        local = when.astimezone(ZoneInfo(zone))
        day, part = slots.DAYS[local.weekday()], next(p for p, t in slots.PART_STARTS.items() if t == local.time())
        assert f"{day}-{part}" in chosen
    if chosen:  # two weeks hold each slot at least once (a skipped hour on a clock change aside)
        assert len(times) >= len(set(chosen))
