"""The demo school's programme cycle over its year, through the real services: each pair's agreement
and goals with progress at their check-ins, the well-being questionnaire at the start, monthly
supervision, the mentors' own checks, and about half of the pairs walked through their ending in the
summer (closing meeting, exit surveys, goodbye message, the questionnaire again), so that the
outcomes report of the last school year has figures to show. Called by `demo`."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.mentors.services import close_mentorship, profile_for, school_year_end
from schoolpeers.programme import agreements, closure, feelings, goals, outcomes, supervision
from schoolpeers.programme.certificates import issue_certificate
from schoolpeers.programme.closure_rules import SurveyAnswers
from schoolpeers.programme.goal_rules import GoalText
from schoolpeers.programme.models import SUPERVISION_THEMES
from schoolpeers.timeutil import utcnow

# What pairs most often work on, in their own words; the first areas come up most.
GOAL_IDEAS = (
    ("friendships", "Find a group to sit with at lunch"),
    ("school_work", "Hand homework in on time with a weekly plan"),
    ("feelings", "Have a way to calm down before tests"),
    ("confidence", "Put my hand up once in every lesson"),
    ("settling_in", "Know where to go and who to ask when something goes wrong"),
    ("health", "Be in bed by ten on school nights"),
)
GOODBYES = (
    "It was really good meeting you every other week. You've got this - keep going to drama club!",
    "Thanks for all our chats. I'm proud of how you stuck with the homework plan. Good luck next year!",
    "You are much braver than you think. Say hi in the corridor any time!",
)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), timezone.utc)


def plan_endings(mentorships: list[Mentorship], rng: random.Random, today: date) -> dict[int, date]:
    """The closing day of the pairs that end before the summer: about half, never the demo logins'
    pair nor the two the concerns are about."""
    summer = school_year_end(today) - timedelta(days=365 if today.month >= 9 else 0)
    ends = {}
    for mentorship in mentorships[2:]:
        if mentorship.mentee.username == "mentee" or rng.random() < 0.45:
            continue
        ends[mentorship.id] = summer - timedelta(days=rng.randint(35, 80))
    return ends


def run_the_cycle(school: School, mentorships: list[Mentorship], ends: dict[int, date], counselor: User,
                  rng: random.Random, today: date) -> None:
    for mentorship in mentorships:
        level = rng.uniform(2.2, 3.4)  # how this mentee was doing when it began
        _agree(mentorship, rng)
        _questionnaire(mentorship, "start", mentorship.began_on + timedelta(days=rng.randint(1, 6)), rng, level)
        _progress(mentorship, rng)
        if mentorship.id in ends:
            _end(mentorship, ends[mentorship.id], counselor, rng, level + rng.choice((-0.2, 0.2, 0.4, 0.6, 0.8)))
    _supervise(school, counselor, rng, today)
    _mentors_own_checks(mentorships, counselor, rng)
    _certify_the_demo_mentor(counselor, today)


def _agree(mentorship: Mentorship, rng: random.Random) -> None:
    chosen = rng.sample(GOAL_IDEAS[:4], 1) + rng.sample(GOAL_IDEAS[4:], rng.randint(0, 1))
    agreement, _ = agreements.save_agreement(mentorship, mentorship.mentor, agreements.AgreementData(
        how_often="fortnightly", where=rng.choice(("The library at lunchtime", "Room 14 after school")),
        ground_rules="We turn up on time, we listen without judging, and we say when something is not okay.",
        goals=[GoalText(area, words) for area, words in chosen], mentor_agreed=True),
        at(mentorship.began_on), mentorship.began_on)
    if mentorship.mentee.username != "mentee":  # the demo mentee has it still to read
        agreements.agree_as_mentee(mentorship.mentee, agreements.version_of(agreement), at(mentorship.began_on, 15))
    agreement.created_at = at(mentorship.began_on)


def _questionnaire(mentorship: Mentorship, occasion: str, day: date, rng: random.Random, level: float) -> None:
    """Answers around the mentee's level (0 to 5 per question); never low enough to raise a concern."""
    answers = [min(5, max(2, round(rng.gauss(level, 0.6)))) for _ in range(5)]
    measure, _ = outcomes.record_answers(mentorship.mentee, mentorship.id, occasion, answers, day, at(day, 16))
    measure.created_at = at(day, 16)


def _progress(mentorship: Mentorship, rng: random.Random) -> None:
    """Progress on each goal at every other check-in, slowly upwards."""
    pair_goals = goals.goals_of(mentorship)
    logged = list(db.session.scalars(select(CheckIn).where(
        CheckIn.school_id == mentorship.school_id, CheckIn.mentorship_id == mentorship.id)
        .order_by(CheckIn.occurred_on)))
    for n, checkin in enumerate(logged[1::2]):
        goals.record_progress(checkin, mentorship.mentor, {
            goal.id: min(4, 1 + (n + rng.randint(0, 3)) // 4) for goal in pair_goals}, utcnow())


def _end(mentorship: Mentorship, day: date, counselor: User, rng: random.Random, level: float) -> None:
    """The walk through the ending: begun two weeks before, the closing meeting on the day."""
    ending = closure.begin_closure(mentorship, counselor, at(day - timedelta(days=14)))
    meeting, _ = closure.log_closing_meeting(ending, mentorship.mentor, checkins.CheckInData(
        occurred_on=day, duration_minutes=30, mode="in_person", wellbeing=rng.choice((3, 4, 4, 5)),
        notes="Looked back at the year together: the homework plan works now. We said thank you and goodbye."), day)
    meeting.created_at = at(day, 13)
    closure.write_goodbye(ending, mentorship.mentor, rng.choice(GOODBYES), at(day, 14))
    closure.answer_as_mentor(ending, mentorship.mentor, _survey(rng, mentor=True), at(day, 14))
    closure.answer_as_mentee(ending, mentorship.mentee, _survey(rng, mentor=False), day, at(day, 15))
    closure.read_goodbye(ending, mentorship.mentee, at(day, 15))
    _questionnaire(mentorship, "end", day, rng, level)  # most feel a little better by the end
    close_mentorship(mentorship, "completed", "Goals reached; a good ending.", counselor)
    mentorship.ended_at = at(day + timedelta(days=1))


def _survey(rng: random.Random, *, mentor: bool) -> SurveyAnswers:
    return SurveyAnswers(got_on=rng.choice((3, 4, 4, 5, 5)), helped=rng.choice((3, 4, 4, 5)),
                         recommend=rng.choice(("yes", "yes", "yes", "not_sure")),
                         what_helped=tuple(rng.sample(("listening", "talking", "ideas", "school_work", "friends",
                                                       "confidence"), 2 if mentor else 3)))


def _supervise(school: School, counselor: User, rng: random.Random, today: date) -> None:
    """A group session every month; one mentor missed the last three, so the dashboard shows them."""
    mentors = supervision.eligible_mentors(school.id)
    missing = next((m for m in mentors if m.username != "mentor"), None)
    for months_back in range(11, 0, -1):
        held_on = today - timedelta(days=30 * months_back + rng.randint(0, 5))
        came = [m.id for m in mentors if rng.random() < 0.8 or m.username == "mentor"]
        if months_back <= 3 and missing is not None:
            came = [i for i in came if i != missing.id]
        supervision.record_session(school, supervision.SessionData(
            held_on=held_on, kind="group", minutes=45, themes=rng.sample(list(SUPERVISION_THEMES), 2),
            attendee_ids=came), counselor, held_on)


def _mentors_own_checks(mentorships: list[Mentorship], counselor: User, rng: random.Random) -> None:
    """Most mentors say how a check-in was for them now and then; one hard one the counselor has
    seen, and the newest (the check-in that raised the open concern) still waiting."""
    active = [m for m in mentorships if m.status == "active"]
    for n, mentorship in enumerate(active[:2]):
        latest = db.session.scalar(select(CheckIn).where(
            CheckIn.school_id == mentorship.school_id, CheckIn.mentorship_id == mentorship.id)
            .order_by(CheckIn.occurred_on.desc(), CheckIn.id.desc()).limit(1))
        answer = feelings.FeelingAnswer("hard", n == 1, "I didn't know what to say, and kept thinking about it.")
        feeling = feelings.record_feeling(latest, mentorship.mentor, answer, utcnow())
        if n == 0:
            supervision.mark_seen(feeling, counselor, utcnow())
    for mentorship in active[2:]:
        if rng.random() < 0.5:
            latest = db.session.scalar(select(CheckIn).where(
                CheckIn.school_id == mentorship.school_id, CheckIn.mentorship_id == mentorship.id)
                .order_by(CheckIn.occurred_on.desc()).limit(1))
            feelings.record_feeling(latest, mentorship.mentor, feelings.FeelingAnswer(rng.choice(("fine", "bit_hard"))),
                                    utcnow())


def _certify_the_demo_mentor(counselor: User, today: date) -> None:
    """Last school year's certificate for the demo mentor, so their volunteering page has one."""
    mentor = db.session.scalar(select(User).where(User.school_id == counselor.school_id, User.username == "mentor"))
    profile = profile_for(mentor) if mentor else None
    if profile is None:
        return
    year_end = school_year_end(today) - timedelta(days=365)
    issue_certificate(profile, counselor, date(year_end.year - 1, 9, 1), year_end, "", today)

