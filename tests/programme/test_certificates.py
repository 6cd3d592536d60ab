"""Recognition: a mentor's hours from what was recorded, certificates that keep them, the PDF, and
the pages of the mentor and the counselor."""
import re
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors import services as mentors
from schoolpeers.programme import certificates, supervision
from schoolpeers.programme.certificates import CertificateError
from schoolpeers.programme.hours import Hours, Period, PeriodError, this_school_year_so_far
from schoolpeers.programme.models import Certificate
from schoolpeers.timeutil import today_in
from tests.factories import UserFactory, make_mentor
from tests.oversight.conftest import mentorship  # noqa: F401


def pdf_text(content: bytes) -> str:
    """The text a PDF of the built-in fonts shows, line after line."""
    shown = []
    for found in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", content):
        stream = content[found.end():found.end() + int(found.group(1))]
        try:
            page = zlib.decompress(stream)
        except zlib.error:
            continue  # a font or an image, not a page's text
        for text in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", page):
            shown.append(re.sub(rb"\\(.)", rb"\1", text).decode("latin-1"))
    return "\n".join(shown)


@pytest.fixture
def today(school):
    return today_in(school.timezone)


@pytest.fixture
def volunteered(school, users, mentorship, today):  # noqa: F811
    """Amira (mentorship's mentor) trained today (four modules, one of them 90 minutes), held two
    check-ins (20 and 35 minutes) and came to one of two supervision sessions (45 minutes)."""
    modules = mentors.training_modules(school.id)
    modules[0].minutes = 90
    for day, minutes in ((today - timedelta(days=3), 20), (today - timedelta(days=1), 35)):
        checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(day, minutes, "in_person", 4), today)
    other = make_mentor(school, users["counselor"])
    counselor = users["counselor"]
    supervision.record_session(school, supervision.SessionData(today - timedelta(days=2), "group", 45, ["listening"],
                                                               [mentorship.mentor_id]), counselor, today)
    supervision.record_session(school, supervision.SessionData(today, "one_to_one", 60, ["boundaries"],
                                                               [other.user_id]), counselor, today)
    db.session.commit()
    return mentorship.profile


def test_hours_count_check_ins_training_and_supervision_of_the_mentor_only(volunteered, today):
    mentor = volunteered.user
    assert certificates.hours_for(mentor, Period(today - timedelta(days=30), today)) == Hours(
        checkin_minutes=55, training_minutes=90 + 3 * 60, supervision_minutes=45)
    assert certificates.hours_for(mentor, Period(today - timedelta(days=2), today - timedelta(days=1))) == Hours(
        checkin_minutes=35, training_minutes=0, supervision_minutes=45)


def test_a_certificate_keeps_the_hours_as_they_stood_when_issued(volunteered, users, mentorship, today):  # noqa: F811
    certificate = certificates.issue_certificate(volunteered, users["counselor"], today - timedelta(days=30), today,
                                                 "  For her   patience\nand kindness. ", today)
    db.session.commit()
    assert (certificate.checkin_minutes, certificate.training_minutes, certificate.supervision_minutes) == (55, 270, 45)
    assert certificate.citation == "For her patience and kindness."
    assert certificate.issued_on == today and certificate.mentor_id == volunteered.user_id
    checkins.log_checkin(mentorship, mentorship.mentor, checkins.CheckInData(today, 30, "online", 4), today)
    db.session.commit()
    db.session.refresh(certificate)
    assert certificate.checkin_minutes == 55
    assert certificates.certificates_of(volunteered.school_id, volunteered.user_id) == [certificate]


def test_certificates_that_cannot_be_issued(school, users, make_user, volunteered, today):
    counselor = users["counselor"]
    cases = [
        (today - timedelta(days=5), today + timedelta(days=1), "", PeriodError, "period_to"),
        (today, today - timedelta(days=1), "", PeriodError, "period_from"),
        (today - timedelta(days=400), today - timedelta(days=300), "", CertificateError, "period_from"),  # no hours
        (today - timedelta(days=5), today, "x" * 301, CertificateError, "citation"),
    ]
    for start, end, citation, error, field in cases:
        with pytest.raises(error) as refused:
            certificates.issue_certificate(volunteered, counselor, start, end, citation, today)
        assert refused.value.field == field
        db.session.rollback()
    applicant = mentors.apply_to_mentor(make_user("student", grade=11), bio="", motivation="", capacity=1,
                                        topics=[], availability=[])
    with pytest.raises(CertificateError):
        certificates.issue_certificate(applicant, counselor, today - timedelta(days=5), today, "", today)
    db.session.rollback()
    assert db.session.scalar(select(Certificate.id)) is None


def test_a_second_certificate_for_the_same_mentor_and_period_is_refused(school, users, volunteered, today):
    counselor = users["counselor"]
    start = today - timedelta(days=30)
    first = certificates.issue_certificate(volunteered, counselor, start, today, "Thank you!", today)
    db.session.commit()
    with pytest.raises(CertificateError) as refused:
        certificates.issue_certificate(volunteered, counselor, start, today, "Thank you!", today)
    assert refused.value.field == "period_from" and "for this period already" in str(refused.value)
    # The refusal undid only its own insert: the transaction goes on, and another period is another certificate.
    other = certificates.issue_certificate(volunteered, counselor, start, today - timedelta(days=1), "", today)
    db.session.commit()
    assert db.session.scalars(select(Certificate.id).order_by(Certificate.id)).all() == [first.id, other.id]
    another_mentor = make_mentor(school, counselor)
    db.session.commit()
    certificates.issue_certificate(another_mentor, counselor, today, today, "", today)  # training today
    db.session.commit()
    assert len(db.session.scalars(select(Certificate.id)).all()) == 3


def test_the_pdf_is_one_page_naming_the_mentor_and_never_a_mentee(school, users, volunteered, mentorship,  # noqa: F811
                                                                  today):
    certificate = certificates.issue_certificate(volunteered, users["counselor"], today - timedelta(days=30), today,
                                                 "For her patience (and kindness).", today)
    db.session.commit()
    content = certificates.render_pdf(certificate, school)
    assert content.startswith(b"%PDF-") and content.count(b"/Type /Page\n") == 1
    text = pdf_text(content)
    assert "Test School" in text and "Certificate of volunteering" in text
    assert volunteered.user.display_name in text
    assert "55 minutes" in text and "4 hours 30 minutes" in text and "45 minutes" in text
    assert "In all (6.2 hours)\n6 hours 10 minutes" in text
    assert "For her patience (and kindness)." in text
    assert f"Issued by {users['counselor'].display_name}" in text
    assert mentorship.mentee.given_name == "Leo" and "Leo" not in text


def test_every_name_prints_whatever_its_script(school, users, today):
    profile = make_mentor(school, users["counselor"], given_name="Łucja", family_name="Søren-Ωmega")
    db.session.commit()
    certificate = certificates.issue_certificate(profile, users["counselor"], today, today, "", today)
    db.session.commit()
    text = pdf_text(certificates.render_pdf(certificate, school))
    assert "Lucja Søren-Omega" in text


# --- pages ---------------------------------------------------------------------------------------

def test_a_counselor_sees_the_hours_for_a_period_and_issues_a_certificate(client, users, login_as, volunteered,
                                                                          today):
    login_as(users["counselor"])
    detail = client.get(f"/mentors/{volunteered.id}").get_data(as_text=True)
    assert f'href="/mentors/{volunteered.id}/certificate"' in detail and "Issue a certificate" in detail
    page = client.get(f"/mentors/{volunteered.id}/certificate").get_data(as_text=True)
    year = this_school_year_so_far(today)
    assert f"Hours from {year.start:%d %B %Y} to {today:%d %B %Y}" in page and "6 hours 10 minutes" in page
    narrow = {"period_from": (today - timedelta(days=2)).isoformat(),
              "period_to": (today - timedelta(days=1)).isoformat()}
    page = client.get(f"/mentors/{volunteered.id}/certificate", query_string=narrow).get_data(as_text=True)
    assert "1 hour 20 minutes" in page  # 35 minutes of check-in and 45 of supervision
    late = {"period_from": today.isoformat(), "period_to": (today + timedelta(days=3)).isoformat()}
    response = client.get(f"/mentors/{volunteered.id}/certificate", query_string=late)
    assert response.status_code == 400 and "cannot end after today" in response.get_data(as_text=True)

    response = client.post(f"/mentors/{volunteered.id}/certificate", data=narrow | {"citation": "Thank you!"})
    assert response.status_code == 302
    certificate = db.session.scalar(select(Certificate))
    assert (certificate.checkin_minutes, certificate.supervision_minutes, certificate.training_minutes) == (35, 45, 0)
    assert certificate.period_from == today - timedelta(days=2) and certificate.citation == "Thank you!"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issue"))
    assert event.record_id == certificate.id
    page = client.get(response.location).get_data(as_text=True)
    assert f"/certificates/{certificate.id}.pdf" in page


def test_a_certificate_without_hours_is_refused_beside_the_period(client, users, login_as, volunteered, today):
    login_as(users["counselor"])
    empty = {"period_from": (today - timedelta(days=400)).isoformat(),
             "period_to": (today - timedelta(days=300)).isoformat()}
    response = client.post(f"/mentors/{volunteered.id}/certificate", data=empty)
    assert response.status_code == 400
    assert "No volunteering is recorded in this period" in response.get_data(as_text=True)
    assert 'id="period_from-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Certificate.id)) is None


def test_a_certificate_form_sent_twice_issues_one(client, users, login_as, volunteered, today):
    login_as(users["counselor"])
    period = {"period_from": (today - timedelta(days=2)).isoformat(), "period_to": today.isoformat(),
              "citation": "Thank you!"}
    assert client.post(f"/mentors/{volunteered.id}/certificate", data=period).status_code == 302
    again = client.post(f"/mentors/{volunteered.id}/certificate", data=period)
    page = again.get_data(as_text=True)
    assert again.status_code == 400 and 'id="period_from-error"' in page and "for this period already" in page
    assert len(db.session.scalars(select(Certificate.id)).all()) == 1
    issued = db.session.scalars(select(AuditEvent.id).where(AuditEvent.action == "certificate.issue")).all()
    assert len(issued) == 1


def test_an_applicants_certificate_page_is_not_found(client, users, login_as, make_user):
    applicant = mentors.apply_to_mentor(make_user("student", grade=11), bio="", motivation="", capacity=1,
                                        topics=[], availability=[])
    db.session.commit()
    login_as(users["counselor"])
    assert client.get(f"/mentors/{applicant.id}/certificate").status_code == 404


def test_the_pdf_is_for_its_mentor_and_the_counselors_only(client, school, other_school, users, login_as, volunteered,
                                                           mentorship, make_user, today):  # noqa: F811
    certificate = certificates.issue_certificate(volunteered, users["counselor"], today, today, "", today)
    db.session.commit()
    url = f"/certificates/{certificate.id}.pdf"
    login_as(mentorship.mentor)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert volunteered.user.display_name in pdf_text(response.data)
    for someone in (mentorship.mentee, make_user("student"), make_mentor(school, users["counselor"]).user):
        db.session.commit()
        login_as(someone)
        assert client.get(url).status_code == 404
    login_as(users["counselor"])
    assert client.get(url).status_code == 200
    login_as(UserFactory(other_school)("counselor"))
    db.session.commit()
    assert client.get(url).status_code == 404


def test_a_mentor_sees_their_hours_this_school_year_and_their_certificates(client, users, login_as, volunteered,
                                                                         mentorship, today):  # noqa: F811
    certificate = certificates.issue_certificate(volunteered, users["counselor"], today - timedelta(days=3), today,
                                                 "", today)
    db.session.commit()
    login_as(mentorship.mentor)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/mentor/volunteering"' in home and "My volunteering" in home
    assert "A new certificate of your volunteering is ready to download" in home
    certificate.issued_on = today - timedelta(days=15)
    db.session.commit()
    assert "A new certificate" not in client.get("/").get_data(as_text=True)
    page = client.get("/mentor/volunteering").get_data(as_text=True)
    assert "6 hours 10 minutes" in page and f"/certificates/{certificate.id}.pdf" in page
    assert "Leo" not in page
    login_as(mentorship.mentee)
    assert "My volunteering" not in client.get("/").get_data(as_text=True)
    assert client.get("/mentor/volunteering").status_code == 404
