"""The rules of a pair's goals, on plain data: one to three, each an area of the school's list put in
the pair's own words, and a goal with progress recorded at check-ins is never lost by an edit.

Free of Flask and SQLAlchemy: the services hand in what is stored and what the form said, and apply
the changes worked out here.

Why a goal with progress is kept (the edit is refused) rather than removed or silently kept: its
progress is the pair's record of what they worked on, which the counselor reads over time and the
outcomes report counts; removing it would delete that history with it, and keeping it while the
form said otherwise would show the mentor something they did not write. Refusing next to the goal
says why, and its words may still change (a clearer wording is still the same goal); its area may
not, since the progress recorded was about that area.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from schoolpeers.refusals import FieldRefusal

MAX_WORDING = 300


class GoalRefusal(FieldRefusal):
    """Goals that cannot be saved as asked: the message belongs next to one goal's field."""


@dataclass(frozen=True)
class GoalText:
    """What the form says for one goal's place: an area key and the pair's words (both may be empty)."""

    area: str = ""
    wording: str = ""


@dataclass(frozen=True)
class StoredGoal:
    """A goal as it is stored, and whether any check-in recorded progress on it."""

    id: int
    position: int
    area: str
    wording: str
    has_progress: bool = False


@dataclass
class GoalChanges:
    """What to write: new goals (position, area, wording), changed ones (id, area, wording), and the
    ids of goals to remove."""

    create: list[tuple[int, str, str]] = field(default_factory=list)
    update: list[tuple[int, str, str]] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.create or self.update or self.delete)


def tidy(text: str | None) -> str:
    """Words as written, with runs of spaces and line breaks made single spaces."""
    return " ".join((text or "").split())


def area_field(position: int) -> str:
    return f"area_{position}"


def wording_field(position: int) -> str:
    return f"wording_{position}"


def plan_goals(stored: Sequence[StoredGoal], slots: Sequence[GoalText], areas: Mapping[str, str],
               max_goals: int) -> GoalChanges:
    """The changes that make the stored goals read as the form's places (place n is position n), or a
    `GoalRefusal` naming the place's field. At least one goal and at most `max_goals`; a goal with
    progress keeps its place and its area."""
    if len(slots) > max_goals:
        raise GoalRefusal(area_field(1), f"At most {max_goals} goals.")
    by_position = {goal.position: goal for goal in stored}
    wanted: dict[int, tuple[str, str]] = {}
    seen: set[tuple[str, str]] = set()
    for position in range(1, max_goals + 1):
        slot = slots[position - 1] if position <= len(slots) else GoalText()
        area, wording = (slot.area or "").strip(), tidy(slot.wording)
        if area and area not in areas:
            raise GoalRefusal(area_field(position), "Choose an area from the list.")
        if wording and not area:
            raise GoalRefusal(area_field(position), "Choose what this goal is about.")
        if area and not wording:
            raise GoalRefusal(wording_field(position), "Write the goal in your own words.")
        if len(wording) > MAX_WORDING:
            raise GoalRefusal(wording_field(position), f"At most {MAX_WORDING} characters.")
        if area:
            if (area, wording.casefold()) in seen:
                raise GoalRefusal(wording_field(position), "This goal is written twice.")
            seen.add((area, wording.casefold()))
            wanted[position] = (area, wording)
    if not wanted:
        raise GoalRefusal(area_field(1), "Write down at least one goal.")

    changes = GoalChanges()
    for position, goal in sorted(by_position.items()):
        if goal.has_progress and position not in wanted:
            raise GoalRefusal(wording_field(position), "Progress on this goal is recorded at your check-ins, "
                                                       "so it stays. You can change its words.")
        if goal.has_progress and wanted[position][0] != goal.area:
            raise GoalRefusal(area_field(position), "Progress on this goal is recorded at your check-ins, so "
                                                    "what it is about stays. Write a new goal in an empty place.")
    for position in range(1, max_goals + 1):
        goal, want = by_position.get(position), wanted.get(position)
        if goal is None and want is not None:
            changes.create.append((position, *want))
        elif goal is not None and want is None:
            changes.delete.append(goal.id)
        elif goal is not None and want is not None and (goal.area, goal.wording) != want:
            changes.update.append((goal.id, *want))
    return changes


@dataclass(frozen=True)
class Terms:
    """What a pair agree: a change to any of it asks both to agree again."""

    how_often: str
    where: str
    ground_rules: str
    goals: tuple[tuple[int, str, str], ...]  # (position, area, wording), by position


def goals_after(stored: Iterable[StoredGoal], changes: GoalChanges) -> tuple[tuple[int, str, str], ...]:
    """The goals (position, area, wording) the stored ones become once `changes` are written."""
    updates = {goal_id: (area, wording) for goal_id, area, wording in changes.update}
    removed = set(changes.delete)
    kept = [(g.position, *updates.get(g.id, (g.area, g.wording))) for g in stored if g.id not in removed]
    return tuple(sorted(kept + list(changes.create)))


@dataclass(frozen=True)
class ProgressMark:
    """Progress recorded on a goal at one check-in."""

    goal_id: int
    occurred_on: date
    checkin_id: int
    progress: int


def progress_by_goal(marks: Iterable[ProgressMark]) -> dict[int, list[ProgressMark]]:
    """Each goal's progress over time, oldest first (check-ins of one day in the order logged)."""
    found: dict[int, list[ProgressMark]] = {}
    for mark in sorted(marks, key=lambda m: (m.occurred_on, m.checkin_id)):
        found.setdefault(mark.goal_id, []).append(mark)
    return found


def latest_by_goal(marks: Iterable[ProgressMark]) -> dict[int, ProgressMark]:
    """The most recent progress recorded on each goal."""
    return {goal_id: over_time[-1] for goal_id, over_time in progress_by_goal(marks).items()}
