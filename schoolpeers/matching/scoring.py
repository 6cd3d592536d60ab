"""Pure scoring core of mentor matching: who may mentor whom, and how well.

No Flask, no database: plain dataclasses in, plain dataclasses out, so the
same rules serve the batch solver, single-request matching and a counselor's
manual choice.

A score is an integer 0..100 (integers keep the solver exact). It is the sum of
five parts whose maximum points are the school's weights normalised to 100:

* grade fit: a mentor one or two grades above is ideal, the same grade counts
  half, three above a quarter;
* shared interests: min(shared, 3) / 3;
* support topics: the fraction of the requested topics the mentor covers
  (full when the request names none);
* language: preference met or a language in common (full without language data);
* availability: the fraction of the requested time slots the mentor has free
  (full when none are given).

Every score carries its parts and one sentence a counselor can read.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Fraction of the grade points for each grade gap (mentor grade - mentee grade).
GRADE_FIT: dict[int, float] = {0: 0.5, 1: 1.0, 2: 1.0, 3: 0.25}
#: Shared interests beyond this many add nothing.
INTEREST_CAP = 3
PART_NAMES = ("grade", "interests", "topics", "language", "availability")


@dataclass(frozen=True, slots=True)
class Weights:
    """A school's relative weights; only their proportions matter."""

    grade: float = 30
    interests: float = 30
    topics: float = 25
    language: float = 5
    availability: float = 10

    def __post_init__(self) -> None:
        values = self.as_tuple()
        if any(value < 0 for value in values) or sum(values) <= 0:
            raise ValueError("weights must be non-negative with a positive sum")

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        return (self.grade, self.interests, self.topics, self.language, self.availability)

    def max_points(self) -> tuple[float, ...]:
        """Maximum points of each part (in PART_NAMES order); they sum to 100."""
        return _max_points(self)


@dataclass(frozen=True, slots=True)
class GradeWindow:
    """Allowed mentor grade minus mentee grade, inclusive."""

    min_gap: int = 0
    max_gap: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.min_gap <= self.max_gap:
            raise ValueError("grade window needs 0 <= min_gap <= max_gap (mentors are never younger)")

    def allows(self, gap: int) -> bool:
        return self.min_gap <= gap <= self.max_gap


@dataclass(frozen=True, slots=True)
class MentorInput:
    """A certified, active mentor. `capacity` is the maximum number of mentees,
    `load` the current one; only `capacity - load` places are free."""

    mentor_id: int
    student_id: int
    school_id: int
    grade: int
    capacity: int
    load: int = 0
    gender: str | None = None
    languages: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()

    @property
    def free_places(self) -> int:
        return self.capacity - self.load


@dataclass(frozen=True, slots=True)
class RequestInput:
    """A student's open request for a mentor.

    `created_order` orders requests by age (smaller is older), e.g. the request
    id or a creation timestamp as an integer; the oldest request wins ties.
    `language` and `same_gender` are hard preferences; `languages` are the
    languages the student speaks (soft). `excluded_mentor_ids` holds blocked
    pairs and mentors earlier marked "not a good fit".
    """

    request_id: int
    student_id: int
    school_id: int
    grade: int
    created_order: int
    gender: str | None = None
    languages: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    language: str | None = None
    same_gender: bool = False
    excluded_mentor_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str
    points: float
    max_points: float
    words: str


@dataclass(frozen=True, slots=True)
class Scored:
    score: int
    parts: tuple[ScorePart, ...]
    explanation: str


DEFAULT_WEIGHTS = Weights()
DEFAULT_WINDOW = GradeWindow()


@functools.cache
def _max_points(weights: Weights) -> tuple[float, ...]:
    values = weights.as_tuple()
    total = sum(values)
    return tuple(100 * value / total for value in values)


# --- eligibility -------------------------------------------------------------


def ineligibility_reason(
    request: RequestInput, mentor: MentorInput, window: GradeWindow = DEFAULT_WINDOW
) -> str | None:
    """Why `mentor` may not mentor `request`'s student, or None if they may."""
    if mentor.free_places <= 0:
        return "the mentor has no free place"
    if mentor.school_id != request.school_id:
        return "the mentor is at another school"
    if mentor.student_id == request.student_id:
        return "a student cannot mentor themselves"
    gap = mentor.grade - request.grade
    if not window.allows(gap):
        return (
            f"grade {request.grade} → {mentor.grade} is outside the allowed step "
            f"of {window.min_gap} to {window.max_gap} grades up"
        )
    if mentor.mentor_id in request.excluded_mentor_ids:
        return "this pair is excluded (blocked or marked not a good fit)"
    if request.same_gender and (request.gender is None or request.gender != mentor.gender):
        return "the student asked for a mentor of the same gender"
    if request.language is not None and request.language not in mentor.languages:
        return f"the student asked for a mentor who speaks {request.language}"
    return None


def is_eligible(request: RequestInput, mentor: MentorInput, window: GradeWindow = DEFAULT_WINDOW) -> bool:
    return ineligibility_reason(request, mentor, window) is None


# --- scoring -----------------------------------------------------------------


def language_ok(request: RequestInput, mentor: MentorInput) -> bool:
    """Language part is met: preference spoken, a shared language, or no data."""
    return _language_met(request.language, request.languages, mentor.languages)


def _language_met(preferred: str | None, spoken: frozenset[str], mentor_speaks: frozenset[str]) -> bool:
    if preferred is not None:
        return preferred in mentor_speaks
    return not spoken or not spoken.isdisjoint(mentor_speaks)


def score_from_counts(
    max_points: Sequence[float],
    gap: int,
    shared_interests: int,
    topics_asked: int,
    topics_covered: int,
    language_met: bool,
    slots_asked: int,
    slots_covered: int,
) -> int:
    """The score from the counts a pair is judged on. The batch solver
    tabulates this very function, so its scores equal `score_pair`'s."""
    fractions = _fractions(
        gap, shared_interests, topics_asked, topics_covered, language_met, slots_asked, slots_covered
    )
    return _round_score(_points(max_points, fractions))


def score_pair(request: RequestInput, mentor: MentorInput, weights: Weights = DEFAULT_WEIGHTS) -> Scored:
    """Score a pair (eligibility is not checked) and explain it."""
    grade, interests, topics, language, availability = weights.max_points()
    said = (
        _grade_part(grade, request.grade, mentor.grade),
        _interest_part(interests, request.interests & mentor.interests),
        _topic_part(topics, request.topics, request.topics & mentor.topics),
        _language_part(language, request.language, request.languages, mentor.languages),
        _availability_part(availability, request.availability, request.availability & mentor.availability),
    )
    parts = tuple(part for part, _ in said)
    explanation = "; ".join(part.words for part, in_sentence in said if in_sentence)
    return Scored(_round_score([part.points for part in parts]), parts, explanation)


def eligible_mentors(
    request: RequestInput,
    mentors: Iterable[MentorInput],
    weights: Weights = DEFAULT_WEIGHTS,
    window: GradeWindow = DEFAULT_WINDOW,
) -> list[tuple[MentorInput, Scored]]:
    """Every eligible mentor with its score, best first (then lower load, then id)."""
    scored = [
        (mentor, score_pair(request, mentor, weights)) for mentor in mentors if is_eligible(request, mentor, window)
    ]
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].load, pair[0].mentor_id))
    return scored


def _fractions(
    gap: int,
    shared_interests: int,
    topics_asked: int,
    topics_covered: int,
    language_met: bool,
    slots_asked: int,
    slots_covered: int,
) -> tuple[float, float, float, float, float]:
    return (
        GRADE_FIT.get(gap, 0.0),
        _interest_fraction(shared_interests),
        _covered_fraction(topics_covered, topics_asked),
        1.0 if language_met else 0.0,
        _covered_fraction(slots_covered, slots_asked),
    )


def _interest_fraction(shared: int) -> float:
    return min(shared, INTEREST_CAP) / INTEREST_CAP


def _covered_fraction(covered: int, asked: int) -> float:
    return covered / asked if asked else 1.0


def _points(max_points: Sequence[float], fractions: Sequence[float]) -> list[float]:
    return [most * fraction for most, fraction in zip(max_points, fractions, strict=True)]


def _round_score(points: Sequence[float]) -> int:
    # Half up, and clamped against float dust such as 100.00000000000001.
    return max(0, min(100, math.floor(sum(points) + 0.5)))


# --- parts -------------------------------------------------------------------
# Each part is memoised on what it depends on: a batch explains thousands of
# pairs, and the same grades, shared interests and asked times recur. A part
# comes with whether its words reach the sentence (notable, and the part weighs).

_PART_CACHE_SIZE = 4096


def _part(index: int, max_points: float, fraction: float, words: str, notable: bool) -> tuple[ScorePart, bool]:
    return ScorePart(PART_NAMES[index], max_points * fraction, max_points, words), notable and max_points > 0


@functools.lru_cache(maxsize=_PART_CACHE_SIZE)
def _grade_part(max_points: float, mentee_grade: int, mentor_grade: int) -> tuple[ScorePart, bool]:
    fraction = GRADE_FIT.get(mentor_grade - mentee_grade, 0.0)
    return _part(0, max_points, fraction, _grade_words(mentee_grade, mentor_grade), True)


@functools.lru_cache(maxsize=_PART_CACHE_SIZE)
def _interest_part(max_points: float, shared: frozenset[str]) -> tuple[ScorePart, bool]:
    return _part(1, max_points, _interest_fraction(len(shared)), _interest_words(shared), True)


@functools.lru_cache(maxsize=_PART_CACHE_SIZE)
def _topic_part(max_points: float, asked: frozenset[str], covered: frozenset[str]) -> tuple[ScorePart, bool]:
    return _part(2, max_points, _covered_fraction(len(covered), len(asked)), *_topic_words(asked, covered))


@functools.lru_cache(maxsize=_PART_CACHE_SIZE)
def _language_part(
    max_points: float, preferred: str | None, spoken: frozenset[str], mentor_speaks: frozenset[str]
) -> tuple[ScorePart, bool]:
    met = _language_met(preferred, spoken, mentor_speaks)
    return _part(3, max_points, 1.0 if met else 0.0, *_language_words(preferred, spoken, mentor_speaks, met))


@functools.lru_cache(maxsize=_PART_CACHE_SIZE)
def _availability_part(max_points: float, asked: frozenset[str], free: frozenset[str]) -> tuple[ScorePart, bool]:
    return _part(4, max_points, _covered_fraction(len(free), len(asked)), *_availability_words(asked, free))


# --- words -------------------------------------------------------------------
# Each helper returns (words, notable); only notable words reach the sentence.


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


def _grade_words(mentee_grade: int, mentor_grade: int) -> str:
    gap = mentor_grade - mentee_grade
    if gap == 0:
        return f"both in grade {mentee_grade}"
    step = f"grade {mentee_grade} → {mentor_grade}"
    if gap < 0:
        return f"{step} is a step down"
    if GRADE_FIT.get(gap, 0.0) == 1.0:
        return f"{step} is an ideal step"
    if gap == 3:
        return f"{step} is a big step"
    return f"{step} is a very big step"


def _interest_words(shared: frozenset[str]) -> str:
    if not shared:
        return "no shared interests"
    noun = "interest" if len(shared) == 1 else "interests"
    return f"{len(shared)} shared {noun}: {_names(shared)}"


def _topic_words(asked: frozenset[str], covered: frozenset[str]) -> tuple[str, bool]:
    if not asked:
        return "no particular support topics asked for", False
    if not covered:
        return f"covers none of the asked topics ({_names(asked)})", True
    missing = asked - covered
    words = f"covers {_names(covered)}"
    return (f"{words} (not {_names(missing)})" if missing else words), True


def _language_words(
    preferred: str | None, spoken: frozenset[str], mentor_speaks: frozenset[str], met: bool
) -> tuple[str, bool]:
    if preferred is not None:
        return (f"speaks {preferred}" if met else f"does not speak {preferred}"), True
    if not spoken:
        return "no language data", False
    if met:
        return f"shares {_names(spoken & mentor_speaks)}", False
    return "no shared language", True


def _availability_words(asked: frozenset[str], free: frozenset[str]) -> tuple[str, bool]:
    if not asked:
        return "no times given", False
    if len(free) == len(asked):
        return ("free at the requested time" if len(asked) == 1 else f"free at all {len(asked)} requested times"), True
    if not free:
        return "free at none of the requested times", True
    return f"free at {len(free)} of {len(asked)} requested times ({_names(free)})", True
