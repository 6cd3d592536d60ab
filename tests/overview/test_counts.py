"""The dashboard counts everything in one statement, with the same definitions as the counts it replaces."""
from datetime import date, timedelta

from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import checkins
from schoolpeers.mentors import services as mentors
from schoolpeers.oversight import services
from schoolpeers.oversight.models import Concern
from schoolpeers.overview.counts import DashboardCounts, dashboard_counts, recent_since
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, make_mentor, make_request


def test_dashboard_counts_agree_with_each_count(school, other_school, users, make_user):
    counselor, today = users["counselor"], date.today()
    for n in range(3):
        make_mentor(school, counselor, capacity=1, given_name=f"Mentor{n}")
    profile = make_mentor(school, counselor, given_name="Expiring")
    profile.certified_until = today + timedelta(days=3)
    waiting = [make_request(make_user("student", grade=7)) for _ in range(4)]
    matching.match_single(waiting[0], counselor, today)  # proposed: no longer "waiting", one proposal
    for severity, status in (("high", "open"), ("high", "open"), ("medium", "open"), ("high", "acknowledged")):
        concern = services.raise_concern(school, make_user("student"), source="manual", severity=severity,
                                         summary="x", raised_by=None, now=utcnow())
        if status == "acknowledged":
            services.acknowledge(concern, counselor, utcnow())
    services.raise_concern(other_school, UserFactory(other_school)("student"), source="manual", severity="high",
                           summary="x", raised_by=None, now=utcnow())
    db.session.commit()

    now = utcnow()
    counts = dashboard_counts(school.id, now, today)
    first_urgent = db.session.scalar(select(func.min(Concern.id)).where(
        Concern.school_id == school.id, Concern.severity == "high", Concern.status == "open"))
    assert counts == DashboardCounts(
        urgent=services.urgent_banner_facts(school.id)[0], waiting=matching.count_needing_mentor(school.id),
        proposals=matching.count_proposals(school.id), expiring=mentors.count_expiring_soon(school.id, today),
        first_urgent_id=first_urgent)
    assert counts == DashboardCounts(urgent=2, waiting=3, proposals=1, expiring=counts.expiring,
                                     first_urgent_id=first_urgent)
    assert counts.expiring >= 1


def test_the_recent_events_are_counted_as_their_lists_count_them(school, other_school, users, make_user):
    """The dashboard asks for the list of recent "not a good fit"s, and of mentorships whose mentor
    left, only when the counts find some: both must count what the lists show, in the same window."""
    now, today = utcnow(), date.today()
    since = recent_since(now)

    def active_mentorship(school, counselor, make_student):
        make_mentor(school, counselor)
        mentorship = matching.match_single(make_request(make_student("student", grade=8)), counselor, today)
        matching.approve(mentorship, counselor, today)
        return mentorship

    elsewhere = UserFactory(other_school)
    ours, older = (active_mentorship(school, users["counselor"], make_user) for _ in range(2))
    theirs = active_mentorship(other_school, elsewhere("counselor"), elsewhere)
    checkins.add_feedback(ours.mentee, "not_a_good_fit", "we never meet")
    checkins.add_feedback(ours.mentee, "going_well", "")
    checkins.add_feedback(theirs.mentee, "not_a_good_fit", "another school's")
    checkins.add_feedback(older.mentee, "not_a_good_fit", "long ago").created_at = since - timedelta(minutes=1)
    for mentorship, ended_at in ((ours, now), (theirs, now), (older, since - timedelta(days=1))):
        mentorship.status, mentorship.end_reason, mentorship.ended_at = "closed", "mentor_left", ended_at
    db.session.commit()

    counts = dashboard_counts(school.id, now, today)
    assert (counts.not_a_good_fit, counts.mentor_left) == (1, 1)
    assert counts.not_a_good_fit == checkins.not_a_good_fit_page(school.id, since, 1, 25).total
    assert counts.mentor_left == matching.mentor_left_page(school.id, since, 1, 25).total
