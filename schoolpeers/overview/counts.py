"""Every count a counselor's pages show, across the features, in one statement."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import g
from sqlalchemy import bindparam, select

from schoolpeers.accounts.models import School
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.mentors.checkins import not_a_good_fit_count_query
from schoolpeers.mentors.services import expiring_soon_count_query, expiry_warning_until
from schoolpeers.oversight import services as oversight
from schoolpeers.programme import supervision


@dataclass(frozen=True)
class DashboardCounts:
    urgent: int  # high concerns not yet acknowledged (the banner)
    waiting: int  # students waiting for a mentor, nothing proposed yet
    proposals: int  # proposals waiting for a counselor
    expiring: int  # mentors whose training expires soon
    first_urgent_id: int | None  # the urgent concern with the lowest id (the banner opens it when it is the one)
    supervision_overdue: int = 0  # mentors overdue for supervision
    feelings_waiting: int = 0  # mentors' own checks after a hard check-in, not yet seen
    # Since `recent_since`: mentees' "not a good fit", and mentorships ended because the mentor left.
    # Rare: the dashboard asks for their lists only when there is something to list.
    not_a_good_fit: int = 0
    mentor_left: int = 0


#: How far back the dashboard's lists of recent events reach.
RECENT = timedelta(days=30)


def recent_since(now: datetime) -> datetime:
    return now - RECENT


# Built once: every page a counselor opens shows these counts, and building this statement anew
# (with its cache key) cost more than running it.
_URGENT = oversight.urgent_query(bindparam("school_id")).subquery()
_DASHBOARD = select(
    _URGENT.c.urgent,
    matching.needing_mentor_count_query(bindparam("school_id")).scalar_subquery(),
    matching.proposals_count_query(bindparam("school_id")).scalar_subquery(),
    expiring_soon_count_query(bindparam("school_id"), bindparam("today"), bindparam("until")).scalar_subquery(),
    _URGENT.c.first_urgent_id,
    supervision.overdue_count_query(bindparam("school_id"), bindparam("cutoff"), bindparam("cutoff_start"))
    .scalar_subquery(),
    supervision.waiting_feelings_count_query(bindparam("school_id")).scalar_subquery(),
    not_a_good_fit_count_query(bindparam("school_id"), bindparam("since")).scalar_subquery(),
    matching.mentor_left_count_query(bindparam("school_id"), bindparam("since")).scalar_subquery(),
).select_from(_URGENT)


def dashboard_counts(school_id: int, now: datetime, today: date) -> DashboardCounts:
    """Every count the dashboard shows, in one statement, from the same queries as the single counts."""
    school = db.session.get(School, school_id)
    row = db.session.execute(_DASHBOARD, {
        "school_id": school_id, "today": today, "until": expiry_warning_until(today), "since": recent_since(now),
        **supervision.overdue_cutoffs(school, today)}).one()
    return DashboardCounts(*row)


def counselor_counts(school_id: int, now: datetime, today: date) -> DashboardCounts:
    """The counts a counselor's pages show; the banner (oversight) takes what it shows from them
    instead of counting again."""
    counts = dashboard_counts(school_id, now, today)
    g.urgent_banner = oversight.banner_facts(counts.urgent, counts.first_urgent_id)
    return counts
