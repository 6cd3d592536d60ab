"""The family pages: the policy, a student's contacts and answers, the consent list and its CSV."""
from sqlalchemy import func, select

from schoolpeers.accounts.models import Guardian
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.families import services
from schoolpeers.families.consent import Standing
from schoolpeers.families.models import ConsentEvent


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_admin_sets_the_policy(school, users, login_as):
    client = login_as(users["admin"])
    assert "Family consent" in client.get("/families/policy").get_data(as_text=True)
    response = client.post("/families/policy", data={"mentee_rule": "opt_in", "mentor_rule": "opt_out",
                                                     "younger_rule": "opt_in", "programme_text": " Our programme "})
    assert response.status_code == 302
    policy = services.policy_for(school.id)
    assert (policy.mentee_rule, policy.programme_text) == ("opt_in", "Our programme")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "families.policy.saved"))
    refused = client.post("/families/policy", data={"mentee_rule": "always", "mentor_rule": "opt_out",
                                                    "younger_rule": "opt_in"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)


def test_a_counselor_adds_a_contact_and_bad_input_is_shown_at_the_field(school, users, login_as, make_user):
    student = make_user("student", grade=7)
    db.session.commit()
    client = login_as(users["counselor"])
    bad = client.post(f"/families/students/{student.id}/guardians", data={
        "given_name": "Ana", "family_name": "Ruiz", "relationship": "parent", "email": "not-an-email"})
    assert bad.status_code == 400 and 'id="email-error"' in bad.get_data(as_text=True)
    assert count(Guardian) == 0
    good = client.post(f"/families/students/{student.id}/guardians", data={
        "given_name": "Ana", "family_name": "Ruiz", "relationship": "parent", "email": "ana@example.org",
        "phone": "+44 20 7946 0000"})
    assert good.status_code == 302
    page = client.get(f"/families/students/{student.id}").get_data(as_text=True)
    assert "Ana Ruiz" in page and "ana@example.org" in page


def test_a_counselor_records_consent_on_paper_and_the_list_shows_it(school, users, login_as, make_user):
    services.save_policy(school, mentee_rule="opt_in", mentor_rule="opt_out", younger_rule="opt_in",
                         programme_text="")
    student = make_user("student", grade=7, given_name="Zoe", family_name="Adams")
    guardian = services.add_guardian(student, given_name="Ana", family_name="Adams", relationship="parent",
                                     email=None, phone=None)
    db.session.commit()
    client = login_as(users["counselor"])
    assert "Waiting for consent" in client.get("/families/consent").get_data(as_text=True)
    response = client.post(f"/families/students/{student.id}/answers", data={
        "guardian": str(guardian.id), "decision": "given", "channel": "paper", "note": "Signed form in file"})
    assert response.status_code == 302
    assert services.standing_of(student, "mentee") == Standing.GIVEN
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "families.consent.recorded"))
    another_students_guardian = client.post(f"/families/students/{student.id}/answers", data={
        "guardian": "999999", "decision": "declined", "channel": "paper"})
    assert another_students_guardian.status_code == 400 and count(ConsentEvent) == 1
    csv_text = client.get("/families/consent.csv").get_data().decode("utf-8-sig")
    assert "Zoe,Adams,7,given," in csv_text and "given by Ana Adams (paper)" in csv_text


def test_a_removed_contact_needs_the_forms_confirmation(school, users, login_as, make_user):
    student = make_user("student", grade=7)
    guardian = services.add_guardian(student, given_name="Ana", family_name="Ruiz", relationship="parent",
                                     email=None, phone=None)
    db.session.commit()
    client = login_as(users["admin"])
    url = f"/families/students/{student.id}/guardians/{guardian.id}/remove"
    client.post(url, data={})
    assert count(Guardian) == 1
    client.post(url, data={"confirm": "remove"})
    assert count(Guardian) == 0


def test_a_staff_member_or_an_adult_is_not_a_student_here(school, users, login_as):
    client = login_as(users["counselor"])
    assert client.get(f"/families/students/{users['staff'].id}").status_code == 404


def test_a_counselor_corrects_a_bounced_address_of_a_contact_staff_typed(school, users, login_as, make_user):
    from schoolpeers.accounts.models import GuardianStudent

    student = make_user("student", grade=7)
    guardian = services.add_guardian(student, given_name="Ana", family_name="Ruiz", relationship="parent",
                                     email="ana@old.example.org", phone=None)
    roster = Guardian(school_id=school.id, source="roster", roster_id="g9", relationship_kind="parent",
                      given_name="Sam", family_name="Lee", student_roster_ids=[])
    roster.links = [GuardianStudent(school_id=school.id, student_id=student.id)]
    db.session.add(roster)
    db.session.commit()
    client = login_as(users["counselor"])
    url = f"/families/students/{student.id}/guardians/{guardian.id}"
    assert "ana@old.example.org" in client.get(url).get_data(as_text=True)
    bad = client.post(url, data={"given_name": "Ana", "family_name": "Ruiz", "relationship": "parent",
                                 "email": "ana@"})
    assert bad.status_code == 400 and 'id="email-error"' in bad.get_data(as_text=True)
    client.post(url, data={"given_name": "Ana", "family_name": "Ruiz", "relationship": "carer",
                           "email": "ana@new.example.org"})
    db.session.refresh(guardian)
    assert (guardian.email, guardian.relationship_kind) == ("ana@new.example.org", "carer")
    assert client.get(f"/families/students/{student.id}/guardians/{roster.id}").status_code == 404


def test_the_consent_list_shows_one_grade_and_mails_its_families(school, users, login_as, make_user, smtp_inbox):
    services.save_policy(school, mentee_rule="opt_out", mentor_rule="opt_out", younger_rule="opt_in",
                         programme_text="")
    seventh = make_user("student", grade=7, given_name="Seven")
    make_user("student", grade=9, given_name="Nine")
    services.add_guardian(seventh, given_name="Ana", family_name="Ruiz", relationship="parent",
                          email="ana@example.org", phone=None)
    db.session.commit()
    client = login_as(users["counselor"])
    page = client.get("/families/consent?grade=7").get_data(as_text=True)
    assert "Seven" in page and "Nine" not in page and "Mail the families of grade 7" in page
    assert "Nine" in client.get("/families/consent?grade=99").get_data(as_text=True)  # not a grade: all
    response = client.post("/families/ask", data={"grade": "7"})
    assert response.status_code == 302 and response.location.endswith("/families/consent?grade=7")
    assert [m.rcpt_tos for m in smtp_inbox.messages] == [["ana@example.org"]]


def test_active_mentorships_show_a_family_whose_consent_is_missing(school, users, login_as, make_user):
    from datetime import date

    from schoolpeers.matching import services as matching
    from tests.factories import make_mentor, make_request

    student = make_user("student", grade=7, given_name="Zed")
    make_mentor(school, users["counselor"])
    mentorship = matching.match_single(make_request(student), users["counselor"], date.today())
    matching.approve(mentorship, users["counselor"], date.today())
    db.session.commit()
    client = login_as(users["counselor"])
    assert "family:" not in client.get("/matching/mentorships").get_data(as_text=True)
    services.save_policy(school, mentee_rule="opt_in", mentor_rule="opt_out", younger_rule="opt_in",
                         programme_text="")
    db.session.commit()
    page = client.get("/matching/mentorships").get_data(as_text=True)
    assert "The mentee's family: waiting for consent." in page and f"/families/students/{student.id}" in page
