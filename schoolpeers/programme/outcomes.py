"""The well-being questionnaire before and after a mentorship, and what the outcomes report reads.

When the questionnaire is asked (dates at the school):
- At the start: the mentorship is active, began within the last `START_WITHIN` days (a first answer
  given later is not a baseline: the mentoring has been at work by then) and has no start answer.
- At the end: it has no end answer, and either the mentorship is active and its ending is begun (a
  `Closure`) or it is the last `YEAR_END_WITHIN` days of teaching (up to and including the school's
  last day of teaching of this school year, `teaching_ends`; not in the holidays after it), or it
  ended within the last `ENDED_WITHIN` days and has a start answer (only a pair tells of a change).
- Never within `MIN_APART` days of the start answer: the scale asks about the last two weeks, and
  two answers that close would share them. A pair that ends sooner is asked once it has ended, while
  that window lasts.
- Each mentorship is asked once at each occasion: a mentorship that goes on into the next school
  year keeps its end answer of the first.
An ended mentorship's end comes first, then the active one's; the page asks one at a time.

A very low score (`scales.Scale.worrying_at_most`) raises a concern for counselors in the same
transaction. Its summary names the questionnaire, the occasion and the score, never the answers;
nothing of it reaches the mentor.

The outcomes report of a school year is published once that year has ended at the school, and then
never changes (`published_report`): the first time it is asked for, its figures are made through the
report's protection (`outcomes_report`) and stored as shown (`OutcomeRelease`); from then on the
page and its CSV show the stored figures only. Figures that moved with every new answer, or with an
erasure, could be compared before and after to work out one student's scores. A school that
protects its reports with differential privacy publishes no outcomes report: it would spend the
school's yearly privacy budget without the admin deciding so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.oversight.models import Concern
from schoolpeers.oversight.services import raise_concern
from schoolpeers.programme import scales
from schoolpeers.programme.closure import ANSWERED, ended_on
from schoolpeers.programme.models import (
    GOAL_AREAS,
    SIDES,
    WHAT_HELPED,
    Closure,
    ExitSurvey,
    Goal,
    OutcomeMeasure,
    OutcomeRelease,
)
from schoolpeers.programme.outcomes_report import (
    ChangeRow,
    ChangeTables,
    Pair,
    SideSurvey,
    SurveyAnswer,
    change_tables,
    survey_tables,
)
from schoolpeers.programme.prompts import Prompt
from schoolpeers.refusals import FieldRefusal
from schoolpeers.reports.lattice import grade_bands
from schoolpeers.reports.perturbation import student_key
from schoolpeers.reports.privacy import CellStatus
from schoolpeers.reports.trends import DEFAULT_TERMS, PeriodSlot
from schoolpeers.reports.yearly import YearlyReport, stored_release, years_since
from schoolpeers.severity import Severity
from schoolpeers.timeutil import in_zone, start_of_day

START_WITHIN = timedelta(days=30)
YEAR_END_WITHIN = timedelta(days=30)
ENDED_WITHIN = timedelta(days=30)
MIN_APART = timedelta(days=28)
CONCERN_SOURCE = "low_questionnaire"
PROMPT = "A few questions about how you've been (2 minutes)"
NOT_WAITING = "These questions are not waiting for you any more. Thank you!"
YEARLY = YearlyReport("outcomes report", "new answer")


class QuestionnaireError(FieldRefusal):
    """Answers that cannot be saved; `field` is the question ("item_1".."item_5") or "due"."""


@dataclass(frozen=True)
class Due:
    mentorship: Mentorship
    occasion: str  # "start" or "end"


def questionnaires_due(student: User, today: date) -> list[Due]:
    """The questionnaires waiting for this student as a mentee (see the module docstring): their
    mentorships with each one's answers and ending in one statement, as every mentee's home page asks."""
    if student.role != "student":
        return []
    school_id = student.school_id

    def answered_on(occasion: str):
        return select(OutcomeMeasure.answered_on).where(
            OutcomeMeasure.school_id == school_id, OutcomeMeasure.mentorship_id == Mentorship.id,
            OutcomeMeasure.occasion == occasion).scalar_subquery()

    closing = select(Closure.id).where(Closure.school_id == school_id, Closure.mentorship_id == Mentorship.id).exists()
    rows = db.session.execute(select(Mentorship, answered_on("start"), answered_on("end"), closing).where(
        Mentorship.school_id == school_id, Mentorship.mentee_id == student.id,
        Mentorship.status.in_((MentorshipStatus.ACTIVE, MentorshipStatus.CLOSED))).order_by(Mentorship.id)).all()
    timezone = student.school.timezone

    def end_may_come(started: date | None, ended: date | None) -> bool:
        return ended is None and (started is None or today - started >= MIN_APART)

    after_an_end, while_active = [], []
    for m, started, ended, is_closing in rows:
        if m.status == MentorshipStatus.CLOSED:
            on = ended_on(m, timezone)
            if on is not None and today - on <= ENDED_WITHIN and started is not None and end_may_come(started, ended):
                after_an_end.append(Due(m, "end"))
        elif started is None and m.began_on is not None and today - m.began_on <= START_WITHIN:
            while_active.append(Due(m, "start"))
        elif end_may_come(started, ended) and (is_closing or in_last_days_of_teaching(student.school, today)):
            while_active.append(Due(m, "end"))
    return after_an_end + while_active


def teaching_ends(school: School, today: date) -> date:
    """The school's last day of teaching (its setting's month and day) in `today`'s school year (the
    reports' term calendar, `DEFAULT_TERMS`: 1 September to 31 August), so a last day in June or July
    falls in the calendar year the school year ends in."""
    year = DEFAULT_TERMS.year_containing(today)
    last = date(year.end.year, school.teaching_ends_month, school.teaching_ends_day)
    return last if last <= year.end else last.replace(year=year.start.year)


def in_last_days_of_teaching(school: School, today: date) -> bool:
    """`today` is one of the last `YEAR_END_WITHIN` days of teaching of its school year, the last day
    of teaching included: not a day of the holidays after it."""
    return timedelta(0) <= teaching_ends(school, today) - today <= YEAR_END_WITHIN


def questionnaire_prompts(student: User, today: date) -> list[Prompt]:
    """The home page's line while a questionnaire waits."""
    return [Prompt(PROMPT, "outcomes.questionnaire")] if questionnaires_due(student, today) else []


def record_answers(student: User, mentorship_id: int, occasion: str, answers: list, today: date,
                   now: datetime) -> tuple[OutcomeMeasure, Concern | None]:
    """Save the student's answers for the questionnaire waiting for them (the one the page showed),
    with the score and their grade today; raise a concern when the score is very low."""
    waiting = next((d for d in questionnaires_due(student, today)
                    if d.mentorship.id == mentorship_id and d.occasion == occasion), None)
    if waiting is None:
        raise QuestionnaireError("due", NOT_WAITING)
    scale = scales.CURRENT
    try:
        clean = scales.validated(scale, answers)
    except scales.AnswersRefused as refused:
        raise QuestionnaireError(f"item_{refused.position + 1}", str(refused)) from None
    measure = OutcomeMeasure(school_id=student.school_id, mentee_id=student.id, mentorship_id=mentorship_id,
                             occasion=occasion, scale=scale.key, answers=clean, score=scales.score(scale, clean),
                             grade=student.grade, answered_on=today)
    try:
        with db.session.begin_nested():
            db.session.add(measure)
    except IntegrityError:  # answered a moment ago in another tab
        raise QuestionnaireError("due", ANSWERED) from None
    concern = None
    if scales.is_worrying(scale, clean):
        moment = "at the start of the mentorship" if occasion == "start" else "at the end of the mentorship"
        concern = raise_concern(
            student.school, student, source=CONCERN_SOURCE, severity=Severity.MEDIUM, raised_by=student, now=now,
            mentorship_id=mentorship_id,
            summary=(f"The well-being questionnaire ({scale.name}) {moment} scored {measure.score} of 100. "
                     f"A score of {scale.worrying_at_most * scale.multiplier} or below asks for a closer look."))
    return measure, concern


# --- the outcomes report -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomesReport:
    year: PeriodSlot
    k: int
    change: ChangeTables
    surveys: tuple[SideSurvey, ...]
    scale: scales.Scale


def school_years(school: School, today: date) -> list[PeriodSlot]:
    """The school years a report can be asked for, newest first: from the first answer or survey
    of the school to this one."""
    first_answer = db.session.scalar(select(func.min(OutcomeMeasure.answered_on)).where(
        OutcomeMeasure.school_id == school.id))
    first_survey = db.session.scalar(select(func.min(ExitSurvey.created_at)).where(
        ExitSurvey.school_id == school.id))
    firsts = [*([first_answer] if first_answer else []),
              *([in_zone(first_survey, school.timezone).date()] if first_survey else [])]
    return years_since(min(firsts, default=None), today)


def outcome_pairs(school: School, year: PeriodSlot, secret: bytes) -> list[Pair]:
    """Each student's latest pair whose end answer falls in the year, on the same scale."""
    ends = db.session.execute(
        select(OutcomeMeasure, Mentorship.mentee_id).join(Mentorship, Mentorship.id == OutcomeMeasure.mentorship_id)
        .where(OutcomeMeasure.school_id == school.id, Mentorship.school_id == school.id,
               OutcomeMeasure.occasion == "end", OutcomeMeasure.answered_on >= year.start,
               OutcomeMeasure.answered_on <= year.end)
        .order_by(OutcomeMeasure.answered_on, OutcomeMeasure.id)).all()
    ids = [end.mentorship_id for end, _ in ends]
    starts = {m.mentorship_id: m for m in db.session.scalars(select(OutcomeMeasure).where(
        OutcomeMeasure.school_id == school.id, OutcomeMeasure.mentorship_id.in_(ids),
        OutcomeMeasure.occasion == "start"))}
    areas: dict[int, set[str]] = {}
    for mentorship_id, area in db.session.execute(select(Goal.mentorship_id, Goal.area).where(
            Goal.school_id == school.id, Goal.mentorship_id.in_(ids))):
        areas.setdefault(mentorship_id, set()).add(area)
    latest: dict[int, Pair] = {}
    for end, mentee_id in ends:  # oldest first: a later pair of the same student replaces it
        start = starts.get(end.mentorship_id)
        if start is None or start.scale != end.scale:
            continue
        latest[mentee_id] = Pair(student=mentee_id, key=student_key(secret, mentee_id), grade=start.grade,
                                 areas=frozenset(areas.get(end.mentorship_id, ())), start=start.score, end=end.score)
    return list(latest.values())


def survey_answers(school: School, year: PeriodSlot, secret: bytes) -> list[SurveyAnswer]:
    """Each respondent's latest exit survey of the year, per side (dates at the school)."""
    rows = db.session.scalars(select(ExitSurvey).where(
        ExitSurvey.school_id == school.id, ExitSurvey.created_at >= start_of_day(year.start, school.timezone),
        ExitSurvey.created_at < start_of_day(year.end + timedelta(days=1), school.timezone))
        .order_by(ExitSurvey.created_at, ExitSurvey.id))
    latest: dict[tuple[str, int], SurveyAnswer] = {}
    for row in rows:
        latest[(row.side, row.respondent_id)] = SurveyAnswer(
            respondent=row.respondent_id, key=student_key(secret, row.respondent_id), side=row.side,
            got_on=row.got_on, helped=row.helped, recommend=row.recommend,
            what_helped=frozenset(row.what_helped or ()))
    return list(latest.values())


SURVEY_SIDES = {side: f"{label}s" for side, label in SIDES.items()}  # "Mentors", "Mentees"


def outcomes_report(school: School, year: PeriodSlot, secret: bytes) -> OutcomesReport:
    """The year's outcomes report made now from the school's data, every figure through the one
    protection decision. What the pages publish is `published_report`: this, made once a year has ended."""
    k = school.min_group_size
    bands = grade_bands(school.grade_min, school.grade_max)
    return OutcomesReport(
        year=year, k=k,
        change=change_tables(outcome_pairs(school, year, secret), bands, GOAL_AREAS, k),
        surveys=survey_tables(survey_answers(school, year, secret), SURVEY_SIDES, WHAT_HELPED, k),
        scale=scales.CURRENT)


def unpublished_reason(school: School, year: PeriodSlot, today: date) -> str | None:
    """Why the outcomes of `year` are not published for this school, or None when they are."""
    return YEARLY.unpublished_reason(school, year, today)


def published_report(school: School, year: PeriodSlot, today: date, secret: bytes) -> OutcomesReport:
    """The published outcomes of a school year that has ended (see `unpublished_reason`): the stored
    release, made the first time it is asked for (the caller commits)."""
    if (reason := unpublished_reason(school, year, today)) is not None:
        raise ValueError(reason)

    def make() -> tuple[int, dict]:
        made = outcomes_report(school, year, secret)
        return made.k, release_content(made)

    return released_report(stored_release(OutcomeRelease, school, year, make), year)


def release_content(report: OutcomesReport) -> dict:
    """What a release stores of a report: its presented figures (strings) and the scale's key."""
    def row(r: ChangeRow) -> dict:
        return {"label": r.label, "students": r.students, "start": r.start, "end": r.end, "change": r.change,
                "status": str(r.status)}

    return {
        "scale": report.scale.key,
        "change": {"total": row(report.change.total), "bands": [row(r) for r in report.change.bands],
                   "areas": [row(r) for r in report.change.areas]},
        "surveys": [{"side": s.side, "respondents": s.respondents, "got_on": s.got_on, "helped": s.helped,
                     "recommend": s.recommend, "what_helped": [list(pair) for pair in s.what_helped],
                     "status": str(s.status)} for s in report.surveys],
    }


def released_report(release: OutcomeRelease, year: PeriodSlot) -> OutcomesReport:
    """The report a stored release publishes, exactly as it was first shown."""
    content = release.content

    def row(r: dict) -> ChangeRow:
        return ChangeRow(r["label"], r["students"], r["start"], r["end"], r["change"], CellStatus(r["status"]))

    change = content["change"]
    surveys = tuple(SideSurvey(s["side"], s["respondents"], s["got_on"], s["helped"], s["recommend"],
                               tuple((option, share) for option, share in s["what_helped"]), CellStatus(s["status"]))
                    for s in content["surveys"])
    return OutcomesReport(year=year, k=release.k,
                          change=ChangeTables(row(change["total"]), tuple(row(r) for r in change["bands"]),
                                              tuple(row(r) for r in change["areas"])),
                          surveys=surveys, scale=scales.SCALES[content["scale"]])
