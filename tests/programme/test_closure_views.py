"""The ending's pages: the counselor's plan, the mentor's steps, the mentee's questions and goodbyes."""
from datetime import date, timedelta

from sqlalchemy import func, select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.oversight.models import Concern
from schoolpeers.programme import closure
from schoolpeers.programme.closure_rules import ENDING_STAYS_OPEN
from schoolpeers.programme.models import Closure, ExitSurvey
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, make_mentor
from tests.oversight.conftest import mentorship  # noqa: F401

TODAY = date.today()
SURVEY = {"got_on": "4", "helped": "5", "recommend": "yes", "what_helped": ["talking", "ideas"], "comment": "Thanks!"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def begin(client, mentorship):  # noqa: F811
    return client.post(f"/mentorships/{mentorship.id}/closure/begin", follow_redirects=True)


def the_closure() -> Closure:
    db.session.expire_all()
    return db.session.scalar(select(Closure))


def meeting(**overrides):
    return {"occurred_on": TODAY.isoformat(), "duration_minutes": "30", "mode": "in_person", "wellbeing": "4",
            "notes": "We looked back at the term. Private words."} | overrides


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_counselor_plans_the_ending_from_the_list_of_mentorships_once(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    listing = text(client.get("/matching/mentorships"))
    assert f'href="/mentorships/{mentorship.id}/closure"' in listing and "Plan the ending" in listing
    page = text(client.get(f"/mentorships/{mentorship.id}/closure"))
    assert "Begin the ending" in page and "/matching/mentorships" in page
    page = text(begin(client, mentorship))
    assert "The ending is begun: Amira can now plan the closing meeting" in page and "(0 of 5 done)" in page
    assert "○ <strong>Not yet:</strong> the mentee's well-being questionnaire at the end" in page
    assert count(Closure) == 1
    assert db.session.scalar(select(AuditEvent.record_id).where(AuditEvent.action == "closure.begin")) == mentorship.id
    again = text(begin(client, mentorship))
    assert "The ending of this mentorship is planned already." in again and count(Closure) == 1


def test_another_schools_counselor_finds_nothing(client, users, login_as, mentorship, other_school):  # noqa: F811
    login_as(UserFactory(other_school)("counselor"))
    assert client.get(f"/mentorships/{mentorship.id}/closure").status_code == 404
    assert client.post(f"/mentorships/{mentorship.id}/closure/begin").status_code == 404
    assert count(Closure) == 0


def test_the_mentors_pages_need_their_own_active_mentorship_with_an_ending_begun(
        client, users, login_as, mentorship, school):  # noqa: F811
    login_as(mentorship.mentor)
    assert client.get(f"/mentor/mentorships/{mentorship.id}/closing").status_code == 404
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    page = text(client.get(f"/mentor/mentorships/{mentorship.id}/closing"))
    assert "Your mentoring with Leo is ending" in page and "Log the closing meeting" in page
    other_mentor = make_mentor(school, users["counselor"]).user
    db.session.commit()
    login_as(other_mentor)
    for path in ("", "/meeting"):
        assert client.get(f"/mentor/mentorships/{mentorship.id}/closing{path}").status_code == 404
    for path in ("/goodbye", "/survey"):
        assert client.post(f"/mentor/mentorships/{mentorship.id}/closing{path}",
                           data={"message": "Hi", **SURVEY}).status_code == 404
    login_as(mentorship.mentee)  # the mentee is no mentor of theirs
    assert client.get(f"/mentor/mentorships/{mentorship.id}/closing").status_code == 404
    assert the_closure().goodbye_message is None and count(ExitSurvey) == 0


def test_the_closing_meeting_is_logged_like_a_check_in_and_once(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    form = text(client.get(f"/mentor/mentorships/{mentorship.id}/closing/meeting"))
    assert "Closing meeting with Leo" in form and 'name="wellbeing"' in form
    refused = client.post(f"/mentor/mentorships/{mentorship.id}/closing/meeting",
                          data=meeting(occurred_on=(TODAY + timedelta(days=2)).isoformat()))
    assert "The date cannot be in the future." in text(refused) and count(CheckIn) == 0
    response = client.post(f"/mentor/mentorships/{mentorship.id}/closing/meeting", data=meeting())
    assert response.status_code == 302
    saved = db.session.scalar(select(CheckIn))
    assert the_closure().closing_checkin_id == saved.id and saved.duration_minutes == 30
    page = text(client.get(f"/mentor/mentorships/{mentorship.id}/closing"))
    assert "Logged: you met on" in page and "Log the closing meeting" not in page
    again = client.get(f"/mentor/mentorships/{mentorship.id}/closing/meeting", follow_redirects=True)
    assert "The closing meeting is logged already." in text(again)
    client.post(f"/mentor/mentorships/{mentorship.id}/closing/meeting", data=meeting())
    assert count(CheckIn) == 1


def test_a_worrying_closing_meeting_sends_the_mentor_to_what_to_do_now(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    response = client.post(f"/mentor/mentorships/{mentorship.id}/closing/meeting", data=meeting(
        worried="y", worry_severity="high", worry_reason="They said they are not safe at home."))
    saved = db.session.scalar(select(CheckIn))
    assert response.status_code == 302 and "/what-to-do-now" in response.location and f"checkin={saved.id}" in \
        response.location
    assert db.session.scalar(select(Concern.severity).where(Concern.checkin_id == saved.id)) == "high"
    assert the_closure().closing_checkin_id == saved.id


def test_the_goodbye_is_written_once_and_the_mentee_keeps_it(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    url = f"/mentor/mentorships/{mentorship.id}/closing/goodbye"
    refused = text(client.post(url, data={"message": "Add me on insta @amira_rocks"}))
    assert "no links, email addresses, phone numbers" in refused and 'id="message-error"' in refused
    assert "At most 1,000 characters: you wrote 1,001." in text(client.post(url, data={"message": "x" * 1001}))
    assert the_closure().goodbye_message is None
    done = text(client.post(url, data={"message": "Leo, you were brilliant. Keep asking questions!"},
                            follow_redirects=True))
    assert "Your goodbye is sent. Leo will keep it." in done and "Send my goodbye" not in done
    again = text(client.post(url, data={"message": "Changed my mind"}, follow_redirects=True))
    assert "Your goodbye message is sent already." in again
    assert the_closure().goodbye_message == "Leo, you were brilliant. Keep asking questions!"

    login_as(mentorship.mentee)
    assert "Amira left you a goodbye message" in text(client.get("/"))
    page = text(client.get("/me/ending"))
    assert "A goodbye from Amira" in page and "Keep asking questions!" in page
    assert the_closure().goodbye_read_at is not None
    assert "Amira left you a goodbye message" not in text(client.get("/"))
    assert "Keep asking questions!" in text(client.get("/me/goodbyes"))


def test_the_mentors_survey_refuses_missing_answers_and_a_second_answer(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    url = f"/mentor/mentorships/{mentorship.id}/closing/survey"
    page = text(client.post(url, data={"helped": "3"}))
    assert "Would you mentor again?" in page and page.count("Choose one of the answers.") == 2
    assert count(ExitSurvey) == 0
    done = text(client.post(url, data=SURVEY, follow_redirects=True))
    assert "Thank you for your answers, and for all you gave as a mentor." in done
    assert "Talking things through, Ideas to try" in done
    again = text(client.post(url, data=SURVEY, follow_redirects=True))
    assert "You have answered these questions already. Thank you!" in again and count(ExitSurvey) == 1
    survey = db.session.scalar(select(ExitSurvey))
    assert (survey.side, survey.got_on, survey.recommend, survey.what_helped) == ("mentor", 4, "yes",
                                                                                  ["talking", "ideas"])


def test_the_mentee_answers_their_own_questions_once(client, users, login_as, mentorship, make_user):  # noqa: F811
    login_as(mentorship.mentee)
    response = client.get("/me/ending", follow_redirects=True)
    assert "Nothing to do here just now." in text(response)
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentee)
    assert "Your mentoring is coming to an end: a few questions for you" in text(client.get("/"))
    page = text(client.get("/me/ending"))
    assert "How did you and your mentor get on?" in page and "Would you tell a friend to ask for a mentor?" in page
    assert "Amira does not see them" in page
    done = text(client.post("/me/ending", data=SURVEY | {"recommend": "not_sure"}, follow_redirects=True))
    assert "Thank you for your answers. They help us make mentoring better." in done
    again = text(client.post("/me/ending", data=SURVEY, follow_redirects=True))
    assert "You have answered these questions already. Thank you!" in again
    assert [(s.side, s.recommend) for s in db.session.scalars(select(ExitSurvey))] == [("mentee", "not_sure")]
    assert "a few questions for you" not in text(client.get("/"))
    login_as(make_user("student"))  # another student of the school has no ending to walk
    assert client.post("/me/ending", data=SURVEY).status_code == 302 and count(ExitSurvey) == 1


def test_the_mentor_is_prompted_step_by_step_on_the_home_page(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    home = text(client.get("/"))
    assert "Your mentoring with Leo is ending: plan your closing meeting" in home
    assert f'href="/mentor/mentorships/{mentorship.id}/closing"' in home
    client.post(f"/mentor/mentorships/{mentorship.id}/closing/meeting", data=meeting())
    assert "Your mentoring with Leo is ending: write your goodbye" in text(client.get("/"))


def test_ending_the_mentorship_keeps_its_reason_and_what_was_done(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    client.post(f"/mentor/mentorships/{mentorship.id}/closing/meeting", data=meeting())
    client.post(f"/mentor/mentorships/{mentorship.id}/closing/goodbye", data={"message": "All the best, Leo."})
    client.post(f"/mentor/mentorships/{mentorship.id}/closing/survey", data=SURVEY)
    login_as(users["counselor"])
    ended = client.post(f"/matching/mentorships/{mentorship.id}/end", data={"reason": "completed", "note": ""},
                        follow_redirects=True)
    assert "The mentorship has ended." in text(ended)
    db.session.expire_all()
    assert (mentorship.status, mentorship.end_reason) == ("closed", "completed")
    page = text(client.get(f"/mentorships/{mentorship.id}/closure"))
    assert "Completed" in page and "(3 of 5 done)" in page and "All the best, Leo." in page
    assert "The mentor's answers" in page and "Would mentor again" in page
    assert "Private words" not in page  # the closing meeting's notes stay with the check-ins
    assert "Begin the ending" not in page
    again = text(begin(client, mentorship))
    assert "Only an active mentorship" in again

    login_as(mentorship.mentor)  # the mentor's part is over
    assert client.get(f"/mentor/mentorships/{mentorship.id}/closing").status_code == 404
    login_as(mentorship.mentee)  # the mentee still answers, reads and keeps the goodbye
    page = text(client.get("/me/ending"))
    assert "All the best, Leo." in page and "How much did it help?" in page
    assert "Private words" not in page and "Private words" not in text(client.get("/me/goodbyes"))


def test_goodbyes_are_kept_after_the_ending_page_has_closed(client, users, login_as, mentorship, school):  # noqa: F811
    c = closure.begin_closure(mentorship, users["counselor"], utcnow())
    closure.write_goodbye(c, mentorship.mentor, "Thank you for every Tuesday.", utcnow())
    from schoolpeers.mentors import services as mentors
    mentors.close_mentorship(mentorship, "completed", "", users["counselor"])
    mentorship.ended_at = utcnow() - timedelta(days=ENDING_STAYS_OPEN + 2)
    db.session.commit()
    login_as(mentorship.mentee)
    assert client.get("/me/ending").status_code == 302
    page = text(client.get("/me/goodbyes"))
    assert "From Amira" in page and "Thank you for every Tuesday." in page
    assert "Goodbye messages" in text(client.get("/"))
    login_as(UserFactory(school)("student"))
    db.session.commit()
    assert "No goodbye messages yet." in text(client.get("/me/goodbyes"))


def test_a_counselor_withholds_a_goodbye_from_the_closure_page(client, users, login_as, mentorship):  # noqa: F811
    login_as(users["counselor"])
    begin(client, mentorship)
    login_as(mentorship.mentor)
    client.post(f"/mentor/mentorships/{mentorship.id}/closing/goodbye", data={"message": "Bye, and good luck!"})
    login_as(users["counselor"])
    url = f"/mentorships/{mentorship.id}/closure/withhold-goodbye"
    page = text(client.get(f"/mentorships/{mentorship.id}/closure"))
    assert "Withhold this message" in page and url in page
    done = text(client.post(url, follow_redirects=True))
    assert "The goodbye message is withheld" in done and "only counselors read it" in done
    assert "withhold_goodbye" in {a.split(".")[-1] for a in db.session.scalars(select(AuditEvent.action))}
    login_as(mentorship.mentee)
    assert "left you a goodbye message" not in text(client.get("/"))
    assert "Bye, and good luck!" not in text(client.get("/me/ending"))
    assert "Bye, and good luck!" not in text(client.get("/me/goodbyes"))
    assert "Bye, and good luck!" not in text(client.get("/account/my-data"))
