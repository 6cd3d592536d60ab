import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete, select, text, update

from schoolpeers.audit import AuditEvent, AuditTrailImmutable, record_event
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

PAGES = ["/admin/audit", "/admin/audit.csv"]


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, second, tzinfo=timezone.utc)


def event(action, *, school, actor=None, when=None, **values) -> AuditEvent:
    made = record_event(action, school_id=school.id, actor_id=actor.id if actor else None, **values)
    made.at = when or utcnow()  # still pending: setting it is part of the insert
    return made


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["anonymous", "student", "counselor", "staff", "admin", "outsider"])
def test_audit_pages_are_for_admins_only(client, users, outsider, login_as, url, role):
    if role == "outsider":
        login_as(outsider)
    elif role != "anonymous":
        login_as(users[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("student", "counselor", "staff"):
        assert response.status_code == 403
    else:
        assert response.status_code == 200


def test_lists_this_schools_events_newest_first(client, users, login_as, school):
    admin, student = users["admin"], users["student"]
    event("user.role_change", school=school, actor=admin, when=at(1, 9, 15, 7), record_type="user",
          record_id=student.id, ip="10.0.0.7", detail={"from": "student", "to": "counselor"})
    event("login.failure", school=school, when=at(2), detail={"username": "nobody", "tries": [1, 2]})
    db.session.commit()
    body = login_as(admin).get("/admin/audit").get_data(as_text=True)
    assert "2 events" in body
    assert body.index("login.failure") < body.index("user.role_change")
    assert "2024-03-01 09:15:07" in body
    assert f"{admin.display_name} <span class=\"hint\">({admin.username})</span>" in body
    assert "anonymous" in body
    assert f"user #{student.id}" in body and "10.0.0.7" in body
    assert "from=student to=counselor" in body and "username=nobody tries=[1,2]" in body


def test_an_admin_of_another_school_sees_none_of_its_events(client, users, outsider, login_as, school):
    event("school.settings", school=school, actor=users["admin"], record_type="school", record_id=school.id,
          ip="10.9.9.9")
    db.session.commit()
    login_as(outsider)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "school.settings" not in page and "10.9.9.9" not in page
    assert "Nothing has been recorded for your school yet" in page
    exported = csv_rows(client.get("/admin/audit.csv"))
    assert [row["action"] for row in exported] == ["audit.export"]  # only its own export


def test_filters_by_action_actor_and_record_type(client, users, login_as, school, make_user):
    admin, counselor = users["admin"], users["counselor"]
    event("user.create", school=school, actor=admin, record_type="user", record_id=1)
    event("mentor.certify", school=school, actor=counselor, record_type="mentor_profile", record_id=2)
    event("mentor.decide", school=school, actor=counselor, record_type="mentor_profile", record_id=3)
    db.session.commit()
    login_as(admin)
    by_action = client.get("/admin/audit?action=mentor.certify").get_data(as_text=True)
    assert "1 event," in by_action and "mentor_profile #2" in by_action
    assert '<option value="user.create">' in by_action  # the select lists the actions present
    by_actor = client.get(f"/admin/audit?actor={counselor.username.upper()}").get_data(as_text=True)
    assert "2 events" in by_actor and "user.create</td>" not in by_actor
    by_type = client.get("/admin/audit?record_type=user").get_data(as_text=True)
    assert "1 event," in by_type and "user #1" in by_type
    nothing = client.get("/admin/audit?actor=nobody-like-this").get_data(as_text=True)
    assert "No events match these filters" in nothing


def test_date_range_is_inclusive_in_utc(client, users, login_as, school):
    for name, when in [("before", at(9, 23, 59, 59)), ("first", at(10, 0, 0, 0)),
                       ("last", at(12, 23, 59, 59)), ("after", at(13, 0, 0, 0))]:
        event(f"test.{name}", school=school, when=when)
    db.session.commit()
    login_as(users["admin"])
    body = client.get("/admin/audit?from=2024-03-10&to=2024-03-12").get_data(as_text=True)
    assert "test.first</td>" in body and "test.last</td>" in body
    assert "test.before</td>" not in body and "test.after</td>" not in body
    only_from = client.get("/admin/audit?from=2024-03-13").get_data(as_text=True)
    assert "1 event," in only_from and "test.after</td>" in only_from


@pytest.mark.parametrize(("query", "field"), [
    ("from=yesterday", "from"), ("to=2024-13-45", "to"), ("from=2024-03-12&to=2024-03-10", "to"),
    ("from=0001-01-01&to=9999-12-31", None), ("from=" + "9" * 500, "from"),
])
def test_bad_dates_are_explained_and_ignored(client, users, login_as, school, query, field):
    event("test.kept", school=school, when=at(20))  # after every start date below
    db.session.commit()
    login_as(users["admin"])
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "test.kept</td>" in body  # a bad date filters nothing out
    if field:
        assert f'id="{field}-error"' in body
    assert client.get(f"/admin/audit.csv?{query}").status_code == 200


def test_paginates_fifty_a_page(client, users, login_as, school):
    for n in range(120):
        event(f"test.n{n:03d}", school=school, when=at(1, 0, n // 60, n % 60))
    db.session.commit()
    login_as(users["admin"])
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "120 events" in first and "Page 1 of 3" in first
    assert "test.n119</td>" in first and "test.n070</td>" in first and "test.n069</td>" not in first
    last = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert last.count("<tr>") == 21 and "test.n000</td>" in last  # a header row and 20 events
    beyond = client.get("/admin/audit?page=999")
    assert beyond.status_code == 200 and b"only 3 pages" in beyond.data
    for page in ("abc", "-5", "9" * 40):
        assert client.get(f"/admin/audit?page={page}").status_code == 200
    filtered = client.get("/admin/audit?action=test.n001&page=1").get_data(as_text=True)
    assert "1 event," in filtered


def test_pager_links_keep_the_filters(client, users, login_as, school):
    for _ in range(60):
        event("test.many", school=school, when=at(5))
    db.session.commit()
    body = login_as(users["admin"]).get("/admin/audit?action=test.many&from=2024-03-05").get_data(as_text=True)
    assert "page=2" in body and "action=test.many" in body and "from=2024-03-05" in body


def test_empty_log_says_what_to_do(client, users, login_as):
    body = login_as(users["admin"]).get("/admin/audit").get_data(as_text=True)
    assert "Nothing has been recorded for your school yet" in body
    assert "Download CSV" not in body


def test_csv_export_has_every_matching_row(client, users, login_as, school):
    admin, student = users["admin"], users["student"]
    event("user.activate", school=school, actor=admin, when=at(1, 8, 0, 1), record_type="user",
          record_id=student.id, ip="10.0.0.1", detail={"why": "back", "n": 2})
    for n in range(60):  # more than a page: the export is not paginated
        event("login.success", school=school, actor=student, when=at(2, 8, n // 60, n % 60))
    db.session.commit()
    response = login_as(admin).get("/admin/audit.csv?from=2024-03-01&to=2024-03-31")
    today = utcnow().strftime("%Y%m%d")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="audit-test-school-{today}.csv"'
    rows = csv_rows(response)
    assert list(rows[0]) == ["at_utc", "actor_username", "action", "record_type", "record_id", "ip", "detail"]
    assert len(rows) == 61 and rows[0]["action"] == "login.success"  # newest first
    assert rows[-1] == {"at_utc": "2024-03-01T08:00:01Z", "actor_username": admin.username,
                        "action": "user.activate", "record_type": "user", "record_id": str(student.id),
                        "ip": "10.0.0.1", "detail": '{"why":"back","n":2}'}
    only = csv_rows(client.get("/admin/audit.csv?action=user.activate"))
    assert [row["action"] for row in only] == ["user.activate"]


def test_csv_export_defuses_spreadsheet_formulas(client, users, login_as, school):
    event("=HYPERLINK(\"http://evil\")", school=school, record_type="+cmd", ip="-1+1", when=at(1),
          detail={"note": "=1+1"})
    event("@SUM(A1)", school=school, when=at(2))
    db.session.commit()
    rows = csv_rows(login_as(users["admin"]).get("/admin/audit.csv?from=2024-03-01&to=2024-03-02"))
    assert [row["action"] for row in rows] == ["'@SUM(A1)", "'=HYPERLINK(\"http://evil\")"]
    assert rows[1]["record_type"] == "'+cmd" and rows[1]["ip"] == "'-1+1"
    assert rows[1]["detail"] == '{"note":"=1+1"}'  # JSON starts with a brace: nothing to defuse
    assert rows[0]["actor_username"] == "" and rows[0]["record_id"] == ""


def test_csv_export_is_itself_audited(client, users, login_as, school):
    admin = users["admin"]
    login_as(admin).get("/admin/audit.csv?action=user.create&actor=Someone")
    recorded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")).all()
    assert len(recorded) == 1
    assert (recorded[0].school_id, recorded[0].actor_id) == (school.id, admin.id)
    assert recorded[0].detail == {"filters": {"action": "user.create", "actor": "Someone"}}
    assert "audit.export" in client.get("/admin/audit").get_data(as_text=True)


def stored(event_id: int):
    """The row as the database has it, past the session's identity map."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT action, ip FROM audit_events WHERE id = :id"), {"id": event_id}).one()


@pytest.fixture
def kept(school):
    made = event("user.create", school=school, ip="10.0.0.1")
    db.session.commit()
    return made


def test_an_audit_event_cannot_be_changed(kept):
    kept.action = "user.nothing"
    with pytest.raises(AuditTrailImmutable):
        db.session.commit()
    db.session.rollback()
    assert tuple(stored(kept.id)) == ("user.create", "10.0.0.1")
    assert db.session.get(AuditEvent, kept.id).action == "user.create"


def test_an_audit_event_cannot_be_deleted(kept):
    db.session.delete(kept)
    with pytest.raises(AuditTrailImmutable):
        db.session.flush()
    db.session.rollback()
    assert tuple(stored(kept.id)) == ("user.create", "10.0.0.1")


@pytest.mark.parametrize("statement", [
    update(AuditEvent).values(ip="0.0.0.0"),
    delete(AuditEvent).where(AuditEvent.action == "user.create"),
])
def test_bulk_statements_on_audit_events_are_refused(kept, statement):
    with pytest.raises(AuditTrailImmutable):
        db.session.execute(statement)
    db.session.rollback()
    assert tuple(stored(kept.id)) == ("user.create", "10.0.0.1")


def test_setting_an_unchanged_value_and_adding_events_still_work(kept, school):
    kept.ip = kept.ip  # loaded, then marked dirty with nothing to write
    event("user.create", school=school)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == 2


def test_dates_and_times_are_the_schools(client, users, login_as, school):
    """The range is of days at the school, and each event shows the school's clock time."""
    school.timezone = "America/New_York"
    event("test.late_evening", school=school, when=datetime(2024, 1, 15, 4, 30, tzinfo=timezone.utc))
    db.session.commit()
    login_as(users["admin"])
    that_day = client.get("/admin/audit?from=2024-01-14&to=2024-01-14").get_data(as_text=True)
    assert "test.late_evening</td>" in that_day and "2024-01-14 23:30:00" in that_day
    assert "America/New_York" in that_day
    next_day = client.get("/admin/audit?from=2024-01-15").get_data(as_text=True)
    assert "test.late_evening</td>" not in next_day


def test_the_first_day_of_the_calendar_east_of_greenwich_is_no_error(client, users, login_as, school):
    school.timezone = "Asia/Tokyo"  # its midnight on 1 January of year 1 is before any UTC date
    db.session.commit()
    login_as(users["admin"])
    assert client.get("/admin/audit?from=0001-01-01").status_code == 200
