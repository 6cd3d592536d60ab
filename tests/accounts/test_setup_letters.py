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
