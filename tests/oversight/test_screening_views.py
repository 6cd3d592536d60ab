"""The concern page explains screening; the resolve form marks it; the quality page and the examples file."""
import csv
import io
import re

import pytest
from sqlalchemy import func, select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.oversight import screening, services
from schoolpeers.oversight.models import Concern, ConcernEvent, ScreeningMark
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, make_mentor
from tests.oversight.test_screening import NOTES, fake_screener

SCREENING_PAGES = ["/oversight/screening", "/oversight/screening/export.csv"]


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (ScreeningMark, ConcernEvent, AuditEvent)}


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def field_error(page: str, field: str) -> str:
    """The error shown next to a field (the macro ties it to the field by id)."""
    found = re.search(rf'<p class="error" id="{field}-error"><strong>Error:</strong> (.*?)</p>', page)
    return found.group(1) if found else ""


# --- the concern page --------------------------------------------------------------------------------

def test_the_notes_are_highlighted_and_escaped_with_each_finding_beside_them(client, users, login_as,
                                                                              concern_on_notes, monkeypatch):
    notes = "<script>alert(1)</script> & he said he wants to kill himself & <b>bold</b>"
    fake_screener(monkeypatch, ("kill himself & <b>", "suicidal_thoughts", "high"),
                  ("wants to kill", "harm_to_others", "medium"))
    concern = concern_on_notes(notes)
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert ('<p class="notes">&lt;script&gt;alert(1)&lt;/script&gt; &amp; he said he '
            '<mark>wants to kill himself &amp; &lt;b&gt;</mark>bold&lt;/b&gt;</p>') in page
    assert "<script>alert(1)" not in page and "<b>bold" not in page
    findings = page[page.index("What screening found"):]
    assert findings.index("Suicidal thoughts") < findings.index("Harm to others")  # most severe first
    assert "the words &#34;kill himself &amp; &lt;b&gt;&#34;" in findings  # the reasons are escaped too


def test_the_real_screener_explains_an_unmistakable_note(client, users, login_as, concern_on_notes):
    concern = concern_on_notes("Quiet today. He said he wants to kill himself.")
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert re.search(r"<mark>[^<]*kill[^<]*</mark>", page) and "Suicidal thoughts" in page
    assert 'name="screening_verdict"' in page  # the resolve form asks how screening did


def test_notes_without_findings_say_so(client, users, login_as, concern_on_notes, monkeypatch):
    fake_screener(monkeypatch)
    concern = concern_on_notes("We talked about exams.")
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "Screening found no risk language in these notes." in page and "<mark>" not in page


def test_a_concern_without_notes_has_nothing_to_explain_or_mark(client, users, login_as, school):
    concern = services.raise_concern(school, users["student"], source="manual", severity="low", summary="x",
                                     raised_by=users["counselor"], now=utcnow())
    db.session.commit()
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "What screening found" not in page and 'name="screening_verdict"' not in page


# --- marking when resolving -------------------------------------------------------------------------

def test_resolving_with_a_mark_writes_both_in_one_go(client, users, login_as, concern_on_notes, monkeypatch):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    concern = concern_on_notes(NOTES)
    login_as(users["counselor"])
    response = client.post(f"/oversight/concerns/{concern.id}/resolve", data={
        "outcome": "support_given", "note": "Spoke with him.", "screening_verdict": "missed",
        "screening_severity": "high", "screening_category": "self_harm"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).status == "resolved"
    mark = db.session.scalar(select(ScreeningMark))
    assert (mark.concern_id, mark.checkin_id, mark.counselor_id) == (concern.id, concern.checkin_id,
                                                                     users["counselor"].id)
    assert (mark.verdict, mark.severity, mark.category, mark.screened_severity, mark.screened_categories) == (
        "missed", "high", "self_harm", "medium", "bullying")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.mark"))
    assert (event.record_type, event.record_id, event.actor_id) == ("screening_mark", mark.id, users["counselor"].id)
    assert event.detail == {"concern_id": concern.id, "verdict": "missed", "severity": "high", "category": "self_harm"}
    assert actions() == ["concern.resolve", "screening.mark"]
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "Missed: it should have said high, self harm" in page


def test_resolving_without_a_mark_writes_no_mark(client, users, login_as, concern_on_notes):
    concern = concern_on_notes(NOTES)
    login_as(users["counselor"])
    client.post(f"/oversight/concerns/{concern.id}/resolve", data={"outcome": "support_given", "note": "Done."})
    assert counts()["ScreeningMark"] == 0 and actions() == ["concern.resolve"]


@pytest.mark.parametrize(("answers", "field", "words"), [
    ({"screening_verdict": "maybe"}, "screening_verdict", "Choose how screening did"),
    ({"screening_verdict": "missed", "screening_severity": "high"}, "screening_category", "which kind of risk"),
    ({"screening_verdict": "missed", "screening_category": "self_harm"}, "screening_severity", "high or medium"),
    ({"screening_verdict": "missed", "screening_severity": "extreme", "screening_category": "self_harm"},
     "screening_severity", "high or medium"),
    ({"screening_verdict": "right", "screening_category": "bullying"}, "screening_category", "leave this empty"),
    ({"screening_verdict": "not_a_concern", "screening_severity": "high"}, "screening_severity", "leave this empty"),
    ({"screening_severity": "high"}, "screening_severity", 'choose &#34;missed&#34;'),
])
def test_a_wrong_mark_is_explained_next_to_its_field_and_writes_nothing(client, users, login_as, concern_on_notes,
                                                                       monkeypatch, answers, field, words):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    concern = concern_on_notes(NOTES)
    login_as(users["counselor"])
    before = counts()
    response = client.post(f"/oversight/concerns/{concern.id}/resolve",
                           data={"outcome": "support_given", "note": "Spoke with him.", **answers})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert words in field_error(page, field).replace("&quot;", "&#34;"), page
    assert "Nothing was saved yet" in page and "About the check-in." not in page  # the form only, not the concern
    assert "Spoke with him.</textarea>" in page  # what was typed stays
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).status == "open"


def test_a_mark_on_a_concern_without_notes_is_refused(client, users, login_as, school):
    concern = services.raise_concern(school, users["student"], source="manual", severity="low", summary="x",
                                     raised_by=users["counselor"], now=utcnow())
    db.session.commit()
    login_as(users["counselor"])
    before = counts()
    response = client.post(f"/oversight/concerns/{concern.id}/resolve",
                           data={"outcome": "support_given", "note": "Done.", "screening_verdict": "right"})
    assert "no notes" in field_error(response.get_data(as_text=True), "screening_verdict")
    assert counts() == before


def test_a_resolved_concern_takes_no_mark(client, users, login_as, concern_on_notes):
    concern = concern_on_notes(NOTES)
    services.resolve(concern, users["counselor"], "support_given", "Done.", utcnow())
    db.session.commit()
    login_as(users["counselor"])
    before = counts()
    response = client.post(f"/oversight/concerns/{concern.id}/resolve", follow_redirects=True, data={
        "outcome": "support_given", "note": "Again.", "screening_verdict": "right"})
    assert "already resolved" in response.get_data(as_text=True)
    assert counts()["ScreeningMark"] == before["ScreeningMark"] == 0


# --- the quality page ------------------------------------------------------------------------------

@pytest.mark.parametrize("url", SCREENING_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "student", "mentor", "staff", "admin"])
def test_screening_pages_are_for_counselors_only(client, users, login_as, school, url, role):
    if role == "mentor":
        login_as(make_mentor(school, users["counselor"]).user)
        db.session.commit()
    elif role != "anonymous":
        login_as(users[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code == 403
    assert "screening.export" not in actions()


def mark_through_the_form(client, concern, **answers):
    response = client.post(f"/oversight/concerns/{concern.id}/resolve",
                           data={"outcome": "support_given", "note": "Done.", **answers})
    assert response.status_code == 302


def test_the_quality_page(client, users, login_as, concern_on_notes, monkeypatch, other_school):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    login_as(users["counselor"])
    empty = client.get("/oversight/screening").get_data(as_text=True)
    assert "No marks yet" in empty and "How did screening do on these notes?" in empty
    assert "/oversight/screening" in client.get("/oversight").get_data(as_text=True)  # linked from the dashboard
    right, false_alarm, missed = (concern_on_notes(n) for n in (NOTES, "More names today.", "He is not eating."))
    mark_through_the_form(client, right, screening_verdict="right")
    mark_through_the_form(client, false_alarm, screening_verdict="not_a_concern")
    mark_through_the_form(client, missed, screening_verdict="missed", screening_severity="high",
                          screening_category="eating_disorder")
    page = client.get("/oversight/screening").get_data(as_text=True)
    assert "3 check-ins marked: 1 right, 1 not a concern, 1 missed." in " ".join(page.split())
    bullying = re.search(r'<th scope="row" data-label="Kind of risk">Bullying</th>(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r">([^<>]+)</td>", bullying) == ["1", "1", "50%", "0"]
    eating = re.search(r'<th scope="row" data-label="Kind of risk">Eating disorder</th>(.*?)</tr>', page, re.S).group(1)
    assert "not marked yet" in eating and eating.strip().endswith('<td data-label="Missed" class="num">1</td>')
    assert "What screening missed (1)" in page and f'href="/oversight/concerns/{missed.id}"' in page
    assert "Eating disorder" in page and "nothing" in page  # what it should have said, and what it had said
    assert users["student"].family_name not in page and "He is not eating." not in page  # no names, no notes
    # A counselor of another school sees their own (empty) numbers.
    login_as(UserFactory(other_school)("counselor"))
    db.session.commit()
    assert "No marks yet" in client.get("/oversight/screening").get_data(as_text=True)


def test_misses_come_a_page_at_a_time(client, users, login_as, concern_on_notes, monkeypatch):
    from schoolpeers.oversight import views

    fake_screener(monkeypatch)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    concerns = [concern_on_notes(f"Note {n}") for n in range(3)]
    for concern in concerns:
        screening.mark_screening(concern, users["counselor"], "missed", "medium", "bullying", utcnow())
    db.session.commit()
    login_as(users["counselor"])
    links = [re.findall(r'href="/oversight/concerns/(\d+)"', client.get(f"/oversight/screening?page={n}")
                        .get_data(as_text=True)) for n in (1, 2)]
    assert [len(p) for p in links] == [2, 1] and {int(i) for p in links for i in p} == {c.id for c in concerns}
    assert "Page 1 of 2" in client.get("/oversight/screening").get_data(as_text=True)


# --- the examples file ------------------------------------------------------------------------------

def test_the_examples_file(client, users, login_as, concern_on_notes, monkeypatch, other_school):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    concern = concern_on_notes("=cmd| names")
    login_as(users["counselor"])
    mark_through_the_form(client, concern, screening_verdict="right")
    response = client.get("/oversight/screening/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="screening-examples-test-school-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1 and rows[0]["text"] == "'=cmd| names"  # a spreadsheet shows it, never runs it
    assert (rows[0]["label"], rows[0]["category"], rows[0]["verdict"]) == ("medium", "bullying", "right")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.export"))
    assert (event.actor_id, event.school_id, event.detail) == (
        users["counselor"].id, concern.school_id, {"rows": 1, "checkin_ids": [concern.checkin_id]})
    # Another school's counselor gets their own school's file: the header alone.
    outsider = UserFactory(other_school)("counselor")
    db.session.commit()
    login_as(outsider)
    assert client.get("/oversight/screening/export.csv").get_data(as_text=True).strip() == ",".join(
        screening.EXPORT_COLUMNS)


def test_a_failing_screener_never_hides_a_concern_or_blocks_resolving(client, users, login_as, concern_on_notes,
                                                                      monkeypatch):
    from schoolpeers.oversight import risk

    concern = concern_on_notes("He said <nothing> much.")

    def broken(text):
        raise RuntimeError("screener broke")

    monkeypatch.setattr(risk, "screen_text", broken)
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "He said &lt;nothing&gt; much." in page and "Screening could not read these notes" in page
    refused = client.post(f"/oversight/concerns/{concern.id}/resolve",
                          data={"outcome": "support_given", "note": "Done.", "screening_verdict": "right"})
    assert "cannot read these notes" in field_error(refused.get_data(as_text=True), "screening_verdict")
    assert counts()["ScreeningMark"] == 0
    mark_through_the_form(client, concern)  # without a mark it resolves
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).status == "resolved"
