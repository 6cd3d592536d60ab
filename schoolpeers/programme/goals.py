"""A pair's goals and the progress on them recorded at check-ins.

Progress is recorded by the mentor right after a check-in, and may be changed while the check-in
itself can be corrected (24 hours, `mentors.checkins.can_correct`); after that it is the record.
Plain functions that flush; the view commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.checkins import can_correct, lock_pair
from schoolpeers.mentors.models import CheckIn, Mentorship
from schoolpeers.programme.goal_rules import ProgressMark, StoredGoal, latest_by_goal, progress_by_goal
from schoolpeers.programme.models import GOAL_PROGRESS, Goal, GoalProgress
from schoolpeers.refusals import FieldRefusal


class ProgressError(FieldRefusal):
    """Progress that cannot be recorded as asked."""


def progress_field(goal_id: int) -> str:
    """The form field of a goal's progress on the page after a check-in."""
    return f"goal_{goal_id}"


def goals_of(mentorship: Mentorship) -> list[Goal]:
    """The pair's goals, in their order."""
    return list(db.session.scalars(select(Goal).where(
        Goal.school_id == mentorship.school_id, Goal.mentorship_id == mentorship.id).order_by(Goal.position)))


def _marks(mentorship: Mentorship) -> list[ProgressMark]:
    rows = db.session.execute(
        select(GoalProgress.goal_id, CheckIn.occurred_on, CheckIn.id, GoalProgress.progress)
        .join(Goal, (Goal.id == GoalProgress.goal_id) & (Goal.school_id == GoalProgress.school_id))
        .join(CheckIn, (CheckIn.id == GoalProgress.checkin_id) & (CheckIn.school_id == GoalProgress.school_id))
        .where(GoalProgress.school_id == mentorship.school_id, Goal.mentorship_id == mentorship.id,
               CheckIn.mentorship_id == mentorship.id))
    return [ProgressMark(goal_id, occurred_on, checkin_id, progress) for goal_id, occurred_on, checkin_id, progress
            in rows]


def progress_over_time(mentorship: Mentorship) -> dict[int, list[ProgressMark]]:
    """Each goal's progress at every check-in that recorded it, oldest first."""
    return progress_by_goal(_marks(mentorship))


def latest_progress(mentorship: Mentorship) -> dict[int, ProgressMark]:
    """The most recent progress on each of the pair's goals."""
    return latest_by_goal(_marks(mentorship))


def stored_goals(mentorship: Mentorship) -> list[StoredGoal]:
    """The pair's goals as the rules read them, with whether progress was recorded on each."""
    goals = goals_of(mentorship)
    with_progress = set(db.session.scalars(select(GoalProgress.goal_id).distinct().where(
        GoalProgress.school_id == mentorship.school_id, GoalProgress.goal_id.in_([g.id for g in goals]))))
    return [StoredGoal(g.id, g.position, g.area, g.wording, g.id in with_progress) for g in goals]


def progress_at(checkin: CheckIn) -> dict[int, int]:
    """The progress recorded with this check-in, by goal."""
    return dict(db.session.execute(select(GoalProgress.goal_id, GoalProgress.progress).where(
        GoalProgress.school_id == checkin.school_id, GoalProgress.checkin_id == checkin.id)).all())


def may_add_after(checkin: CheckIn, mentor: User, now: datetime) -> bool:
    """Whether the mentor may still record (or change) what follows this check-in."""
    return can_correct(checkin, mentor, now)


def record_progress(checkin: CheckIn, mentor: User, answers: dict[int, int | None], now: datetime) -> int:
    """Record the progress on each goal answered (None: nothing recorded for it, which removes an
    earlier answer given with this check-in). Returns how many goals' progress changed."""
    mentorship = checkin.mentorship
    lock_pair(mentorship)
    if not may_add_after(checkin, mentor, now):
        raise ProgressError("progress", "Progress can be recorded by the check-in's mentor for 24 hours after it.")
    goal_ids = {goal.id for goal in goals_of(mentorship)}
    for goal_id, progress in answers.items():
        if goal_id not in goal_ids:
            raise ProgressError(progress_field(goal_id), "Record progress on your own mentee's goals only.")
        if progress is not None and progress not in GOAL_PROGRESS:
            raise ProgressError(progress_field(goal_id), "Choose one of the answers.")
    before = {row.goal_id: row for row in db.session.scalars(select(GoalProgress).where(
        GoalProgress.school_id == checkin.school_id, GoalProgress.checkin_id == checkin.id))}
    changed = 0
    for goal_id, progress in answers.items():
        row = before.get(goal_id)
        if (row.progress if row else None) == progress:
            continue
        changed += 1
        if progress is None:
            db.session.delete(row)
        elif row is not None:
            row.progress = progress
        else:
            db.session.add(GoalProgress(school_id=checkin.school_id, checkin_id=checkin.id, goal_id=goal_id,
                                        progress=progress))
    db.session.flush()
    return changed
