"""The circles report through the real models and pages: a year of circles of 7, 6 and 3 students
and an open session; the small circle is never visible alone, the CSV is the page, an ended year is
published once and never changes, and no name leaves the report."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from schoolpeers.accounts.topics import list_topics
from schoolpeers.audit import AuditEvent
from schoolpeers.circles import report
from schoolpeers.circles.models import (
    Circle,
    CircleReportRelease,
    FeedbackCount,
    GroupSession,
    MoodCount,
    SessionAttendance,
)
from schoolpeers.circles.report_rules import ALL_SESSIONS, OPEN_SESSIONS, band_labels
from schoolpeers.circles.report_views import csv_rows
from schoolpeers.extensions import db
from schoolpeers.reports.lattice import grade_bands
from schoolpeers.reports.privacy import HIDDEN, CellStatus
from schoolpeers.reports.trends import DEFAULT_TERMS
from schoolpeers.timeutil import in_zone, utcnow
from tests.circles.test_report_rules import (
    assert_nothing_small_can_be_worked_out,
    bounds_a_reader_can_work_out,
    groups_of,
)
from tests.factories import UserFactory

SECRET = b"circles report secret"


def last_school_year(school):
    """The school year before this one: it has ended at the school."""
    this_year = DEFAULT_TERMS.year_containing(in_zone(utcnow(), school.timezone).date())
    return DEFAULT_TERMS.year_containing(this_year.start - timedelta(days=1))


def topic_id(school, name):
    return next(t.id for t in list_topics(school) if t.name == name)


def held(school, circle_id, day, students, *, absent=(), moods=(), feedback=(), grades=None):
    """A held session of a circle (or, with `circle_id` None, an open session for `grades`) on `day`."""
    session = GroupSession(school_id=school.id, circle_id=circle_id, title="Session", status="held",
                           starts_at=datetime.combine(day, time(12), timezone.utc), minutes=45, how_it_went="well",
                           **({"grade_min": grades[0], "grade_max": grades[1], "capacity": 40} if grades else {}))
    db.session.add(session)
    db.session.flush()
    db.session.add_all([SessionAttendance(school_id=school.id, session_id=session.id, student_id=s.id,
                                          present=s not in absent) for s in students])
    db.session.add_all([MoodCount(school_id=school.id, session_id=session.id, mood=mood, taps=taps)
                        for mood, taps in moods])
    db.session.add_all([FeedbackCount(school_id=school.id, session_id=session.id, answer=answer, answers=many)
                        for answer, many in feedback if many])
    db.session.flush()
    return session


def circle_of(school, counselor, make_user, topic, size, grade, days, **session):
    """A circle of `size` students of `grade` on `topic`, held on each of `days`."""
    students = [make_user("student", grade=grade, given_name="Zebulon") for _ in range(size)]
    circle = Circle(school_id=school.id, name=f"{topic} {grade} {size}", topic_id=topic_id(school, topic),
                    grade_min=grade, grade_max=grade, capacity=10, counselor_id=counselor.id)
    db.session.add(circle)
    db.session.flush()
    for day in days:
        held(school, circle.id, day, students, **session)
    return circle, students


@pytest.fixture
def year_of_circles(school, users, make_user):
    """In the last school year: exam stress, a circle of 7 (grade 7); settling in, a circle of 6
    (grade 8); friendships, a circle of 3 (grade 9); and an open session for everyone that the seven
    came to. Each circle met three times in June."""
    year = last_school_year(school)
    days = [date(year.end.year, 6, d) for d in (2, 9, 16)]
    counselor = users["counselor"]
    exam, seven = circle_of(school, counselor, make_user, "exam stress", 7, 7, days, moods=[(4, 5), (5, 2)],
                            feedback=[("helped", 5), ("not_sure", 2)])
    circle_of(school, counselor, make_user, "settling into a new school", 6, 8, days, moods=[(3, 6)],
              feedback=[("helped", 6)])
    small, three = circle_of(school, counselor, make_user, "friendships", 3, 9, days, moods=[(1, 3)],
                             feedback=[("didnt_help", 3)])
    held(school, None, days[1], seven, grades=(6, 12), feedback=[("helped", 7)])
    db.session.commit()
    return {"year": year, "small": small, "three": three, "seven": seven}


def releases():
    return list(db.session.scalars(select(CircleReportRelease)))


def page_rows(page: str) -> list[list[str]]:
    """Every row of the page's tables: its label, then its cells, as shown."""
    found = []
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page, flags=re.S):
        label, _, cells = row.partition("</th>")
        found.append([html.unescape(label), *(html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells))])
    return found


def test_the_small_circle_is_never_visible_alone(school, year_of_circles):
    year = year_of_circles["year"]
    made = report.circles_report(school, year, SECRET)
    topics = {row.label: row for row in made.tables.by_topic}
    assert topics["Friendships"].students == HIDDEN  # the circle of three
    assert topics["Exam stress"].status == CellStatus.SHOWN and topics[ALL_SESSIONS].status == CellStatus.SHOWN
    assert {row.label: row for row in made.tables.by_band}["Grades 9–10"].students == HIDDEN
    assert {row.label: row for row in made.tables.feelings_by_band}["Grades 9–10"].mood == HIDDEN
    # Nor can the total less the rows shown give it, by students, their parts or their answers.
    sessions = report.held_sessions(school, year, SECRET)
    topics, bands = [row.label for row in made.tables.by_topic[1:]], band_labels(grade_bands(school.grade_min,
                                                                                            school.grade_max))
    assert_nothing_small_can_be_worked_out(made.tables, groups_of(sessions, topics, bands), school.min_group_size)
    assert bounds_a_reader_can_work_out(sessions, made.tables, topics, bands, school.min_group_size) == []


def test_the_year_is_read_from_the_schools_held_sessions_only(school, other_school, users, year_of_circles):
    year = year_of_circles["year"]
    theirs = UserFactory(other_school)
    circle_of(other_school, theirs("counselor"), theirs, "exam stress", 5, 7, [year.end - timedelta(days=5)])
    db.session.add(GroupSession(school_id=school.id, circle_id=year_of_circles["small"].id, title="Planned",
                                starts_at=datetime.combine(year.end - timedelta(days=5), time(12), timezone.utc)))
    db.session.commit()
    sessions = report.held_sessions(school, year, SECRET)
    assert len(sessions) == 10  # nine circle sessions and the open one; not the one planned, nor theirs
    assert [s.topic for s in sessions].count(OPEN_SESSIONS) == 1
    assert {s.band for s in sessions if s.circle is not None} == {"Grades 6–8", "Grades 9–10"}
    assert sum(len(s.attendees) for s in sessions) == 3 * (7 + 6 + 3) + 7
    [theirs_held] = report.held_sessions(other_school, year, SECRET)
    assert len(theirs_held.attendees) == 5


def test_the_page_and_the_csv_show_the_same_figures(client, login_as, users, year_of_circles):
    login_as(users["staff"])
    page = client.get("/reports/circles").get_data(as_text=True)
    assert f"Circles, school year {year_of_circles['year'].label}" in page
    assert "Fewer than 5 students: not shown, so nobody can be recognised" in page
    response = client.get("/reports/circles.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # the BOM: Excel reads ≥ and – right
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    figures = [line[1:] for line in lines if len(line) > 2 and line[0] != "table"]
    assert figures == page_rows(page)
    assert [line[1] for line in lines[1:6]] == [ALL_SESSIONS, "Exam stress", "Friendships",
                                                "Settling into a new school", OPEN_SESSIONS]
    [release] = releases()
    assert csv_rows(report.released_report(release, year_of_circles["year"]))[1][1] == ALL_SESSIONS
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "circles_report.export")) is not None


def test_no_name_leaves_the_report(client, login_as, users, year_of_circles):
    login_as(users["counselor"])
    page = client.get("/reports/circles").get_data(as_text=True)
    text = client.get("/reports/circles.csv").get_data(as_text=True)
    for student in (*year_of_circles["seven"], *year_of_circles["three"]):
        for shown in (page, text):
            assert student.given_name not in shown and student.username not in shown


def test_an_ended_year_is_published_once_and_never_changes(client, login_as, users, school, make_user,
                                                            year_of_circles):
    login_as(users["staff"])
    page = client.get("/reports/circles").get_data(as_text=True)
    text = client.get("/reports/circles.csv").get_data(as_text=True)
    [release] = releases()
    year = year_of_circles["year"]
    assert (release.school_id, release.year_start, release.year_end, release.k) == (
        school.id, year.start, year.end, school.min_group_size)
    # A session logged late, and a member's attendance erased: a live report would move.
    held(school, year_of_circles["small"].id, year.end - timedelta(days=3), year_of_circles["three"],
         moods=[(5, 3)])
    db.session.delete(db.session.scalar(select(SessionAttendance).where(
        SessionAttendance.student_id == year_of_circles["seven"][0].id).limit(1)))
    db.session.commit()
    live = report.circles_report(school, year, SECRET).tables
    assert live.by_topic[0].sessions != {r["label"]: r for r in release.content["tables"]["by_topic"]}[
        ALL_SESSIONS]["sessions"]
    assert client.get("/reports/circles").get_data(as_text=True) == page
    assert client.get("/reports/circles.csv").get_data(as_text=True) == text
    assert len(releases()) == 1


def test_the_current_year_is_not_published(client, login_as, users, school, make_user):
    circle_of(school, users["counselor"], make_user, "exam stress", 8, 7, [utcnow().date() - timedelta(days=1)])
    db.session.commit()
    login_as(users["staff"])
    page = client.get("/reports/circles").get_data(as_text=True)
    assert "has not ended yet" in page and "Download CSV" not in page and "Exam stress" not in page
    assert client.get("/reports/circles.csv").status_code == 302
    assert releases() == []


def test_a_school_under_differential_privacy_publishes_no_circles_report(client, login_as, users, school,
                                                                         year_of_circles):
    school.report_protection = "differential_privacy"
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/reports/circles").get_data(as_text=True)
    assert "differential privacy" in page and "Download CSV" not in page
    assert client.get("/reports/circles.csv").status_code == 302
    assert releases() == []


def test_an_unknown_year_falls_back_to_the_last_ended_one(client, login_as, users, year_of_circles):
    login_as(users["staff"])
    page = client.get("/reports/circles?year=1999-00%3Cscript%3E").get_data(as_text=True)
    assert f"Circles, school year {year_of_circles['year'].label}" in page and "<script>" not in page


def test_the_reports_page_links_to_the_circles_report(client, login_as, users):
    page = login_as(users["staff"]).get("/reports").get_data(as_text=True)
    assert 'href="/reports/circles"' in page


def test_a_topic_reads_as_a_row_and_is_never_the_open_sessions_row():
    assert report.topic_label("exam stress") == "Exam stress"
    assert report.topic_label("open sessions") == "Open sessions (circles)"
