"""Setup links in bulk: letters with QR codes or a CSV for a mail merge, for one grade's students who
have not set up their account; each link works, earlier links stop, and the batch is audited."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import PASSWORD, UserFactory


def waiting_students(school, count=3, grade=10):
    make = UserFactory(school)
    students = [make("student", grade=grade, password=None, given_name=f"Kid{i}") for i in range(count)]
    db.session.commit()
    return students


def test_letters_for_a_grade_carry_a_working_link_and_a_qr_code(client, school, users, login_as):
    students = waiting_students(school)
    set_up = UserFactory(school)("student", grade=10, password=PASSWORD)  # set up already: no letter
    db.session.commit()
    login_as(users["admin"])
    form = client.get("/admin/setup-letters").get_data(as_text=True)
    assert "Students waiting to set up" in form
    page = client.post("/admin/setup-letters", data={"grade": "10", "output": "letters"}).get_data(as_text=True)
    assert page.count('class="card setup-letter"') == 3 and page.count("<svg") >= 3
    assert set_up.username not in page and all(s.username in page for s in students)
    links = re.findall(r"<code>(http[^<]+/setup/[^<]+)</code>", page)
    client.get("/logout")
    assert client.get(links[0]).status_code == 200  # the link opens the setup page
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.setup_links")).all()
    assert event.detail == {"grade": 10, "count": 3, "output": "letters"}


def test_a_csv_for_a_mail_merge_and_new_links_replace_the_old(client, school, users, login_as):
    students = waiting_students(school, count=2, grade=9)
    students[0].given_name = "=cmd"
    db.session.commit()
    login_as(users["admin"])
    first = client.post("/admin/setup-letters", data={"grade": "9", "output": "csv"})
    assert first.mimetype == "text/csv" and 'filename="setup-links-grade-9.csv"' in first.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(first.data.decode("utf-8-sig"))))
    assert [r["given_name"] for r in rows] == ["'=cmd", "Kid1"] and all("/setup/" in r["setup_link"] for r in rows)
    client.post("/admin/setup-letters", data={"grade": "9", "output": "csv"})  # a second batch
    client.get("/logout")
    stale = client.get(rows[0]["setup_link"], follow_redirects=True).get_data(as_text=True)
    assert "already been used or replaced" in stale


def test_a_grade_outside_the_school_is_refused(client, users, login_as):
    login_as(users["admin"])
    response = client.post("/admin/setup-letters", data={"grade": "40", "output": "letters"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.setup_links")).all() == []


def letter_codes(page: str) -> list[str]:
    return re.findall(r'<p class="setup-code"><strong>([A-Z0-9-]+)</strong>', page)


def test_a_letters_short_code_leads_to_the_same_one_time_setup(client, school, users, login_as):
    students = waiting_students(school, count=2)
    login_as(users["admin"])
    page = client.post("/admin/setup-letters", data={"grade": "10", "output": "letters"}).get_data(as_text=True)
    codes = letter_codes(page)
    assert len(codes) == 2 and all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
    assert "/setup/code</code>" in page
    client.get("/logout")
    typed = " " + codes[0].lower().replace("-", " ") + " "  # as a student might type it
    to_setup = client.post("/setup/code", data={"code": typed})
    assert to_setup.status_code == 302 and "/setup/" in to_setup.location
    setup = client.get(to_setup.location).get_data(as_text=True)
    assert f"Hi {students[0].given_name}" in setup
    phrase = "a long enough pass phrase"
    assert client.post(to_setup.location, data={"password": phrase, "confirm": phrase}).status_code == 302
    used = client.post("/setup/code", data={"code": codes[0]})
    assert used.status_code == 200 and "not valid, or it has expired or been used" in used.get_data(as_text=True)


def test_a_code_from_a_replaced_batch_or_past_its_time_or_made_up_does_not_work(client, school, users, login_as):
    from datetime import timedelta

    from schoolpeers.timeutil import utcnow

    [student, other] = waiting_students(school, count=2)
    login_as(users["admin"])
    first = letter_codes(client.post("/admin/setup-letters", data={"grade": "10", "output": "letters"})
                         .get_data(as_text=True))
    second = letter_codes(client.post("/admin/setup-letters", data={"grade": "10", "output": "letters"})
                          .get_data(as_text=True))
    client.get("/logout")
    for code in (first[0], "ABCDE-FGHJK", "not a code at all", "x" * 39):
        response = client.post("/setup/code", data={"code": code})
        assert response.status_code == 200 and "not valid" in response.get_data(as_text=True), code
    other.setup_code_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/setup/code", data={"code": second[1]}).status_code == 200  # expired
    assert client.post("/setup/code", data={"code": second[0]}).status_code == 302


def test_the_mail_merge_csv_carries_the_code(client, school, users, login_as):
    waiting_students(school, count=1, grade=9)
    login_as(users["admin"])
    rows = list(csv.DictReader(io.StringIO(client.post(
        "/admin/setup-letters", data={"grade": "9", "output": "csv"}).data.decode("utf-8-sig"))))
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", rows[0]["setup_code"])
