"""The programme's records in "Download my data": a mentee's and a mentor's, never the other side's."""
import json
from datetime import date

from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.programme import models as programme
from tests.factories import make_mentor
from tests.privacy.conftest import LONG_AGO, programme_records
from tests.privacy.test_my_data import download


def with_programme(old_mentorship, users):
    checkin = db.session.scalar(select(CheckIn).where(CheckIn.mentorship_id == old_mentorship.id))
    records = programme_records(old_mentorship, checkin, users["counselor"], when=LONG_AGO)
    db.session.commit()
    return records


def test_a_mentee_gets_their_agreement_goals_questionnaires_survey_and_goodbye(client, login_as, old_mentorship,
                                                                               users):
    with_programme(old_mentorship, users)
    response, data = download(client, login_as, old_mentorship.mentee)
    [mentorship] = data["mentorships"]
    agreement = mentorship["agreement"]
    assert (agreement["how_often"], agreement["where"]) == ("Every week", "Library, Tuesday lunch")
    assert agreement["ground_rules"].startswith("We keep what we say between us")
    assert agreement["agreed_on"] == LONG_AGO.date().isoformat()
    assert agreement["you_agreed"] and agreement["your_mentor_agreed"]
    assert [(g["area"], g["in_your_words"], [p["progress"] for p in g["progress"]]) for g in mentorship["goals"]] == [
        ("Friendships and getting on with people", "Sit with someone new at lunch", ["Good progress"]),
        ("School work, exams and organisation", "Hand in maths homework on time", ["Not started yet"])]
    assert mentorship["goals"][0]["progress"][0]["date"] == date.today().isoformat()  # the check-in's day
    assert [(q["when"], [a["value"] for a in q["answers"]], q["score"]) for q in mentorship["questionnaires"]] == [
        ("At the start", [2, 2, 1, 2, 2], 36), ("At the end", [4, 3, 3, 4, 3], 68)]
    first = mentorship["questionnaires"][0]
    assert first["questionnaire"] == "WHO-5 Well-Being Index"
    assert first["answers"][0] == {"question": "I have felt cheerful and in good spirits",
                                   "answer": "Less than half of the time", "value": 2}
    survey = mentorship["your_exit_survey"]
    assert (survey["how_you_got_on"], survey["how_much_it_helped"], survey["would_recommend"]) == (5, 4, "Yes")
    assert survey["what_helped"] == ["Having someone to listen", "Ideas to try"]
    assert survey["comment"] == "Mira made Tuesdays better."
    assert mentorship["goodbye_message_from_your_mentor"]["message"] == "You were brave all year. Keep going!"
    body = response.get_data(as_text=True)
    for private in ("Noor opened up", "did not know what to say", "For patient, kind listening", "bit_hard",
                    "A bit hard", "supervision"):
        assert private not in body, private  # the mentor's own records are the mentor's
    assert any("how your mentor felt" in line for line in data["not_included"])


def test_a_mentor_gets_their_feelings_supervision_certificates_and_words_at_the_end(
        client, login_as, old_mentorship, users, school):
    with_programme(old_mentorship, users)
    other = make_mentor(school, users["counselor"], given_name="Omar").user
    db.session.add(programme.MentorFeeling(school_id=school.id, mentor_id=other.id, feeling="hard",
                                           note="Omar's own hard day."))
    db.session.commit()
    response, data = download(client, login_as, old_mentorship.mentor)
    profile = data["mentor_profile"]
    [felt] = profile["how_you_felt_after_checkins"]
    assert (felt["feeling"], felt["note"], felt["a_counselor_saw_it"]) == (
        "It was a bit hard", "I did not know what to say when she cried.", False)
    [session] = profile["supervision_sessions"]
    assert (session["kind"], session["minutes"], session["themes"]) == (
        "Group", 45, ["Boundaries", "Looking after yourself"])
    [certificate] = profile["certificates"]
    assert (certificate["checkin_minutes"], certificate["training_minutes"], certificate["supervision_minutes"]) == (
        30, 120, 45)
    assert certificate["citation"] == "For patient, kind listening every week."
    [mentored] = profile["mentorships"]
    assert mentored["status"] == "closed" and mentored["began_on"]
    assert mentored["your_exit_survey"]["comment"] == "Noor opened up after Easter."
    assert mentored["your_exit_survey"]["would_mentor_again"] == "Not sure"
    assert mentored["goodbye_message_you_wrote"]["message"] == "You were brave all year. Keep going!"
    body = response.get_data(as_text=True)
    for private in ("Omar's own hard day", "Mira made Tuesdays better", "Sit with someone new", "Library, Tuesday",
                    "WHO-5", "Noor"):
        assert private not in body.replace("Noor opened up after Easter.", ""), private
    assert data["mentorships"] == []  # never a mentee here


def test_a_student_without_programme_records_gets_empty_sections(client, login_as, mentorship):
    _, mentee = download(client, login_as, mentorship.mentee)
    [m] = mentee["mentorships"]
    assert (m["agreement"], m["goals"], m["questionnaires"], m["your_exit_survey"],
            m["goodbye_message_from_your_mentor"]) == (None, [], [], None, None)
    _, mentor = download(client, login_as, mentorship.mentor)
    profile = mentor["mentor_profile"]
    assert (profile["how_you_felt_after_checkins"], profile["supervision_sessions"], profile["certificates"]) == (
        [], [], [])
    assert json.dumps(mentor).count("goodbye_message_you_wrote") == 1
