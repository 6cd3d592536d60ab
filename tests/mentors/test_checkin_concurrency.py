"""Check-ins logged at the same moment for one mentorship, on PostgreSQL: every one is saved and
screened against the ones saved before it, so no concern is lost or raised twice."""
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.severity import Severity
from tests.parallel import all_at_once

THREADS = 8


@pytest.fixture(autouse=True)
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks and real parallel transactions (set TEST_DATABASE_URL)")


def log_all_at_once(app, mentorship_id: int, mentor_id: int, ratings: list[int]) -> list[str]:
    """One check-in per rating, all at once."""
    def log(wellbeing: int) -> str:
        mentorship, mentor = db.session.get(Mentorship, mentorship_id), db.session.get(User, mentor_id)
        checkins.log_checkin(mentorship, mentor, checkins.CheckInData(
            date.today(), 20, "online", wellbeing, notes="We talked about football.",
            worried=wellbeing == 1, worry_reason="Very quiet today.", worry_severity="medium"),
            date.today())
        return "saved"

    return all_at_once(app, log, [(rating,) for rating in ratings])


def expected_findings(checkin: CheckIn) -> Counter:
    """The concern screening raises for this check-in against the check-ins saved before it: one,
    named after its most urgent finding, with a line for each finding (or none)."""
    findings = risk.assess_checkin(
        wellbeing=checkin.wellbeing, earlier_wellbeing=checkins.earlier_wellbeing(checkin), notes=checkin.notes,
        worry_flag=checkin.worried,
        worry_severity=risk.Severity(checkin.worry_severity) if checkin.worry_severity else None)
    if not findings:
        return Counter()
    first = max(findings, key=lambda f: Severity(f.severity).rank)  # the first of the most urgent
    return Counter({(str(first.source), str(first.severity), len(findings)): 1})


def test_parallel_checkins_are_all_saved_and_each_screened_once(app, mentorship):
    # Good days and bad days at once: whether a bad day is a drop depends on the days saved before it.
    ratings = [5, 1, 5, 2, 5, 1, 4, 2][:THREADS]
    outcomes = log_all_at_once(app, mentorship.id, mentorship.mentor_id, ratings)

    assert outcomes == ["saved"] * THREADS
    saved = list(db.session.scalars(select(CheckIn).where(CheckIn.mentorship_id == mentorship.id)))
    assert sorted(c.wellbeing for c in saved) == sorted(ratings)
    for checkin in saved:
        raised = Counter((source, severity, len(summary.splitlines())) for source, severity, summary in
                         db.session.execute(select(Concern.source, Concern.severity, Concern.summary).where(
                             Concern.checkin_id == checkin.id)))
        assert raised == expected_findings(checkin), f"check-in {checkin.id} rated {checkin.wellbeing}"
    # Each concern has its "raised" event, once.
    concerns = db.session.scalar(select(func.count()).select_from(Concern))
    raised_events = db.session.scalar(select(func.count()).select_from(ConcernEvent).where(
        ConcernEvent.kind == "raised"))
    assert concerns == raised_events > 0

