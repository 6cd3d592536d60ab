"""Screening that explains itself, and counselors who teach it.

- On a concern's page, the check-in notes with what screening matched highlighted, and beside them
  each finding (kind of risk, severity, why). Computed from the screener when the page is shown:
  nothing about it is stored.
- When resolving, a counselor may mark how screening did on those notes: right, not a concern, or
  missed (and what it should have been). Marks are append-only; the latest one on a check-in's
  notes counts, and keeps what screening said about the notes when it was made.
- The quality page's numbers per kind of risk, the misses, and the school's own labelled examples
  as CSV, for the school to review.

Plain functions: they read, or add and flush; the view audits and commits.
"""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import MISSED_SEVERITIES, VERDICTS, Concern, ScreeningMark
from schoolpeers.oversight.services import ConcernError
from schoolpeers.severity import Severity
from schoolpeers.spreadsheet import defused
from schoolpeers.timeutil import as_utc

CATEGORIES = {category.value: category.label for category in risk.Category}
EXPORT_COLUMNS = ("text", "label", "category", "verdict", "screened_severity", "screened_categories", "marked_at")
log = logging.getLogger(__name__)


def _screen(notes: str | None) -> risk.Screening | None:
    """What screening finds in the notes; None if the screener failed. The concern page and the
    resolve form must work even then: they show the notes plainly, or refuse only the mark."""
    if not notes:
        return risk.Screening()
    try:
        return risk.screen_text(notes)
    except Exception:
        log.exception("Screening failed on a check-in's notes")
        return None


# --- the explanation beside the notes --------------------------------------------------------------

@dataclass(frozen=True)
class FindingLine:
    category: str  # a category value
    label: str  # the category in words
    severity: str
    reason: str
    text: str  # the words matched, as the mentor wrote them


@dataclass(frozen=True)
class NotesExplained:
    notes: Markup  # the notes, escaped, with <mark> around every stretch screening matched
    findings: tuple[FindingLine, ...]  # most severe first, then in the order of the notes
    severity: str | None  # the highest, or None when screening found nothing
    categories: tuple[str, ...]
    failed: bool = False  # the screener failed: the notes are shown plainly


def merged_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The spans inside [0, length), sorted, with overlapping and touching ones joined; empty
    or inverted ones are dropped."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, start), min(length, end)) for start, end in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """The text, HTML-escaped, with <mark> around the spans. Every piece of the text is escaped;
    only the <mark> tags are markup."""
    pieces, position = [], 0
    for start, end in merged_spans(spans, len(text)):
        pieces.append(escape(text[position:start]))
        pieces.append(Markup("<mark>{}</mark>").format(text[start:end]))
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def explain_notes(notes: str | None) -> NotesExplained | None:
    """What screening finds in the notes, for the concern page; None when there are no notes."""
    if not notes:
        return None
    screening = _screen(notes)
    if screening is None:
        return NotesExplained(notes=escape(notes), findings=(), severity=None, categories=(), failed=True)
    ordered = sorted(screening.matches,
                     key=lambda m: (-m.severity.rank, tuple(m.span), m.category.value))
    findings = tuple(FindingLine(m.category.value, m.category.label, m.severity.value, m.reason, m.text)
                     for m in ordered)
    return NotesExplained(
        notes=highlight(notes, (m.span for m in screening.matches)), findings=findings,
        severity=screening.severity.value if screening.severity else None,
        categories=tuple(c.value for c in screening.categories))


# --- marks -----------------------------------------------------------------------------------------

class MarkError(ConcernError):
    """The mark cannot be made; `field` says which answer is wrong (verdict, severity or category)."""

    def __init__(self, message: str, field: str = "verdict"):
        super().__init__(message)
        self.field = field


def _problems(notes: str | None, screening: risk.Screening | None, verdict: str, severity: str,
              category: str) -> dict[str, str]:
    if not verdict:
        problems = {}
        if severity:
            problems["severity"] = 'A severity goes with "missed" only: choose "missed" above, or leave this empty.'
        if category:
            problems["category"] = 'A kind of risk goes with "missed" only: choose "missed" above, or leave this empty.'
        return problems
    if verdict not in VERDICTS:
        return {"verdict": 'Choose how screening did: right, not a concern, or missed.'}
    if not notes:
        return {"verdict": "This concern's check-in has no notes, so there is nothing of screening's to mark."}
    if screening is None:
        return {"verdict": "Screening cannot read these notes just now, so a mark would not say what it judged: "
                           'choose "Don\'t mark it now", or try again later.'}
    problems = {}
    if verdict == "missed":
        if severity not in MISSED_SEVERITIES:
            problems["severity"] = "Say what screening should have said: high or medium."
        if category not in CATEGORIES:
            problems["category"] = "Say which kind of risk screening missed."
        if not problems and any(m.category == category and m.severity >= severity
                                for m in screening.matches):
            problems["verdict"] = (f"Screening already found {CATEGORIES[category]} at {severity} or higher "
                                   'in these notes: choose "right".')
        return problems
    if severity:
        problems["severity"] = 'Only a missed note gets the severity it should have had: leave this empty.'
    if category:
        problems["category"] = 'Only a missed note gets the kind of risk it should have had: leave this empty.'
    if verdict == "not_a_concern" and not screening.matches:
        problems["verdict"] = ('Screening found nothing in these notes, so nothing of it can be "not a concern": '
                               'choose "right" or "missed".')
    return problems


def mark_problems(notes: str | None, verdict: str | None, severity: str | None,
                  category: str | None) -> dict[str, str]:
    """What is wrong with a mark on these notes, by field (verdict, severity, category); empty
    when nothing is. No verdict means no mark: then severity and category must be empty too."""
    verdict, severity, category = verdict or "", severity or "", category or ""
    screening = _screen(notes) if verdict in VERDICTS else risk.Screening()
    return _problems(notes, screening, verdict, severity, category)


def mark_screening(concern: Concern, counselor: User, verdict: str, severity: str | None, category: str | None,
                   now: datetime) -> ScreeningMark:
    """A counselor's mark on how screening did on the concern's check-in notes, with what screening
    says about them now. Raises MarkError and adds nothing when the mark is not right."""
    if counselor.role != "counselor" or counselor.school_id != concern.school_id:
        raise MarkError("Only a counselor of the school marks screening.")
    if not verdict:
        raise MarkError("Choose how screening did: right, not a concern, or missed.")
    checkin = concern.checkin
    notes = checkin.notes if checkin is not None else None
    severity, category = severity or "", category or ""
    screening = _screen(notes)
    problems = _problems(notes, screening, verdict, severity, category)
    if problems:
        field, message = next(iter(problems.items()))
        raise MarkError(message, field)
    mark = ScreeningMark(
        school_id=concern.school_id, concern_id=concern.id, checkin_id=checkin.id, counselor_id=counselor.id,
        verdict=verdict, severity=severity or None, category=category or None,
        screened_severity=screening.severity.value if screening.severity else None,
        screened_categories=" ".join(c.value for c in screening.categories), created_at=now)
    db.session.add(mark)
    db.session.flush()
    return mark


def marks_of(concern: Concern) -> list[ScreeningMark]:
    """The concern's marks with who made them, oldest first."""
    return list(db.session.scalars(
        select(ScreeningMark).options(joinedload(ScreeningMark.counselor))
        .where(ScreeningMark.school_id == concern.school_id, ScreeningMark.concern_id == concern.id)
        .order_by(ScreeningMark.id)))


def _latest_mark_ids(school_id: int) -> Select:
    """The latest mark on each marked check-in of the school (ids only grow)."""
    return (select(func.max(ScreeningMark.id))
            .where(ScreeningMark.school_id == school_id).group_by(ScreeningMark.checkin_id))


def _latest_marks(school_id: int) -> Select:
    return select(ScreeningMark).where(ScreeningMark.school_id == school_id,
                                       ScreeningMark.id.in_(_latest_mark_ids(school_id)))


# --- the quality page ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryQuality:
    category: str
    label: str
    right: int  # latest marks "right" on notes where screening found this kind of risk
    not_a_concern: int  # ... "not a concern" there: false alarms
    missed: int  # latest marks "missed" that say it should have been this kind of risk

    @property
    def precision(self) -> float | None:
        judged = self.right + self.not_a_concern
        return self.right / judged if judged else None


@dataclass(frozen=True)
class Quality:
    marks: int  # latest marks, one per marked check-in
    right: int
    not_a_concern: int
    missed: int
    categories: list[CategoryQuality]


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def quality(school_id: int) -> Quality:
    """Per kind of risk, how the latest marks judged screening: one statement."""
    padded = literal(" ") + ScreeningMark.screened_categories + literal(" ")
    verdict = ScreeningMark.verdict
    columns = [func.count(), _count(verdict == "right"), _count(verdict == "not_a_concern"),
               _count(verdict == "missed")]
    for category in CATEGORIES:
        found = padded.like(f"% {category} %")
        columns += [_count((verdict == "right") & found), _count((verdict == "not_a_concern") & found),
                    _count((verdict == "missed") & (ScreeningMark.category == category))]
    row = db.session.execute(select(*columns).where(
        ScreeningMark.school_id == school_id, ScreeningMark.id.in_(_latest_mark_ids(school_id)))).one()
    totals, per_category = [int(n) for n in row[:4]], [int(n) for n in row[4:]]
    categories = [CategoryQuality(category, label, *per_category[3 * i:3 * i + 3])
                  for i, (category, label) in enumerate(CATEGORIES.items())]
    return Quality(*totals, categories=categories)


def misses_query(school_id: int) -> Select:
    """The latest marks that say screening missed something, newest first."""
    return (_latest_marks(school_id).where(ScreeningMark.verdict == "missed")
            .order_by(ScreeningMark.created_at.desc(), ScreeningMark.id.desc()))


# --- the school's own examples ---------------------------------------------------------------------

def example_label(mark: ScreeningMark) -> tuple[str, str]:
    """(label, category) of the marked notes: high, medium or none, and a category value or none.
    Right: what screening said (low counting as medium, its first category); not a concern: none;
    missed: what the counselor said it should have been."""
    if mark.verdict == "missed":
        return mark.severity or "none", mark.category or "none"
    if mark.verdict == "right" and mark.screened_severity:
        categories = mark.screened_categories.split()
        label = Severity.MEDIUM if mark.screened_severity == Severity.LOW else mark.screened_severity
        return label, categories[0] if categories else "none"
    return "none", "none"


def examples_query(school_id: int) -> Select:
    """(latest mark, notes) of every marked check-in whose notes are still there (retention and
    erasure remove notes; their marks stay, without an example)."""
    return (select(ScreeningMark, CheckIn.notes)
            .join(CheckIn, (CheckIn.id == ScreeningMark.checkin_id) & (CheckIn.school_id == ScreeningMark.school_id))
            .where(ScreeningMark.school_id == school_id, ScreeningMark.id.in_(_latest_mark_ids(school_id)),
                   CheckIn.notes.is_not(None), CheckIn.notes != "")
            .order_by(ScreeningMark.id))


def examples_csv(school_id: int) -> tuple[str, list[int]]:
    """The CSV text of the school's examples and the check-ins whose notes it holds (for the
    audit log). Cells a spreadsheet would run as a formula are defused like the audit export's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    checkin_ids = []
    for mark, notes in db.session.execute(examples_query(school_id)):
        label, category = example_label(mark)
        writer.writerow([defused(cell) for cell in (
            notes, label, category, mark.verdict, mark.screened_severity or "none",
            mark.screened_categories or "none", as_utc(mark.created_at).strftime("%Y-%m-%dT%H:%M:%SZ"))])
        checkin_ids.append(mark.checkin_id)
    return buffer.getvalue(), checkin_ids
