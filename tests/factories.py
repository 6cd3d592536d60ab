"""Test data: users with sensible defaults, unique within a test."""
from __future__ import annotations

import io
import itertools
import re

from schoolpeers import jobs
from schoolpeers.accounts import approvals, roster_jobs, services
from schoolpeers.accounts.models import School, User

PASSWORD = "correct horse battery staple"  # long enough for every role
_counter = itertools.count(1)


class UserFactory:
    def __init__(self, school: School):
        self.school = school

    def __call__(self, role: str = "student", *, password: str | None = None, **overrides) -> User:
        n = next(_counter)
        values = {
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "username": f"{role}{n}",
            "email": f"{role}{n}@example.org",
            "grade": 8 if role == "student" else None,
        }
        values.update(overrides)
        return services.create_user(self.school, role=role, password=password, **values)


def make_mentor(school: School, counselor: User, *, grade: int = 10, capacity: int = 2, certified: bool = True,
                topics: int = 3, **user_overrides):
    """A student who applied, was accepted, trained and (by default) certified."""
    from datetime import date

    from schoolpeers.accounts.topics import list_topics
    from schoolpeers.mentors import services as mentors

    user = UserFactory(school)("student", grade=grade, **user_overrides)
    profile = mentors.apply_to_mentor(user, bio="I like football.", motivation="To help.", capacity=capacity,
                                      topics=list_topics(school)[:topics], availability=["mon-lunch"])
    mentors.decide_application(profile, True, counselor)
    if certified:
        today = date.today()
        for module in mentors.training_modules(school.id):
            mentors.record_completion(profile, module, today, counselor)
        mentors.certify(profile, counselor, today)
    return profile


def make_request(student: User, **overrides):
    from schoolpeers.accounts.services import list_interests
    from schoolpeers.accounts.topics import list_topics
    from schoolpeers.matching import services as matching

    values = {"interests": list_interests(student.school_id)[:2], "topics": list_topics(student.school)[:1],
              "language": None, "same_gender": False, "availability": ["mon-lunch"], "note": "",
              "created_by": student}
    values.update(overrides)
    return matching.create_request(student, **values)


def consent_not_required(school: School) -> None:
    """The school asks no family's consent: tests of other features start there (a new school's
    defaults ask it of younger students; the families tests set their own policy)."""
    from schoolpeers.extensions import db
    from schoolpeers.families.models import ConsentPolicy

    db.session.add(ConsentPolicy(school_id=school.id, mentee_rule="not_required", mentor_rule="not_required",
                                 younger_rule="not_required", programme_text=""))
    db.session.flush()


def make_district(school: School, slug: str, *, with_provider: bool = True) -> dict:
    """`school` in a new district, with a district admin and a district analyst in its office, and
    unless told otherwise a sign-in provider (whose issuer nothing answers: no test reaches out to a
    real one by accident)."""
    from schoolpeers.accounts.sso_models import SignInProvider
    from schoolpeers.districts.provisioning import create_district
    from schoolpeers.extensions import db

    district, office = create_district(f"District {slug}", slug)
    school.district_id = district.id
    provider = None
    if with_provider:
        provider = SignInProvider(district_id=district.id, kind="oidc", label="School account",
                                  issuer=f"https://localhost:9/{slug}", client_id="client",
                                  client_secret_sealed="", allowed_domains=[f"{slug}.example"])
        db.session.add(provider)
    db.session.flush()
    people = {role: UserFactory(office)(role) for role in ("district_admin", "district_analyst")}
    db.session.flush()
    return {"district": district, "office": office, "provider": provider, **people}


def one_of_each_record(school: School, people: dict) -> tuple[dict, dict[str, int]]:
    """A mentor for people["counselor"], an active mentorship of people["student"] with a check-in
    and a concern; returns the people with their "mentor" added, and each record's id by the name
    routes give it."""
    from datetime import date, timedelta

    from schoolpeers.extensions import db
    from schoolpeers.families import services as families
    from schoolpeers.matching import services as matching
    from schoolpeers.mentors import checkins
    from schoolpeers.notifications.models import Meeting
    from schoolpeers.oversight import services as oversight
    from schoolpeers.resources import services as resources
    from schoolpeers.timeutil import utcnow

    counselor, mentee = people["counselor"], people["student"]
    profile = make_mentor(school, counselor)
    mentorship = matching.match_single(make_request(mentee), counselor, date.today())
    matching.approve(mentorship, counselor, date.today())
    checkin, _ = checkins.log_checkin(mentorship, profile.user, checkins.CheckInData(
        date.today(), 20, "online", 4, notes="private words"), date.today())
    concern = oversight.raise_concern(school, mentee, source="manual", severity="low", summary="x",
                                      raised_by=counselor, now=utcnow())
    guardian = families.add_guardian(mentee, given_name="Pat", family_name="Parent", relationship="parent",
                                     email="pat@example.org", phone=None)
    resource = resources.save_resource(school, resources.ResourceData(
        "Breathing slowly", "In for four, out for six.", date.today()), counselor)
    meeting = Meeting(school_id=school.id, mentorship_id=mentorship.id, mentor_id=profile.user_id,
                      mentee_id=mentee.id, starts_at=utcnow() + timedelta(days=3), minutes=30)
    db.session.add(meeting)
    programme = _programme_records(school, mentorship, checkin, counselor)
    circles = _circle_records(school, counselor, leader=profile.user, member=mentee)
    job = approval = None
    if "admin" in people:  # an admin's finished roster import, for its result page
        job = jobs.start(roster_jobs.KIND, people["admin"], {"upload": "gone"})
        job.finish("refused", "The checked file is no longer kept.")
    if "admin" in people and "staff" in people:  # an admin asking to make the staff member a counselor
        approval = approvals.ask("grant_counselor", people["staff"], people["admin"])
    db.session.commit()
    ids = {"user_id": mentee.id, "student_id": mentee.id, "profile_id": profile.id,
           "mentorship_id": mentorship.id, "request_id": matching.request_of(mentorship).id,
           "checkin_id": checkin.id, "concern_id": concern.id, "job_id": job.id if job else "none",
           "approval_id": approval.id if approval else 0, "guardian_id": guardian.id, "resource_id": resource.id,
           "meeting_id": meeting.id, **programme, **circles}
    return {**people, "mentor": profile.user}, ids


def _programme_records(school: School, mentorship, checkin, counselor) -> dict[str, int]:
    """One record of each kind of the programme cycle around `mentorship`, by the names routes give
    their ids."""
    from datetime import date

    from schoolpeers.extensions import db
    from schoolpeers.programme import models as programme

    mentor_id, mentee_id = mentorship.mentor_id, mentorship.mentee_id
    goal = programme.Goal(school_id=school.id, mentorship_id=mentorship.id, position=1, area="friendships",
                          wording="Talk to someone new each week")
    feeling = programme.MentorFeeling(school_id=school.id, mentor_id=mentor_id, checkin_id=checkin.id,
                                      feeling="hard", wants_to_talk=True)
    session = programme.SupervisionSession(school_id=school.id, held_on=date.today(), kind="group", minutes=45,
                                           themes=["boundaries"], recorded_by_id=counselor.id)
    session.attendance = [programme.SupervisionAttendance(school_id=school.id, mentor_id=mentor_id)]
    measure = programme.OutcomeMeasure(school_id=school.id, mentee_id=mentee_id, mentorship_id=mentorship.id,
                                       occasion="start", scale="who5", answers=[3, 3, 3, 3, 3], score=60,
                                       grade=mentorship.mentee.grade, answered_on=date.today())
    certificate = programme.Certificate(school_id=school.id, mentor_id=mentor_id, issued_by_id=counselor.id,
                                        issued_on=date.today(), period_from=date.today(), period_to=date.today(),
                                        checkin_minutes=20, training_minutes=0, supervision_minutes=45)
    db.session.add_all([goal, feeling, session, measure, certificate])
    db.session.flush()
    return {"goal_id": goal.id, "feeling_id": feeling.id, "session_id": session.id, "measure_id": measure.id,
            "certificate_id": certificate.id}


def _circle_records(school: School, counselor, *, leader, member) -> dict[str, int]:
    """A circle open to every grade, led by `leader` (the mentor) with `member` (the mentee) as an
    agreed member; a session plan; a held session `member` attended; a workshop to come."""
    from datetime import timedelta

    from schoolpeers.accounts.topics import list_topics
    from schoolpeers.circles import models as circles
    from schoolpeers.extensions import db
    from schoolpeers.resources.models import SessionPlan
    from schoolpeers.timeutil import utcnow

    now = utcnow()
    plan = SessionPlan(school_id=school.id, title="Getting to know each other", opening_round="Names and one word.",
                       activity="Pairs share one hope.", coping_skill="Slow breathing.", closing_round="One word.",
                       minutes=45, created_by_id=counselor.id)
    db.session.add(plan)
    db.session.flush()
    circle = circles.Circle(school_id=school.id, name="Exam stress circle", topic_id=list_topics(school)[0].id,
                            grade_min=1, grade_max=12, capacity=8, counselor_id=counselor.id,
                            created_by_id=counselor.id)
    circle.leader_links = [circles.CircleLeader(school_id=school.id, leader_id=leader.id)]
    db.session.add(circle)
    db.session.flush()
    place = circles.CircleMember(school_id=school.id, circle_id=circle.id, student_id=member.id, status="member",
                                 asked_at=now - timedelta(days=10), placed_at=now - timedelta(days=9),
                                 agreed_at=now - timedelta(days=9))
    held = circles.GroupSession(school_id=school.id, circle_id=circle.id, plan_id=plan.id, title=plan.title,
                                starts_at=now - timedelta(days=2), minutes=45, status="held", how_it_went="well",
                                notes="We practised breathing.", logged_by_id=leader.id, logged_at=now)
    workshop = circles.GroupSession(school_id=school.id, title="Mental health day", about="Open to everyone.",
                                    starts_at=now + timedelta(days=5), minutes=60, grade_min=1, grade_max=12,
                                    capacity=30, created_by_id=counselor.id)
    db.session.add_all([place, held, workshop])
    db.session.flush()
    db.session.add(circles.SessionAttendance(school_id=school.id, session_id=held.id, student_id=member.id,
                                             present=True))
    db.session.flush()
    return {"plan_id": plan.id, "circle_id": circle.id, "place_id": place.id, "group_session_id": held.id,
            "workshop_id": workshop.id}


def upload_roster(client, content: bytes | str, name: str = "users.csv", mode: str = "delta"):
    """The admin's roster page with a file, as the browser sends it."""
    data = content.encode() if isinstance(content, str) else content
    return client.post("/admin/roster", data={"file": (io.BytesIO(data), name), "mode": mode},
                       content_type="multipart/form-data")


def roster_upload_id(page) -> str:
    """The checked file's reference the preview's import form sends back."""
    return re.search(r'name="upload" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
