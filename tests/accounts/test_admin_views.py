from pathlib import Path

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import RosterUpload, User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import roster_upload_id, upload_roster

DATA = Path(__file__).parent.parent / "data"

# Every admin page, with a method. `{user}` is a user of the admin's school.
ADMIN_PAGES = [
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{user}"),
    ("POST", "/admin/users/{user}/role"),
    ("POST", "/admin/users/{user}/active"),
    ("POST", "/admin/users/{user}/setup-link"),
    ("GET", "/admin/settings"),
    ("POST", "/admin/settings"),
    ("GET", "/admin/roster"),
    ("POST", "/admin/roster"),
    ("POST", "/admin/roster/apply"),
]


def call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "student", "counselor", "staff", "admin", "outsider"])
def test_admin_pages_are_for_this_schools_admins_only(client, users, outsider, login_as, method, url, role):
    target = url.format(user=users["student"].id)
    if role == "outsider":
        login_as(outsider)
    elif role != "anonymous":
        login_as(users[role])
    response = call(client, method, target)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("student", "counselor", "staff"):
        assert response.status_code == 403
    elif role == "outsider" and "{user}" in url:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302)


def test_user_list_searches_filters_and_paginates(client, users, make_user, login_as, app):
    for n in range(30):
        make_user("student", family_name=f"Zeta{n:02d}")
    db.session.commit()
    login_as(users["admin"])
    first = client.get("/admin/users?q=zeta")
    assert b"30 users" in first.data and b"Page 1 of 2" in first.data
    second = client.get("/admin/users?q=zeta&page=2")
    assert b"Zeta29" in second.data and b"Zeta00" not in second.data
    staff_only = client.get("/admin/users?role=staff")
    assert b"1 user<" in staff_only.data
    nothing = client.get("/admin/users?q=nobody-like-this")
    assert b"No users match" in nothing.data
    assert client.get("/admin/users?page=999").status_code == 200


def test_create_user_and_errors_next_to_fields(client, users, login_as):
    login_as(users["admin"])
    bad = client.post("/admin/users/new", data={"given_name": "", "family_name": "Lovelace",
                                                "role": "student", "email": "not-an-email"})
    assert bad.status_code == 200
    assert b'id="given_name-error"' in bad.data and b'id="email-error"' in bad.data
    no_grade = client.post("/admin/users/new", data={"given_name": "Ada", "family_name": "Lovelace",
                                                     "role": "student"})
    assert b"Students need a grade" in no_grade.data
    out_of_range = client.post("/admin/users/new", data={"given_name": "Ada", "family_name": "Lovelace",
                                                         "role": "student", "grade": "13"})
    assert b"grades 6" in out_of_range.data
    ok = client.post("/admin/users/new", data={"given_name": "Ada", "family_name": "Lovelace",
                                               "role": "student", "grade": "7"})
    assert ok.status_code == 302
    ada = db.session.scalar(select(User).where(User.username == "ada.lovelace"))
    assert ada.grade == 7 and ada.school_id == users["admin"].school_id
    taken = client.post("/admin/users/new", data={"given_name": "X", "family_name": "Y",
                                                  "role": "staff", "username": "ada.lovelace"})
    assert b"already taken" in taken.data


def test_change_role_deactivate_and_setup_link(client, users, login_as):
    admin, student = users["admin"], users["student"]
    login_as(admin)
    client.post(f"/admin/users/{student.id}/role", data={"role": "staff"})
    client.post(f"/admin/users/{student.id}/active", data={"active": "0"})
    db.session.refresh(student)
    assert student.role == "staff" and not student.active
    refused = client.post(f"/admin/users/{student.id}/setup-link", follow_redirects=True)
    assert b"Reactivate the account" in refused.data
    client.post(f"/admin/users/{student.id}/active", data={"active": "1"})
    page = client.post(f"/admin/users/{student.id}/setup-link")
    assert b"/setup/" in page.data
    own = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True)
    assert b"cannot deactivate your own account" in own.data
    bad_role = client.post(f"/admin/users/{student.id}/role", data={"role": "superuser"}, follow_redirects=True)
    assert b"Choose one of the listed roles" in bad_role.data
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.role_change", "user.deactivate", "user.activate", "user.setup_link"]


def settings_data(**overrides):
    data = {"name": "Test School", "timezone": "Europe/London", "grade_min": 6, "grade_max": 12,
            "weight_grade": 30, "weight_interests": 30, "weight_topics": 25, "weight_language": 5,
            "weight_availability": 10, "min_group_size": 5, "checkin_cadence_days": 14,
            "ack_deadline_minutes": 60, "retention_days": 365, "crisis_contact": "Room 12",
            "designated_lead_id": 0}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("field", "value", "message"), [
    ("min_group_size", 4, b"never show groups of fewer than 5"),
    ("timezone", "Mars/Olympus", b"Unknown timezone"),
    ("grade_max", 5, b"must not be below the lowest"),
    ("checkin_cadence_days", "soon", b"Not a valid integer"),
    ("dp_epsilon_per_year", "", b"Choose an \xce\xb5 from 0.1 to 10"),
    ("dp_epsilon_per_year", "nan", b"Choose an \xce\xb5 from 0.1 to 10"),
    ("report_protection", "none", b"Not a valid choice"),
])
def test_school_settings_refuse_bad_values(client, users, login_as, school, field, value, message):
    login_as(users["admin"])
    response = client.post("/admin/settings", data=settings_data(**{field: value}))
    assert response.status_code == 200 and message in response.data
    db.session.refresh(school)
    assert school.min_group_size == 5 and school.timezone == "UTC"


def test_school_settings_save(client, users, login_as, school):
    login_as(users["admin"])
    response = client.post("/admin/settings", data=settings_data(checkin_cadence_days=7))
    assert response.status_code == 302
    db.session.refresh(school)
    assert school.checkin_cadence_days == 7 and school.crisis_contact == "Room 12"
    assert school.designated_lead_id is None
    client.post("/admin/settings", data=settings_data(designated_lead_id=users["counselor"].id))
    db.session.refresh(school)
    assert school.designated_lead_id == users["counselor"].id
    assert school.report_protection == "cell_key" and school.dp_epsilon_per_year == 1.0  # not sent: kept
    client.post("/admin/settings", data=settings_data(report_protection="differential_privacy",
                                                      dp_epsilon_per_year="2.5"))
    db.session.refresh(school)
    assert school.report_protection == "differential_privacy" and school.dp_epsilon_per_year == 2.5


def test_the_last_day_of_teaching_is_set_on_the_settings_page_and_kept(client, users, login_as, school):
    login_as(users["admin"])
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Last day of teaching of the school year: day" in page and 'name="teaching_ends_day"' in page
    assert 'value="15"' in page and '<option selected value="7">July</option>' in page
    assert "not in the holidays after it" in page
    assert client.post("/admin/settings", data=settings_data(teaching_ends_day=24,
                                                             teaching_ends_month=6)).status_code == 302
    db.session.refresh(school)
    assert (school.teaching_ends_month, school.teaching_ends_day) == (6, 24)
    assert client.post("/admin/settings", data=settings_data()).status_code == 302  # left out: kept
    db.session.refresh(school)
    assert (school.teaching_ends_month, school.teaching_ends_day) == (6, 24)


@pytest.mark.parametrize(("day", "month", "message"), [
    (31, 6, "June has no day 31"),
    (30, 2, "February has no day 30"),
    (29, 2, "29 February is not in every year"),
    (0, 7, "Choose a day from 1 to 31."),
    ("", 7, "Not a valid integer value."),
])
def test_the_last_day_of_teaching_must_be_a_day_of_every_year(client, users, login_as, school, day, month,
                                                              message):
    login_as(users["admin"])
    response = client.post("/admin/settings", data=settings_data(teaching_ends_day=day, teaching_ends_month=month))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and 'id="teaching_ends_day-error"' in page
    db.session.refresh(school)
    assert (school.teaching_ends_month, school.teaching_ends_day) == (7, 15)


def test_designated_lead_must_be_an_adult_of_this_school(client, users, login_as, school, outsider):
    login_as(users["admin"])
    for bad in (users["student"].id, outsider.id):
        page = client.post("/admin/settings", data=settings_data(designated_lead_id=bad))
        assert page.status_code == 200 and b"Not a valid choice" in page.data
    db.session.refresh(school)
    assert school.designated_lead_id is None


def test_the_schools_oneroster_org_id_is_set_once_per_installation(client, users, login_as, school,
                                                                     other_school):
    other_school.roster_org_id = "org-south"
    db.session.commit()
    login_as(users["admin"])
    taken = client.post("/admin/settings", data=settings_data(roster_org_id="org-south"))
    assert taken.status_code == 200 and b"Another school here has this org id" in taken.data
    client.post("/admin/settings", data=settings_data(roster_org_id=" org-north "))
    db.session.refresh(school)
    assert school.roster_org_id == "org-north"
    client.post("/admin/settings", data=settings_data())  # a form without the field keeps it
    db.session.refresh(school)
    assert school.roster_org_id == "org-north"
    client.post("/admin/settings", data=settings_data(roster_org_id=""))
    db.session.refresh(school)
    assert school.roster_org_id is None


def count_users():
    return db.session.scalar(select(func.count()).select_from(User))


def test_roster_upload_shows_bad_rows_and_writes_nothing(client, users, login_as):
    login_as(users["admin"])
    before = count_users()
    bad = (b"id,given_name,family_name,grade,email,role\n"
           b"A1,Ada,Lovelace,7,ada@x.org,student\nA2,,Byron,15,nope,student\n")
    page = upload_roster(client, bad)
    assert page.status_code == 200
    assert b"1 row to fix" in page.data and b"missing given name" in page.data
    assert 'name="upload"' not in page.get_data(as_text=True)  # nothing kept: there is nothing to import
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0
    apply = client.post("/admin/roster/apply", data={"upload": "made-up"}, follow_redirects=True)
    assert b"Upload the file again" in apply.data
    assert count_users() == before


def test_roster_upload_preview_then_apply(client, users, login_as):
    login_as(users["admin"])
    content = (DATA / "oneroster_users.csv").read_bytes()
    preview = upload_roster(client, content)
    assert b"OneRoster 1.1" in preview.data and b"341</span> to create" in preview.data
    assert b"15 guardians kept for family contact" in preview.data and b'name="content"' not in preview.data
    before = count_users()
    done = client.post("/admin/roster/apply", data={"upload": roster_upload_id(preview)}, follow_redirects=True)
    assert b"Roster imported: 341 created" in done.data and b"15 guardians kept" in done.data
    assert count_users() == before + 341
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0  # deleted once imported
    again = upload_roster(client, content)
    assert b"nothing to import" in again.data
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert event.detail["created"] == 341 and event.actor_id == users["admin"].id


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "users.csv", b"The file is empty"),
    (b"\x00\xff\xfe\x00garbage", "users.csv", b"header row is missing"),
    (b"name,age\nAda,12\n", "users.csv", b"header row is missing"),
    (b"id\n1\n", "users.xlsx", b"Upload a .csv file"),
])
def test_roster_upload_refuses_unreadable_files(client, users, login_as, content, name, message):
    login_as(users["admin"])
    response = upload_roster(client, content, name)
    assert response.status_code == 200 and message in response.data


def test_roster_upload_too_large_is_a_friendly_413(client, users, login_as, app):
    login_as(users["admin"])
    response = upload_roster(client, b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413 and b"too large" in response.data
