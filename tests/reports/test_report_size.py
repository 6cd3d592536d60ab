"""Heavy report requests: a bound on a report's cells, exports per person, large exports in the background."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from schoolpeers import create_app, jobs
from schoolpeers.extensions import db
from schoolpeers.jobs import Job
from schoolpeers.reports import export_jobs
from schoolpeers.reports.models import ExportFile
from schoolpeers.reports.report import MAX_REPORT_CELLS
from schoolpeers.timeutil import utcnow
from tests.conftest import login
from tests.factories import UserFactory
from tests.reports.test_views import csv_rows

WEEKS_BY_GRADE = "/reports{}?period=week&group=grade&date_from=2000-01-03"
TOO_LARGE = "the most is"


@pytest.fixture
def decades(programme):
    """Five students in each of grades 7 and 8 checking in in January 2000 and in March 2025: weeks by
    grade over that span are about 2 × 1,300 cells, past the bound; months by grade about 600."""
    for grade in (7, 8):
        students = programme.students(5, grade=grade)
        for day in (date(2000, 1, 5), date(2025, 3, 4)):
            programme.checkins(students, day, wellbeing=4)
    db.session.commit()
    return programme


def test_a_report_past_the_bound_is_explained_next_to_the_period(client, decades, users, login_as):
    login_as(users["counselor"])
    page = client.get(WEEKS_BY_GRADE.format(""))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and TOO_LARGE in text and f"{MAX_REPORT_CELLS:,}" in text
    assert "<table" not in text  # nothing of the report is made
    months = client.get("/reports?period=month&group=grade&date_from=2000-01-03").get_data(as_text=True)
    assert TOO_LARGE not in months and "<table" in months


def test_chart_data_and_downloads_past_the_bound_answer_with_the_reason(client, decades, users, login_as):
    login_as(users["staff"])
    data = client.get(WEEKS_BY_GRADE.format("/data.json"))
    assert data.status_code == 400 and TOO_LARGE in data.get_json()["errors"]["period"][0]
    download = client.get(WEEKS_BY_GRADE.format("/export.xlsx"), follow_redirects=True)
    assert download.mimetype == "text/html" and TOO_LARGE in download.get_data(as_text=True)


def test_the_command_line_refuses_it_too(runner, decades, tmp_path):
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--period", "week",
                                 "--from", "2000-01-03", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code != 0 and TOO_LARGE in result.output and not (tmp_path / "r.csv").exists()


@pytest.fixture
def small_inline_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_EXPORT_INLINE_CELLS", 10)


def test_a_large_export_is_made_in_the_background_for_its_maker_only(
        app, client, decades, users, login_as, small_inline_limit, school):
    login_as(users["counselor"])
    inline = client.get("/reports/export.csv?period=year&group=grade&date_from=2024-09-01")
    assert inline.mimetype == "text/csv"  # a small one still comes at once
    started = client.get("/reports/export.csv?period=month&group=grade&date_from=2000-01-03")
    assert started.status_code == 302 and "/reports/exports/" in started.location
    page = client.get(started.location).get_data(as_text=True)
    assert "Your file is ready" in page
    made = client.get(started.location + "/file")
    assert made.mimetype == "text/csv" and "attachment" in made.headers["Content-Disposition"]
    assert csv_rows(made)[0][0] == "Anonymized well-being report"
    # Nobody else opens it, not even a colleague of the same school.
    login_as(users["staff"])
    assert client.get(started.location).status_code == 404
    assert client.get(started.location + "/file").status_code == 404


def test_background_files_are_kept_for_a_day(app, runner, client, decades, users, login_as, small_inline_limit):
    login_as(users["counselor"])
    started = client.get("/reports/export.xlsx?period=month&group=grade&date_from=2000-01-03")
    db.session.execute(update(ExportFile).values(created_at=utcnow() - timedelta(days=1, minutes=1)))
    db.session.commit()
    assert b"no longer kept" in client.get(started.location).data
    assert client.get(started.location + "/file").status_code == 404
    assert "Report files made in the background over a day ago, removed: 1" in \
        runner.invoke(args=["retention", "purge"]).output
    assert db.session.scalar(select(func.count()).select_from(ExportFile)) == 0


def test_a_background_export_is_refused_when_its_maker_lost_the_role(app, decades, users):
    job = jobs.start(export_jobs.KIND, users["staff"], {"fmt": "csv", "filters": {"period": "month"}})
    users["staff"].role = "admin"
    db.session.commit()
    jobs.run(job.id)
    assert db.session.get(Job, job.id).status == "refused"


def test_downloads_are_limited_per_person(app, small_school, users, school):
    limited = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "EXPORT_LIMIT_PER_PERSON": "2 per minute"})
    counselor, colleague = users["counselor"], UserFactory(school)("staff")
    db.session.commit()
    first, second = limited.test_client(), limited.test_client()
    login(first, counselor)
    login(second, colleague)
    assert [first.get("/reports/export.csv").status_code for _ in range(3)] == [200, 200, 429]
    first.post("/logout")
    db.session.refresh(counselor)  # signing out moved its session version on
    login(first, counselor)  # signed in again: still the same person
    assert first.get("/reports/export.csv").status_code == 429
    assert second.get("/reports/export.csv").status_code == 200  # each person has their own count
    assert first.get("/reports").status_code == 200  # the page itself is not limited
