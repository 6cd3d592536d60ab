"""The dashboard counts everything in one statement, with the same definitions as the counts it replaces."""
from datetime import date, timedelta

from sqlalchemy import func, select

from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors import services as mentors
from schoolpeers.oversight import services
from schoolpeers.oversight.models import Concern
from schoolpeers.overview.counts import DashboardCounts, dashboard_counts
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

    counts = dashboard_counts(school.id, today)
    first_urgent = db.session.scalar(select(func.min(Concern.id)).where(
        Concern.school_id == school.id, Concern.severity == "high", Concern.status == "open"))
    assert counts == DashboardCounts(
        urgent=services.urgent_banner_facts(school.id)[0], waiting=matching.count_needing_mentor(school.id),
        proposals=matching.count_proposals(school.id), expiring=mentors.count_expiring_soon(school.id, today),
        first_urgent_id=first_urgent)
    assert counts == DashboardCounts(urgent=2, waiting=3, proposals=1, expiring=counts.expiring,
                                     first_urgent_id=first_urgent)
    assert counts.expiring >= 1

