"""Risk screening of check-ins: the pure core behind counselors' Concerns.

Screening is a safety net that puts worrying check-ins in front of an adult.
It is not a diagnosis and decides nothing by itself: a finding means "a
counselor should look", and no finding never means "this mentee is safe".

Standard library only, so that it stays easy to test and to reason about; the
web and database layers turn findings into Concerns.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Any, NamedTuple


class Severity(StrEnum):
    """How urgently a counselor should look, ordered low < medium < high.

    The values are stored as text; comparisons also accept those strings.
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANKS[self]

    # str already defines the comparisons (alphabetically, where "high" <
    # "low"), so each one is overridden; total_ordering would not replace them.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank < Severity(other).rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank <= Severity(other).rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank > Severity(other).rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank >= Severity(other).rank


_SEVERITY_RANKS = {severity: rank for rank, severity in enumerate(Severity)}


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


WELLBEING_RATINGS = range(1, 6)
LOWEST_WELLBEING = 1
WELLBEING_DROP = 2  # points below the recent average that count as a drop
DROP_BASELINE_CHECKINS = 3  # how many earlier check-ins make the average
DEFAULT_CADENCE_DAYS = 14
OVERDUE_SEVERITY = Severity.LOW


@dataclass(frozen=True)
class Match:
    """One lexicon phrase found in a text."""

    phrase: str  # as written in the lexicon
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

def screen_text(text: str | None) -> Screening:
    """Find the lexicon's risk phrases in free text. Never raises on any text."""
    if not text:
        return Screening()
    lexicon = _lexicon()
    words = _normalise_words(_WORD_OR_LINE_BREAK.findall(text), lexicon.word_variants)
    windows = _undominated(_windows(words, lexicon))
    if not windows:
        return Screening()
    # Only texts with a match pay for the offsets of their words, and only up
    # to the last matched word.
    words_needed = max(window.end for window in windows)
    spans = [
        found.span()
        for found in itertools.islice(_WORD_OR_LINE_BREAK.finditer(text), words_needed)
    ]
    return Screening(tuple(_match(text, spans, window) for window in windows))


# A word is a run of letters or digits. Everything else (spaces, punctuation,
# apostrophes, hyphens, emoji, zero-width characters) only separates words, and
# matching glues words back together, so "don't", "don t" and "dont" meet, and
# so do "kill my self", "killmyself" and "k.i.l.l myself". Words must match
# whole, so "skill" never reads as "kill". A line break is a hard stop (the
# empty string in findall's result): no phrase spans two lines.
_WORD_OR_LINE_BREAK = re.compile(r"([^\W_]+)|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_SEPARATOR = "\x00"  # never inside a word, so normalising words in bulk is safe
_REPEATED_CHARACTER = re.compile(r"([^\x00])\1+")
_FINAL_ING = re.compile(r"ing(?=\x00|\Z)")


def _normalise_words(words: list[str], word_variants: Mapping[str, str]) -> list[str]:
    """Fold case, compatibility forms, repeated letters ("sooo", "killl") and a
    dropped final g ("cuttin"), then apply whole-word variants ("sucidal").

    Works on all words joined into one string, so that a 4,000-character note
    costs a few C-level passes rather than a Python loop per word.
    """
    joined = unicodedata.normalize("NFKC", _SEPARATOR.join(words)).casefold()
    joined = _REPEATED_CHARACTER.sub(r"\1", joined)
    joined = _FINAL_ING.sub("in", joined)
    return [word_variants.get(word, word) for word in joined.split(_SEPARATOR)]


def _glue(joined: str, word: str) -> str:
    """Append a word, squeezing a letter doubled across the join, as the
    squeezing of repeated letters would have inside one word ("k i l l")."""
    return joined + word[1:] if joined[-1:] == word[:1] else joined + word


class _Entry(NamedTuple):
    phrase: str
    category: Category | None  # None for a benign idiom
    severity: Severity | None


class _Window(NamedTuple):
    start: int  # index of the first word
    end: int  # index after the last word
    entry: _Entry


# Which windows hide the windows they contain: a longer phrase hides shorter
# ones of equal or lower severity inside it; a benign idiom hides low and medium
# phrases inside it but never a high one, so a too-broad idiom can never hide a
# disclosure.
_IDIOM_WEIGHT = 2
_SEVERITY_WEIGHTS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 3}


def _weight(entry: _Entry) -> int:
    return _IDIOM_WEIGHT if entry.severity is None else _SEVERITY_WEIGHTS[entry.severity]


# Words that add no letter when glued (the second "l" of "k i l l"). Two cover
# spelled-out phrases and bound the work on inputs such as "a a a a ...".
_MAX_MERGED_WORDS = 2


def _windows(words: list[str], lexicon: _Lexicon) -> Iterator[_Window]:
    """Every run of words that glues into a lexicon phrase or idiom."""
    prefixes = lexicon.prefixes
    # Most words cannot begin any phrase; skipping them in one comprehension
    # is what keeps a long note cheap.
    starts = [start for start, word in enumerate(words) if word in prefixes]
    for start in starts:
        joined = ""
        for end in range(start, len(words)):
            word = words[end]
            if not word:  # a line break
                break
            joined = _glue(joined, word)
            if joined not in prefixes or end + 1 - start - len(joined) > _MAX_MERGED_WORDS:
                break
            entry = lexicon.entries.get(joined)
            if entry is not None:
                yield _Window(start, end + 1, entry)


def _undominated(windows: Iterable[_Window]) -> list[_Window]:
    """Risk windows not contained in a window of equal or greater weight.

    Sweeping by start (longest first) means every window already seen starts
    no later than the current one, so it contains the current one exactly when
    it also ends no earlier: tracking the furthest end seen per weight is enough.
    """
    furthest_end = [-1] * (max(_SEVERITY_WEIGHTS.values()) + 1)
    kept = []
    for window in sorted(windows, key=lambda seen: (seen.start, -seen.end)):
        weight = _weight(window.entry)
        if window.entry.category is not None and max(furthest_end[weight:]) < window.end:
            kept.append(window)
        furthest_end[weight] = max(furthest_end[weight], window.end)
    return kept


def _match(text: str, spans: list[tuple[int, int]], window: _Window) -> Match:
    start, end = spans[window.start][0], spans[window.end - 1][1]
    phrase, category, severity = window.entry
    assert category is not None and severity is not None  # idioms are never kept
    return Match(phrase, category, severity, (start, end), text[start:end], f"the words {_quoted(phrase)}")


# ------------------------------------------------------------------ lexicon

@dataclass(frozen=True)
class _Lexicon:
    entries: Mapping[str, _Entry]  # by glued, normalised key
    prefixes: frozenset[str]  # of every key, to stop a window early
    word_variants: Mapping[str, str]


@functools.cache
def _lexicon() -> _Lexicon:
    source = resources.files("schoolpeers.oversight") / "data" / "risk_lexicon.json"
    return _compile(json.loads(source.read_text(encoding="utf-8")))


def _compile(data: Mapping[str, Any]) -> _Lexicon:
    word_variants = _compile_word_variants(data["word_variants"])
    entries: dict[str, _Entry] = {}
    for entry in _declared_entries(data):
        for spelling in _spellings(entry.phrase, data["phrase_alternatives"]):
            key = _key(spelling, word_variants)
            if not key:
                raise ValueError(f"risk lexicon: {entry.phrase!r} has no words")
            known = entries.setdefault(key, entry)
            if known != entry:
                raise ValueError(
                    f"risk lexicon: {entry.phrase!r} and {known.phrase!r} read the same"
                )
    return _Lexicon(
        entries=entries,
        prefixes=frozenset(key[:end] for key in entries for end in range(1, len(key) + 1)),
        word_variants=word_variants,
    )


def _declared_entries(data: Mapping[str, Any]) -> Iterator[_Entry]:
    for category, by_severity in data["risk_phrases"].items():
        for severity, phrases in by_severity.items():
            for phrase in phrases:
                yield _Entry(phrase, Category(category), Severity(severity))
    for category, phrases in data["ambiguous_phrases"].items():
        for phrase in phrases:
            yield _Entry(phrase, Category(category), Severity.MEDIUM)
    for idiom in data["benign_idioms"]:
        yield _Entry(idiom, None, None)


def _spellings(phrase: str, alternatives: Mapping[str, list[str]]) -> Iterator[str]:
    """The phrase with its contractions also written out ("do not" for "don't")."""
    options = [[word, *alternatives.get(word, ())] for word in phrase.casefold().split()]
    return (" ".join(choice) for choice in itertools.product(*options))


def _key(text: str, word_variants: Mapping[str, str]) -> str:
    words = _normalise_words(_WORD_OR_LINE_BREAK.findall(text), word_variants)
    return functools.reduce(_glue, words, "")


def _compile_word_variants(variants: Mapping[str, str]) -> dict[str, str]:
    compiled = {}
    for variant, standard in variants.items():
        if len(_WORD_OR_LINE_BREAK.findall(variant)) != 1:
            raise ValueError(f"risk lexicon: word variant {variant!r} is not one word")
        # Keys and values are normalised like any text, but without variants,
        # so no substitution ever feeds another.
        compiled[_key(variant, {})] = _key(standard, {})
    return compiled


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
        _risk_language(screen_text(notes)),
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
