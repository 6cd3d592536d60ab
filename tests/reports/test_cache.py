"""The cache of finished reports: repeated views skip the build, new data or another school never hit."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from schoolpeers.extensions import db
from schoolpeers.reports import services
from schoolpeers.reports.cache import ReportCache, ReportKey
from schoolpeers.reports.privacy import ProtectedTable
from schoolpeers.reports.services import DataExtent, ReportParams, SchoolReport, data_extent
from schoolpeers.reports.views import CACHE
from tests.factories import UserFactory, make_mentor
from tests.reports.conftest import APRIL, MARCH, SMALL_GROUP_MEAN, Programme

TODAY = date(2025, 4, 30)
EXTENT = DataExtent(20, MARCH, APRIL, 1, None)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def key(school, **changes) -> ReportKey:
    return ReportKey.of(school, changes.pop("params", ReportParams()), changes.pop("today", TODAY),
                        changes.pop("extent", EXTENT))


@pytest.fixture
def builds(monkeypatch) -> list[ReportParams]:
    """The params of every report really built (not taken from the cache)."""
    made, original = [], services.school_report

    def counted(school, params, today):
        made.append(params)
        return original(school, params, today)

    monkeypatch.setattr(services, "school_report", counted)
    return made


# --- the cache itself --------------------------------------------------------------------------


def test_an_entry_is_built_once_and_made_outputs_are_kept(school):
    cache, built = ReportCache(), []
    build = lambda: built.append(1) or object()  # noqa: E731
    first = cache.get(key(school), build)
    assert cache.get(key(school), build) is first and len(built) == 1
    outputs = []
    assert first.made("json", lambda report: outputs.append(report) or "made") == "made"
    assert first.made("json", lambda report: outputs.append(report) or "again") == "made" and len(outputs) == 1


def test_the_least_recently_used_entry_goes_first(school):
    cache = ReportCache(size=2)
    old, kept, new = (key(school, params=ReportParams(period=p)) for p in ("week", "month", "term"))
    first = cache.get(old, object)
    cache.get(kept, object)
    assert cache.get(old, object) is first  # used again: now the most recent
    cache.get(new, object)
    assert len(cache) == 2 and cache.get(old, object) is first
    assert cache.get(kept, lambda: "rebuilt").report == "rebuilt"


def test_an_entry_expires(school):
    clock = Clock()
    cache = ReportCache(ttl=60, clock=clock)
    first = cache.get(key(school), object)
    clock.now = 59
    assert cache.get(key(school), object) is first
    clock.now = 61
    assert cache.get(key(school), object) is not first


def test_the_key_holds_the_school_its_settings_the_day_and_the_data(school, other_school):
    assert key(school) == key(school)
    assert key(school) != key(other_school)
    assert key(school) != key(school, today=date(2025, 5, 1))
    assert key(school) != key(school, extent=DataExtent(21, MARCH, APRIL, 1, None))
    assert key(school) != key(school, params=ReportParams(group="band"))
    before = key(school)
    school.min_group_size = 6
    assert key(school) != before


# --- the data extent -------------------------------------------------------------------------------


def test_the_extent_changes_with_every_new_check_in_and_concern(small_school, school):
    extent = data_extent(school)
    assert extent == DataExtent(20, MARCH, APRIL, 1, extent.last_concern_at) and extent.last_concern_at
    student = small_school.students(1, grade=7)[0]
    small_school.checkins([student], MARCH)  # a day already in the data: only the count tells
    after_checkin = data_extent(school)
    assert after_checkin.checkins == 21 and after_checkin != extent
    small_school.concern(student, datetime(2025, 3, 5, 9, tzinfo=timezone.utc), "low")  # an older time
    assert data_extent(school).concerns == 2 and data_extent(school) != after_checkin


def test_the_extent_is_the_schools_own(small_school, school, other_school):
    assert data_extent(other_school) == DataExtent(0, None, None, 0, None)


# --- the pages ----------------------------------------------------------------------------------


def test_repeated_views_build_the_report_once(client, small_school, users, login_as, builds):
    login_as(users["staff"])
    page = client.get("/reports").get_data(as_text=True)
    assert client.get("/reports").get_data(as_text=True) == page
    client.get("/reports/data.json")
    login_as(users["counselor"])
    assert client.get("/reports").get_data(as_text=True).count('class="report-table"') == 11
    assert len(builds) == 1


def test_a_new_check_in_or_concern_rebuilds_the_report(client, small_school, users, login_as, builds):
    login_as(users["staff"])
    before = client.get("/reports/data.json").get_json()
    student = small_school.students(1, grade=7)[0]
    small_school.checkins([student], APRIL)
    db.session.commit()
    after = client.get("/reports/data.json").get_json()
    assert len(builds) == 2
    checkins = [next(m for m in data["measures"] if m["name"] == "checkins") for data in (before, after)]
    assert checkins[0]["lines"][-1]["display"][-1] == "20" and checkins[1]["lines"][-1]["display"][-1] == "21"
    small_school.concern(student, datetime(2025, 4, 9, tzinfo=timezone.utc), "medium")
    db.session.commit()
    client.get("/reports/data.json")
    assert len(builds) == 3


def test_another_school_with_the_same_figures_gets_its_own_report(client, school, other_school, login_as, builds):
    counselors = {each: UserFactory(each)("counselor") for each in (school, other_school)}
    programmes = [Programme(each, make_mentor(each, counselor)) for each, counselor in counselors.items()]
    for programme in programmes:  # students last: their ids are set by hand, after every other user's
        programme.checkins(programme.students(6, grade=9), MARCH)
    db.session.commit()
    schools = {each.name: counselor for each, counselor in counselors.items()}
    for name, counselor in schools.items():
        login_as(counselor)
        assert client.get("/reports/data.json").get_json()["school"] == name
    assert len(builds) == 2


def test_a_cached_view_hides_exactly_what_a_fresh_one_does(client, app, small_school, users, login_as):
    login_as(users["staff"])
    fresh = [client.get(url).get_data(as_text=True) for url in ("/reports", "/reports/data.json")]
    cached = [client.get(url).get_data(as_text=True) for url in ("/reports", "/reports/data.json")]
    assert cached == fresh
    page, data = cached
    assert "&lt;5" in page and SMALL_GROUP_MEAN not in page and SMALL_GROUP_MEAN not in data
    grade8 = next(line for m in json.loads(data)["measures"] if m["name"] == "wellbeing_mean"
                  for line in m["lines"] if line["group"] == "grade 8")
    assert grade8["values"][0] is None and grade8["status"][0] == "few_students"
    entries = list(app.extensions[CACHE]._entries.values())
    assert entries and all(isinstance(e.report, SchoolReport) and isinstance(e.report.table, ProtectedTable)
                           for e in entries)
