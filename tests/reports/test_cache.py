"""The cache of lattices and reports: repeated views skip the build, new data or another school never hit."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, text

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn, CheckInRevision
from schoolpeers.reports import services
from schoolpeers.reports.cache import LatticeKey, ReportCache, ReportKey
from schoolpeers.reports.loading import DataExtent, data_extent
from schoolpeers.reports.privacy import ProtectedLattice
from schoolpeers.reports.report import ReportParams, SchoolReport
from schoolpeers.reports.views import CACHE
from tests.factories import UserFactory, make_mentor
from tests.reports.conftest import APRIL, MARCH, SMALL_GROUP_MEAN, Programme

TODAY = date(2025, 4, 30)
EXTENT = DataExtent(20, MARCH, APRIL, 40, 0, None, 1, None, 3, 20, 1234, 5678, 0, None)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def key(school, **changes) -> ReportKey:
    return ReportKey(LatticeKey.of(school, changes.pop("extent", EXTENT)), changes.pop("params", ReportParams()),
                     changes.pop("default_range", True), changes.pop("today", TODAY))


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """The school of every lattice really built (not taken from the cache)."""
    made, original = [], services.protected_lattice

    def counted(school, secret, source="mentors"):
        made.append(school.id)
        return original(school, secret, source)

    monkeypatch.setattr(services, "protected_lattice", counted)
    return made


# --- the cache itself --------------------------------------------------------------------------


def test_an_entry_is_built_once_and_made_outputs_are_kept(school):
    cache, built = ReportCache(), []
    build = lambda: built.append(1) or object()  # noqa: E731
    first = cache.report(key(school), build)
    assert cache.report(key(school), build) is first and len(built) == 1
    outputs = []
    assert first.made("json", lambda report: outputs.append(report) or "made") == "made"
    assert first.made("json", lambda report: outputs.append(report) or "again") == "made" and len(outputs) == 1


def test_the_least_recently_used_entry_goes_first(school):
    cache = ReportCache(size=2)
    old, kept, new = (key(school, params=ReportParams(period=p)) for p in ("week", "month", "term"))
    first = cache.report(old, object)
    cache.report(kept, object)
    assert cache.report(old, object) is first  # used again: now the most recent
    cache.report(new, object)
    assert len(cache) == 2 and cache.report(old, object) is first
    assert cache.report(kept, lambda: "rebuilt").report == "rebuilt"


def test_an_entry_expires(school):
    clock = Clock()
    cache = ReportCache(ttl=60, clock=clock)
    first = cache.report(key(school), object)
    clock.now = 59
    assert cache.report(key(school), object) is first
    clock.now = 61
    assert cache.report(key(school), object) is not first


def test_the_key_holds_the_school_its_settings_the_day_and_the_data(school, other_school):
    assert key(school) == key(school)
    assert key(school) != key(other_school)
    assert key(school) != key(school, today=date(2025, 5, 1))
    assert key(school) != key(school, extent=dataclasses.replace(EXTENT, last_checkin=41))
    assert key(school) != key(school, extent=dataclasses.replace(EXTENT, own_checkins=1, last_own_checkin=7))
    assert key(school) != key(school, default_range=False)
    assert key(school) != key(school, params=ReportParams(group="band"))
    assert LatticeKey.of(school, EXTENT) != LatticeKey.of(school, EXTENT, "students")
    before = key(school)
    school.min_group_size = 6
    assert key(school) != before


# --- the data extent -------------------------------------------------------------------------------


def test_the_extent_changes_with_every_new_check_in_and_concern(small_school, school):
    extent = data_extent(school)
    assert (extent.checkins_deleted, extent.first_day, extent.last_day, extent.concerns) == (0, MARCH, APRIL, 1)
    assert extent.last_concern_at
    student = small_school.students(1, grade=7)[0]
    small_school.checkins([student], MARCH)  # a day already in the data: only the latest id tells
    after_checkin = data_extent(school)
    assert after_checkin.last_checkin > extent.last_checkin and after_checkin != extent
    small_school.concern(student, datetime(2025, 3, 5, 9, tzinfo=timezone.utc), "low")  # an older time
    assert data_extent(school).concerns == 2 and data_extent(school) != after_checkin


def test_the_extent_changes_with_a_correction_and_a_changed_grade(small_school, school, users):
    extent = data_extent(school)
    student = small_school.students(1, grade=7)[0]  # no check-in: only its grade counts
    with_student = data_extent(school)
    assert with_student != extent
    student.grade = 8
    db.session.commit()
    assert data_extent(school) != with_student
    moved = data_extent(school)
    checkin = db.session.scalars(select(CheckIn).where(CheckIn.school_id == school.id)).first()
    db.session.add(CheckInRevision(school_id=school.id, checkin_id=checkin.id, previous={"wellbeing": 4}))
    db.session.commit()  # what a mentor's correction records
    assert data_extent(school).corrections == moved.corrections + 1


def test_the_extent_changes_when_a_check_in_is_deleted_and_another_added(small_school, school):
    extent = data_extent(school)
    gone = db.session.scalars(select(CheckIn).where(CheckIn.school_id == school.id)).first()
    student, day = db.session.get(User, gone.mentee_id), gone.occurred_on
    db.session.execute(CheckIn.__table__.delete().where(CheckIn.id == gone.id))
    small_school.checkins([student], day)
    db.session.commit()
    after = data_extent(school)
    assert (after.first_day, after.last_day) == (extent.first_day, extent.last_day)
    assert after != extent


def test_the_extent_changes_when_an_older_check_in_is_deleted_however_it_is_deleted(small_school, school,
                                                                                    other_school):
    first = db.session.scalars(select(CheckIn).where(CheckIn.school_id == school.id).order_by(CheckIn.id)).first()
    extent, elsewhere = data_extent(school), data_extent(other_school)
    db.session.execute(text("DELETE FROM checkins WHERE id = :id"), {"id": first.id})  # not even through the ORM
    db.session.commit()
    after = data_extent(school)
    assert (after.checkins_deleted, after.last_checkin) == (extent.checkins_deleted + 1, extent.last_checkin)
    assert after != extent and data_extent(other_school) == elsewhere


def test_the_extent_is_the_schools_own(small_school, school, other_school):
    assert data_extent(other_school) == DataExtent(0, None, None, None, 0, None, 0, None, None, 0, None, None, 0, None)


# --- the pages ----------------------------------------------------------------------------------


def test_repeated_views_build_the_lattice_once(client, clear_school, users, login_as, builds):
    login_as(users["staff"])
    page = client.get("/reports").get_data(as_text=True)
    assert client.get("/reports").get_data(as_text=True) == page
    client.get("/reports/data.json")
    client.get("/reports/data.json?period=week&group=band")
    client.get("/reports/export.csv?period=year&grades=7")
    login_as(users["counselor"])
    assert client.get("/reports").get_data(as_text=True).count('class="report-table"') == 8
    assert len(builds) == 1


def test_a_new_check_in_correction_or_concern_rebuilds(client, clear_school, users, login_as, builds):
    login_as(users["staff"])
    client.get("/reports/data.json")
    student = clear_school.students(1, grade=7)[0]
    clear_school.checkins([student], APRIL)
    db.session.commit()
    client.get("/reports/data.json")
    assert len(builds) == 2
    clear_school.concern(student, datetime(2025, 4, 9, tzinfo=timezone.utc), "medium")
    db.session.commit()
    client.get("/reports/data.json")
    assert len(builds) == 3


def test_a_changed_grade_shows_at_once(client, clear_school, users, login_as):
    login_as(users["staff"])
    groups = lambda: client.get("/reports/data.json?period=year").get_json()["groups"]  # noqa: E731
    assert "grade 8" in groups() and "grade 10" not in groups()
    for student in db.session.scalars(select(User).where(User.school_id == clear_school.school.id, User.grade == 8)):
        student.grade = 10
    db.session.commit()
    assert "grade 8" not in groups() and "grade 10" in groups()


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


def test_the_cache_holds_only_protected_lattices_and_reports(client, app, clear_school, users, login_as):
    login_as(users["staff"])
    fresh = [client.get(url).get_data(as_text=True) for url in ("/reports", "/reports/data.json")]
    cached = [client.get(url).get_data(as_text=True) for url in ("/reports", "/reports/data.json")]
    assert cached == fresh
    page, data = cached
    assert SMALL_GROUP_MEAN not in page and SMALL_GROUP_MEAN not in data
    entries = list(app.extensions[CACHE]._entries.values())
    assert {type(e).__name__ for e in entries} == {"ProtectedLattice", "CachedReport"}
    assert all(isinstance(e, ProtectedLattice) or isinstance(e.report, SchoolReport) for e in entries)
