"""Risk screening of check-ins: the pure core behind counselors' Concerns.

Screening is a safety net that puts worrying check-ins in front of an adult.
It is not a diagnosis and decides nothing by itself: a finding means "a
counselor should look", and no finding never means "this mentee is safe".

Standard library only, so that it stays easy to test and to reason about; the
web and database layers turn findings into Concerns.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Any, NamedTuple

from schoolpeers.oversight import risk_model, risk_patterns, risk_text
from schoolpeers.severity import Severity

_log = logging.getLogger(__name__)




class Category(StrEnum):
    """What kind of risk a phrase points to (the lexicon's categories)."""

    SUICIDAL_THOUGHTS = "suicidal_thoughts"
    SELF_HARM = "self_harm"
    ABUSE_OR_NEGLECT = "abuse_or_neglect"
    EXPLOITATION = "exploitation"
    EATING_DISORDER = "eating_disorder"
    BULLYING = "bullying"
    SUBSTANCE_USE = "substance_use"
    HARM_TO_OTHERS = "harm_to_others"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class FindingSource(StrEnum):
    RISK_LANGUAGE = "risk_language"
    LOW_WELLBEING = "low_wellbeing"
    WELLBEING_DROP = "wellbeing_drop"
    MENTOR_WORRY = "mentor_worry"
    SCREENING_FAILED = "screening_failed"


WELLBEING_RATINGS = range(1, 6)
LOWEST_WELLBEING = 1
WELLBEING_DROP = 2  # points below the recent average that count as a drop
DROP_BASELINE_CHECKINS = 3  # how many earlier check-ins make the average
DEFAULT_CADENCE_DAYS = 14
OVERDUE_SEVERITY = Severity.LOW


@dataclass(frozen=True)
class Match:
    """One finding in a text: a rule's pattern, or the statistical second opinion."""

    phrase: str  # the rule's pattern as a counselor reads it ("family … hit me"), or MODEL_PHRASE
    category: Category
    severity: Severity
    span: tuple[int, int]  # [start, end) in the screened text
    text: str  # the screened text at span, as its author wrote it
    reason: str  # why it counts, for the counselor: 'the words "..."', 'weapon near "school"'


@dataclass(frozen=True)
class Screening:
    """What screening found in one text; empty when nothing worrying."""

    matches: tuple[Match, ...] = ()

    @property
    def severity(self) -> Severity | None:
        return max((match.severity for match in self.matches), default=None)

    @property
    def categories(self) -> tuple[Category, ...]:
        found = {match.category for match in self.matches}
        return tuple(category for category in Category if category in found)


@dataclass(frozen=True)
class Finding:
    """Something in a check-in that a counselor should see."""

    source: FindingSource
    severity: Severity
    summary: str  # for the counselor; never quotes the notes


# ---------------------------------------------------------------- screening

MODEL_PHRASE = "similar notes"  # what a finding of the statistical second opinion names

def screen_text(text: str | None, *, second_opinion: bool = True,
                weak_rules: frozenset[RuleKey] | None = None) -> Screening:
    """What the rules and the statistical second opinion find in free text.

    Never raises on any text. The rules come first; the model may add a finding
    (raising the note's severity) but never removes or lowers one of theirs.
    A weak rule's finding (`weak_rules`; None: the calibration shipped with the
    rules, see `risk_training.calibrate`) does not count by itself: it is shown
    beside the note's other findings when they make it at least as severe.
    """
    if not text:
        return Screening()
    patterns = _patterns()
    words = risk_text.words(text, patterns.variants)
    weak = _calibration() if weak_rules is None else weak_rules
    found, beside = _rule_matches(text, words, patterns.windows(words), weak)
    by_rules = max((match.severity for match in found), default=Severity.LOW)
    # The model can only raise a note's severity: after a high finding it has nothing to add.
    if second_opinion and by_rules < Severity.HIGH:
        opinion = risk_model.second_opinion(words, above=by_rules.value)
        if opinion is not None:
            found.append(_model_match(text, words, opinion, found + beside))
    severity = max((match.severity for match in found), default=None)
    return Screening(tuple(found + [match for match in beside if severity is not None and match.severity <= severity]))


# Which windows hide the windows they contain: a longer phrase hides shorter
# ones of equal or lower severity inside it; a benign idiom hides low and medium
# phrases inside it but never a high one, so a too-broad idiom can never hide a
# disclosure.
_IDIOM_WEIGHT = 2
_SEVERITY_WEIGHTS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 3}
# Cues that lower a finding by one step (high to medium; a medium or low finding
# to nothing): near it in its sentence, or for a negation just before it. What
# the counselor is told, the first that applies. A "current" cue ("again",
# "still") lowers nothing: it cancels a "past" one.
_CUES = {"reassured": "the mentor checked and was reassured", "past": "said to be in the past",
         "frame": "in a lesson, story, film or game", "accident": "an accident",
         "hyperbole": "a figure of speech", "negation": "negated"}
# A medium rule whose findings were often in harmless development notes counts only beside other
# findings (`risk_training.calibrate` finds them).
_WEAK_RULE = "shown beside the other findings: alone, these words were often in harmless notes"
CALIBRATION_FILE = "risk_calibration.json"
RuleKey = tuple[str, str, str]  # a rule's pattern as written, its category and its severity
_NEGATION_REACH = 3  # words between a negation and the finding it lowers
_CLAUSE_STARTS = frozenset({risk_text.PRONOUN, "and", "but", "so", "because", "then", "or"})
_BESIDE = 2  # words apart that a model finding highlights together
_REPORTING = frozenset({"say", "tell", "admit", "disclose", "confide"})  # their normal forms
# Words between another cue and the finding it lowers, within its sentence: young mentors
# seldom end a sentence, and "we played fortnite ... then he said he wants to die" is no game.
_CUE_REACH = 8


def _weight(entry: risk_patterns.Entry) -> int:
    return _IDIOM_WEIGHT if entry.kind == "idiom" else _SEVERITY_WEIGHTS[Severity(entry.severity)]


def _rule_matches(text: str, words: list[risk_text.Word], windows: Iterable[risk_patterns.Window],
                  weak: frozenset[RuleKey]) -> tuple[list[Match], list[Match]]:
    """The rules' findings that count, and those of weak rules (shown only beside others)."""
    matches, beside = [], []
    for window, severity, lowered_by in _rule_findings(words, windows):
        if severity is None:
            continue
        reason = _reason(window, words, text)
        if lowered_by:
            reason += f" (lowered one step: {lowered_by})"
        is_weak = _is_weak(window.entry, severity, lowered_by, weak)
        if is_weak:
            reason += f" ({_WEAK_RULE})"
        start, end = words[window.start].start, words[window.end - 1].end
        (beside if is_weak else matches).append(Match(
            risk_patterns.readable(window.entry.phrase), Category(window.entry.category),
            severity, (start, end), text[start:end], reason))
    return matches, beside


def _rule_findings(words: list[risk_text.Word], windows: Iterable[risk_patterns.Window],
                   ) -> Iterator[tuple[risk_patterns.Window, Severity | None, str]]:
    """Each risk pattern's finding after context cues: its window, severity (None: dropped) and
    what lowered it ("" when nothing did)."""
    risks, cues = [], []
    for window in windows:
        (risks if window.entry.kind in ("risk", "idiom") else cues).append(window)
    for window in _undominated(risks):
        yield window, *_after_cues(window, cues, words)


def rule_key(entry: risk_patterns.Entry) -> RuleKey:
    """How the calibration names a rule: its pattern as written, its category and its severity."""
    return entry.phrase, str(entry.category), str(entry.severity)


class RuleFinding(NamedTuple):
    rule: risk_patterns.Entry
    severity: Severity | None  # after context cues (None: dropped)
    lowered_by: str  # what lowered it, "" when nothing did


def rule_findings(text: str) -> list[RuleFinding]:
    """The rules' findings in a text after context cues, before calibration: what
    `risk_training.calibrate` counts in the development notes."""
    patterns = _patterns()
    words = risk_text.words(text, patterns.variants)
    return [RuleFinding(window.entry, severity, lowered_by)
            for window, severity, lowered_by in _rule_findings(words, patterns.windows(words))]


def severity_by_rules(findings: Iterable[RuleFinding], weak: frozenset[RuleKey]) -> Severity | None:
    """The severity of these findings with these rules weak, as `screen_text` rules it."""
    return max((finding.severity for finding in findings
                if finding.severity is not None and not _is_weak(*finding, weak)), default=None)


def _is_weak(rule: risk_patterns.Entry, severity: Severity, lowered_by: str, weak: frozenset[RuleKey]) -> bool:
    """Whether a finding counts only beside others: a medium rule's, calibrated weak. A finding
    a context cue lowered is explained already (the cue drops a medium one), and a high rule is
    never weak: words of danger or abuse reach a counselor by themselves."""
    if severity != Severity.MEDIUM or lowered_by or not weak:
        return False
    return rule_key(rule) in weak


def _undominated(windows: Iterable[risk_patterns.Window]) -> list[risk_patterns.Window]:
    """Risk windows not contained in a window of equal or greater weight.

    Sweeping by start (longest first) means every window already seen starts
    no later than the current one, so it contains the current one exactly when
    it also ends no earlier: tracking the furthest end seen per weight is enough.
    """
    furthest_end = [-1] * (max(_SEVERITY_WEIGHTS.values()) + 1)
    kept = []
    for window in sorted(windows, key=lambda seen: (seen.start, -seen.end, -_weight(seen.entry))):
        weight = _weight(window.entry)
        if window.entry.kind == "risk" and max(furthest_end[weight:]) < window.end:
            kept.append(window)
        furthest_end[weight] = max(furthest_end[weight], window.end)
    return kept


def _after_cues(window: risk_patterns.Window, cues: list[risk_patterns.Window],
                words: list[risk_text.Word]) -> tuple[Severity | None, str]:
    """The window's severity after context cues: one step lower at most, and a
    high finding never lower than medium."""
    first, last = _sentence(window, words)
    kinds = set()
    for cue in cues:
        if not (first <= cue.start and cue.end <= last) or window.start < cue.end and cue.start < window.end:
            continue  # only cues in the finding's sentence and outside it
        if cue.entry.kind == "negation":
            # "she doesnt want to hurt herself", not "im not ok i want to die": a new clause ends it.
            if (cue.end <= window.start and window.start - cue.end <= _NEGATION_REACH
                    and not _any_between(words, cue, window, _CLAUSE_STARTS)):
                kinds.add("negation")
        elif (window.start - cue.end <= _CUE_REACH and cue.start - window.end <= _CUE_REACH
              and not _any_between(words, cue, window, _REPORTING)):
            kinds.add(cue.entry.kind)  # "a lesson on drugs and she told me ..." reports something real
    if "current" in kinds:
        kinds.discard("past")
    lowered_by = next((text for kind, text in _CUES.items() if kind in kinds), "")
    severity = Severity(window.entry.severity)
    if not lowered_by:
        return severity, ""
    # One step down: a high finding to medium, never to nothing; weaker ones are
    # explained by their context and dropped.
    return (Severity.MEDIUM if severity == Severity.HIGH else None), lowered_by


def _any_between(words: list[risk_text.Word], cue: risk_patterns.Window, window: risk_patterns.Window,
                 forms: frozenset[str]) -> bool:
    """Whether one of these words stands between a cue and the finding after it."""
    return any(word.form in forms for word in words[cue.end:window.start])


def _sentence(window: risk_patterns.Window, words: list[risk_text.Word]) -> tuple[int, int]:
    """Indexes of the first word and after the last word of the window's sentence."""
    first = window.start
    while first > 0 and words[first - 1].form != risk_text.BOUNDARY:
        first -= 1
    last = window.end
    while last < len(words) and words[last].form != risk_text.BOUNDARY:
        last += 1
    return first, last


def _reason(window: risk_patterns.Window, words: list[risk_text.Word], text: str) -> str:
    entry = window.entry
    if entry.reason is None:
        return f"the words {_quoted(risk_patterns.readable(entry.phrase))}"
    first, second = (words[window.anchors[0]], words[window.anchors[-1]])
    return entry.reason.format(_quoted(text[first.start:first.end]), _quoted(text[second.start:second.end]))


def _model_match(text: str, words: list[risk_text.Word], opinion: risk_model.Opinion,
                 rule_matches: list[Match]) -> Match:
    """The model's finding, spanning the words that weighed most for it. Where those words are
    also a rule's finding, the kind of risk is the rule's: it knows what the words are about."""
    strongest, *others = opinion.strongest_words or (0,)
    # The strongest word, with the next one when it stands right beside it ("kill", "self").
    indexes = [strongest, *(other for other in others if abs(other - strongest) <= _BESIDE)]
    start, end = words[min(indexes)].start, words[max(indexes)].end
    overlapping = [m for m in rule_matches if m.span[0] < end and start < m.span[1]]
    category = max(overlapping, key=lambda m: m.severity.rank).category if overlapping else Category(opinion.category)
    return Match(MODEL_PHRASE, category, Severity(opinion.severity), (start, end), text[start:end],
                 f"similar to notes about {category.label}")


def rule_variants() -> Mapping[str, tuple[str, ...]]:
    """The spelling variants the rules read notes with (the model reads the same words)."""
    return _patterns().variants


@functools.cache
def _calibration() -> frozenset[RuleKey]:
    """The weak rules, as the last `make screening-model` found them (none without its file)."""
    source = resources.files("schoolpeers.oversight") / "data" / CALIBRATION_FILE
    if not source.is_file():
        return frozenset()
    return frozenset(tuple(rule) for rule in json.loads(source.read_text(encoding="utf-8"))["weak_rules"])


@functools.cache
def _patterns() -> risk_patterns.Patterns:
    source = resources.files("schoolpeers.oversight") / "data" / "risk_rules.json"
    return compile_rules(json.loads(source.read_text(encoding="utf-8")))


def compile_rules(data: Mapping[str, Any]) -> risk_patterns.Patterns:
    """The rules file's patterns, its cues checked against the kinds screening knows."""
    unknown = set(data["cues"]) - set(_CUES) - {"current"}
    if unknown:
        raise ValueError(f"risk rules: cues of unknown kinds {sorted(unknown)}")
    return risk_patterns.compile_patterns(data)


# -------------------------------------------------------------------- rules

def assess_checkin(
    *,
    wellbeing: int,
    earlier_wellbeing: Sequence[int],
    notes: str | None,
    worry_flag: bool,
    worry_severity: Severity | None,
) -> list[Finding]:
    """What a counselor should see about one check-in, one finding per rule.

    earlier_wellbeing holds the mentee's earlier ratings, most recent first.
    """
    for rating in (wellbeing, *earlier_wellbeing):
        if rating not in WELLBEING_RATINGS:
            raise ValueError(f"well-being rating out of range: {rating!r}")
    findings = (
        _low_wellbeing(wellbeing),
        _wellbeing_drop(wellbeing, earlier_wellbeing[:DROP_BASELINE_CHECKINS]),
        _mentor_worry(worry_flag, worry_severity),
        _screened_notes(notes),
    )
    return [finding for finding in findings if finding is not None]


def highest(findings: Iterable[Finding]) -> Severity | None:
    return max((finding.severity for finding in findings), default=None)


def is_overdue(
    began_on: date,
    last_checkin_on: date | None,
    today: date,
    cadence_days: int = DEFAULT_CADENCE_DAYS,
) -> bool:
    """Whether an active mentorship has gone more than cadence_days without a
    check-in, counting from the later of its start and its last check-in.

    A check-in is due within the cadence: on day cadence_days it is still on
    time, and it becomes overdue the day after.
    """
    if cadence_days < 1:
        raise ValueError(f"cadence must be at least one day: {cadence_days!r}")
    since = began_on if last_checkin_on is None else max(began_on, last_checkin_on)
    return (today - since).days > cadence_days


def _low_wellbeing(wellbeing: int) -> Finding | None:
    if wellbeing != LOWEST_WELLBEING:
        return None
    return Finding(
        FindingSource.LOW_WELLBEING,
        Severity.HIGH,
        f"Well-being rated {wellbeing} out of 5, the lowest rating.",
    )


def _wellbeing_drop(wellbeing: int, baseline: Sequence[int]) -> Finding | None:
    if not baseline:
        return None
    # average - wellbeing >= WELLBEING_DROP, in integers to avoid float edges
    if sum(baseline) < (wellbeing + WELLBEING_DROP) * len(baseline):
        return None
    average = sum(baseline) / len(baseline)
    checkins = "check-in" if len(baseline) == 1 else f"{len(baseline)} check-ins"
    return Finding(
        FindingSource.WELLBEING_DROP,
        Severity.MEDIUM,
        f"Well-being fell to {wellbeing} out of 5 from an average of {average:.1f} "
        f"over the previous {checkins}.",
    )


def _mentor_worry(worry_flag: bool, worry_severity: Severity | None) -> Finding | None:
    if not worry_flag:
        return None
    severity = max(Severity(worry_severity or Severity.MEDIUM), Severity.MEDIUM)
    return Finding(
        FindingSource.MENTOR_WORRY,
        severity,
        f"The mentor is worried about their mentee and marked it {severity}.",
    )


def _screened_notes(notes: str | None) -> Finding | None:
    """The notes' risk language; if screening itself fails, a finding that asks a
    counselor to read them, so that no check-in is lost to a fault in screening."""
    return screen_notes(notes)[1]


def screen_notes(notes: str | None) -> tuple[Screening, Finding | None]:
    """Free-text notes screened as a check-in's are: what matched (each match says where it
    is, so notes about a group can say whom a finding is about) and the finding a counselor
    should see. If screening itself fails: nothing matched, and a finding that asks a
    counselor to read the notes, so that none are lost to a fault in screening."""
    try:
        screening = screen_text(notes)
        return screening, _risk_language(screening)
    except Exception:  # noqa: BLE001 - any fault at all must still reach a counselor
        _log.exception("screening failed; the notes go to a counselor to read")
        return Screening(), Finding(FindingSource.SCREENING_FAILED, Severity.MEDIUM,
                                    "The notes could not be screened automatically: please read them.")


def assess_notes(notes: str | None) -> Finding | None:
    """What a counselor should see about free text that is not a check-in's (a circle
    leader's session notes, a member's anonymous comment), as for a check-in's notes."""
    return screen_notes(notes)[1]


def assess_matches(matches: Iterable[Match]) -> Finding | None:
    """The finding some of a screening's matches make (those about one member of a group),
    summarised as a whole text's are: the lexicon's phrases, never the notes' words."""
    return _risk_language(Screening(tuple(matches)))


def _risk_language(screening: Screening) -> Finding | None:
    if screening.severity is None:
        return None
    # Lexicon phrases, never the note's own words: the summary travels further
    # than the private notes do.
    by_category = (
        (category, dict.fromkeys(m.phrase for m in screening.matches if m.category == category))
        for category in screening.categories
    )
    found = "; ".join(
        f"{category.label} ({', '.join(map(_quoted, phrases))})"
        for category, phrases in by_category
    )
    return Finding(
        FindingSource.RISK_LANGUAGE,
        screening.severity,
        f"Risk language in the notes: {found}.",
    )


def _quoted(phrase: str) -> str:
    return f'"{phrase}"'
