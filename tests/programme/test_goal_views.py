"""The pages of the agreement and goals: the mentor writes it down, the mentee reads and agrees, the
mentor records progress and how it was for them after a check-in, and a counselor reads it all."""
from datetime import date, timedelta

from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.programme import agreements
from schoolpeers.programme.models import Agreement, Goal, GoalProgress, MentorFeeling
from tests.factories import UserFactory

LIMITS = agreements.CONFIDENTIALITY_LIMITS[1]


def agreement_form(**overrides):
    values = {"how_often": "weekly", "where": "The library at lunch", "ground_rules": "We are on time.",
              "area_1": "friendships", "wording_1": "Talk to someone new each week", "area_2": "", "wording_2": "",
              "area_3": "school_work", "wording_3": "Plan homework on Sundays", "mentor_agreed": "y"}
    return values | overrides


def checkin_form(**overrides):
    return {"occurred_on": date.today().isoformat(), "duration_minutes": "30", "mode": "in_person",
            "wellbeing": "4", "notes": ""} | overrides


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_pair_write_it_down_and_both_agree(client, mentorship, login_as):
    login_as(mentorship.mentor)
    home = text(client.get("/"))
    assert "Write down your agreement and goals with Leo" in home
    mentees = text(client.get("/mentor/mentees"))
    assert f"/mentor/mentorships/{mentorship.id}/agreement" in mentees and "Agreement and goals" in mentees
    page = client.get(f"/mentor/mentorships/{mentorship.id}/agreement")
    assert LIMITS in text(page) and "We agreed this together at our first meeting" in text(page)
    saved = client.post(f"/mentor/mentorships/{mentorship.id}/agreement", data=agreement_form(), follow_redirects=True)
    assert "Leo can now read it and agree" in text(saved) and "has not agreed it on their own page yet" in text(saved)
    assert [(g.position, g.wording) for g in db.session.scalars(select(Goal).order_by(Goal.position))] == [
        (1, "Talk to someone new each week"), (3, "Plan homework on Sundays")]
    assert "Write down your agreement" not in text(client.get("/"))

    login_as(mentorship.mentee)
    assert "Read your mentoring agreement and agree to it" in text(client.get("/"))
    mine = text(client.get("/me/agreement"))
    assert "Every week" in mine and "The library at lunch" in mine and "Plan homework on Sundays" in mine
    assert LIMITS in mine and "I agree" in mine
    agreement = db.session.scalar(select(Agreement))
    agreed = client.post("/me/agreement", data={"version": agreements.version_of(agreement)}, follow_redirects=True)
    assert "have both agreed" in text(agreed) and "You agreed this on" in text(agreed)
    db.session.refresh(agreement)
    assert agreement.mentee_agreed_at is not None
    home = text(client.get("/"))
    assert "Read and agree" not in home and 'href="/me/agreement"' in home  # still there to read again

    login_as(mentorship.mentor)  # a change: the mentee is asked again
    client.post(f"/mentor/mentorships/{mentorship.id}/agreement", data=agreement_form(where="Room 4"))
    db.session.refresh(agreement)
    assert agreement.where == "Room 4" and agreement.mentee_agreed_at is None
    login_as(mentorship.mentee)
    assert "Read your mentoring agreement and agree to it" in text(client.get("/"))


def test_mistakes_show_next_to_the_field_and_nothing_is_saved(client, mentorship, login_as):
    login_as(mentorship.mentor)
    url = f"/mentor/mentorships/{mentorship.id}/agreement"
    for overrides, message in (({"where": ""}, "Say where you will meet."),
                               ({"area_1": "", "area_3": ""}, "Choose what this goal is about."),
                               ({"wording_1": "", "wording_3": "", "area_1": "", "area_3": ""},
                                "Write down at least one goal."),
                               ({"mentor_agreed": ""}, "Tick this once you have agreed it together.")):
        page = client.post(url, data=agreement_form(**overrides))
        assert page.status_code == 200 and message in text(page) and 'class="error"' in text(page), overrides
    assert db.session.scalar(select(Agreement)) is None and db.session.scalar(select(Goal)) is None


def test_a_mentee_without_an_agreement_or_a_mentor(client, mentorship, login_as, make_user):
    login_as(mentorship.mentee)
    page = text(client.get("/me/agreement"))
    assert "Amira will write down with you" in page and "I agree" not in page
    refused = client.post("/me/agreement", data={"version": ""}, follow_redirects=True)
    assert "There is no agreement to read yet." in text(refused)
    login_as(make_user("student"))
    away = client.get("/me/agreement", follow_redirects=True)
    assert "Your agreement comes once you have a peer mentor" in text(away)


def test_the_mentee_is_asked_again_when_it_changed_while_they_read(client, mentorship, login_as):
    login_as(mentorship.mentor)
    client.post(f"/mentor/mentorships/{mentorship.id}/agreement", data=agreement_form())
    agreement = db.session.scalar(select(Agreement))
    read = agreements.version_of(agreement)
    agreement.mentor_agreed_at = agreement.mentor_agreed_at + timedelta(minutes=5)  # the mentor changed it since
    db.session.commit()
    login_as(mentorship.mentee)
    page = client.post("/me/agreement", data={"version": read}, follow_redirects=True)
    assert "has just changed the agreement" in text(page)
    db.session.refresh(agreement)
    assert agreement.mentee_agreed_at is None


def test_after_a_check_in_the_mentor_records_progress_and_how_it_was(client, mentorship, login_as, users):
    login_as(mentorship.mentor)
    client.post(f"/mentor/mentorships/{mentorship.id}/agreement", data=agreement_form())
    first, third = db.session.scalars(select(Goal).order_by(Goal.position)).all()
    logged = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=checkin_form())
    checkin = db.session.scalar(select(CheckIn))
    assert logged.status_code == 302 and logged.location.endswith(f"/mentor/checkins/{checkin.id}/after")
    page = text(client.get(logged.location))
    assert "Talk to someone new each week" in page and "How was this check-in for you?" in page and "Skip" in page
    done = client.post(logged.location, data={f"goal_{first.id}": "3", f"goal_{third.id}": "", "feeling": "hard",
                                              "wants_to_talk": "y", "note": "I felt out of my depth."},
                       follow_redirects=True)
    assert "A counselor will see this" in text(done)
    assert db.session.execute(select(GoalProgress.goal_id, GoalProgress.progress)).all() == [(first.id, 3)]
    feeling = db.session.scalar(select(MentorFeeling))
    assert (feeling.feeling, feeling.wants_to_talk, feeling.note) == ("hard", True, "I felt out of my depth.")
    assert feeling.needs_counselor and feeling.mentor_id == mentorship.mentor_id

    again = text(client.get(logged.location))  # answers shown again, to change within the day
    assert 'checked id="feeling-2"' in again and '<option selected value="3">Good progress</option>' in again
    mine = text(client.get(f"/mentor/mentorships/{mentorship.id}/agreement"))
    assert "Good progress" in mine and "no progress recorded yet" in mine

    login_as(users["counselor"])
    listing = text(client.get("/matching/mentorships"))
    assert f"/mentorships/{mentorship.id}/goals" in listing
    goals_page = text(client.get(f"/mentorships/{mentorship.id}/goals"))
    assert "Talk to someone new each week" in goals_page and "Good progress" in goals_page
    assert "The library at lunch" in goals_page and "not yet agreed" in goals_page
    assert "out of my depth" not in goals_page  # the mentor's own words are not part of the pair's record


def test_skipping_and_a_day_later(client, mentorship, login_as):
    login_as(mentorship.mentor)
    logged = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=checkin_form())
    page = text(client.get(logged.location))
    assert "You have not written down your agreement and goals yet" in page
    assert client.post(logged.location, data={}).location.endswith("/mentor/mentees")
    assert db.session.scalar(select(MentorFeeling)) is None
    checkin = db.session.scalar(select(CheckIn))
    checkin.created_at = checkin.created_at - timedelta(hours=25)
    db.session.commit()
    late = client.post(logged.location, data={"feeling": "hard"}, follow_redirects=True)
    assert "can be added for 24 hours after a check-in" in text(late)
    assert db.session.scalar(select(MentorFeeling)) is None


def test_a_goal_with_progress_cannot_be_removed_on_the_page(client, mentorship, login_as):
    login_as(mentorship.mentor)
    url = f"/mentor/mentorships/{mentorship.id}/agreement"
    client.post(url, data=agreement_form())
    first = db.session.scalar(select(Goal).where(Goal.position == 1))
    logged = client.post(f"/mentor/mentorships/{mentorship.id}/checkin", data=checkin_form())
    client.post(logged.location, data={f"goal_{first.id}": "2"})
    page = client.post(url, data=agreement_form(area_1="", wording_1=""))
    assert "Progress on this goal is recorded at your check-ins, so it stays." in text(page)
    assert db.session.get(Goal, first.id) is not None


def test_pages_of_another_pair_or_school_answer_not_found(client, mentorship, login_as, other_school, make_user):
    logged_by_mentor = login_as(mentorship.mentor).post(f"/mentor/mentorships/{mentorship.id}/checkin",
                                                        data=checkin_form())
    for person in (make_user("student"), mentorship.mentee, UserFactory(other_school)("student")):
        db.session.commit()
        login_as(person)
        assert client.get(f"/mentor/mentorships/{mentorship.id}/agreement").status_code == 404
        assert client.post(logged_by_mentor.location, data={"feeling": "fine"}).status_code == 404
    login_as(UserFactory(other_school)("counselor"))
    db.session.commit()
    assert client.get(f"/mentorships/{mentorship.id}/goals").status_code == 404
    assert db.session.scalar(select(MentorFeeling)) is None
