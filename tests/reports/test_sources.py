"""Reports show the students' own check-ins beside the mentors', each under the same privacy rules,
and always say which they show."""
from __future__ import annotations

from sqlalchemy import select

from schoolpeers.accounts.models import School
from schoolpeers.extensions import db
from schoolpeers.mentors.models import SelfCheckIn
from schoolpeers.reports import services
from schoolpeers.reports.loading import load_self_checkins
from tests.reports.conftest import APRIL, MARCH
from tests.reports.test_views import csv_rows, forbidden_text


def line(data, measure, group):
    series = next(m for m in data["measures"] if m["name"] == measure)
    return next(entry for entry in series["lines"] if entry["group"] == group)


def own_school(programme, small_group: bool = True):
    """Grade 7: twelve students rate themselves 2 in March and April, sleep 3 (their mentors said 4);
    with `small_group`, grade 9: two students rate themselves 1 in March (a group too small to show)."""
    seventh = programme.students(12, grade=7)
    for day in (MARCH, APRIL):
        programme.checkins(seventh, day, wellbeing=4)
        programme.own_checkins(seventh, day, wellbeing=2, sleep_energy=3)
    if small_group:
        programme.own_checkins(programme.students(2, grade=9), MARCH, wellbeing=1)
    db.session.commit()
    return programme


def test_the_students_own_ratings_are_a_source_of_their_own(client, programme, users, login_as):
    own_school(programme)
    login_as(users["counselor"])
    mentors = client.get("/reports/data.json").get_json()
    students = client.get("/reports/data.json?source=students").get_json()
    assert line(mentors, "wellbeing_mean", "grade 7")["display"] == ["4.0", "4.0"]
    # In March grade 9's two students are hidden, and grade 7 with them (else the whole school gives them away).
    assert line(students, "wellbeing_mean", "grade 9")["status"][0] == "hidden"
    assert line(students, "wellbeing_mean", "grade 7")["status"][0] == "hidden"
    assert line(students, "wellbeing_mean", "grade 7")["display"][1] == "2.0"
    assert "grade 9" not in {entry["group"] for entry in mentors["measures"][0]["lines"]}  # no mentor check-ins


def test_the_students_own_domains_are_reported_too(client, programme, users, login_as):
    own_school(programme, small_group=False)
    login_as(users["counselor"])
    students = client.get("/reports/data.json?source=students").get_json()
    assert line(students, "sleep_energy_mean", "grade 7")["display"] == ["3.0", "3.0"]
    assert line(students, "wellbeing_mean", "grade 7")["display"] == ["2.0", "2.0"]


def test_the_page_and_the_files_say_which_check_ins_they_show(client, programme, users, login_as):
    own_school(programme)
    login_as(users["staff"])
    page = client.get("/reports?source=students").get_data(as_text=True)
    assert "Students&#39; own check-ins</strong>" in page or "Students' own check-ins</strong>" in page
    assert "how students say they feel" in page and "how mentors saw" not in page
    header = csv_rows(client.get("/reports/export.csv?source=students&period=month"))[0]
    assert "checkins: Students' own check-ins" in header
    assert "checkins: Mentors' check-ins" in csv_rows(client.get("/reports/export.csv?period=month"))[0]
    own_ids = [str(i) for i in db.session.scalars(select(SelfCheckIn.mentee_id))]
    for text in [*forbidden_text(programme.school), *own_ids]:
        assert text not in page, text


def test_an_unknown_source_is_refused_next_to_the_field(client, users, login_as):
    login_as(users["counselor"])
    response = client.get("/reports/data.json?source=diaries")
    assert response.status_code == 400 and "source" in response.get_json()["errors"]


def test_under_differential_privacy_only_the_mentors_check_ins_are_released(client, school, users, login_as):
    school.report_protection = "differential_privacy"
    db.session.commit()
    login_as(users["counselor"])
    response = client.get("/reports/data.json?source=students")
    assert response.status_code == 400 and "cell keys only" in response.get_json()["errors"]["source"][0]


def test_a_new_own_check_in_is_seen_at_once(client, programme, users, login_as):
    own_school(programme)
    login_as(users["counselor"])
    before = client.get("/reports/data.json?source=students&group=school").get_json()
    programme.own_checkins(programme.students(6, grade=8), APRIL, wellbeing=5)
    db.session.commit()
    after = client.get("/reports/data.json?source=students&group=school").get_json()
    assert line(after, "wellbeing_mean", "whole school")["display"] != line(before, "wellbeing_mean",
                                                                           "whole school")["display"]


def test_loading_own_check_ins_reads_the_school_and_grades_asked(programme, other_school):
    own_school(programme)
    school = programme.school
    frame = load_self_checkins(school, frozenset({7}), MARCH, MARCH)
    assert len(frame) == 12 and set(frame["wellbeing"]) == {2} and frame["topics"].isna().all()
    assert len(load_self_checkins(db.session.get(School, other_school.id), frozenset(range(1, 13)), None, None)) == 0


def test_the_command_line_exports_either_source(app, programme, tmp_path):
    own_school(programme)
    out = tmp_path / "own.csv"
    result = app.test_cli_runner().invoke(args=[
        "reports", "export", "--school", programme.school.slug, "--checkins", "students", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "checkins: Students' own check-ins" in out.read_text(encoding="utf-8-sig")
    months = services.protected_lattice(programme.school, b"k" * 32, "students").levels["month"].periods
    assert [slot.label for slot in months] == ["2025-03", "2025-04"]
