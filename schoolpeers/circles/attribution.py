"""Whom a worrying passage of a leader's session notes is about: the members its sentence names, or
the one member the sentence before names when this one says "he" or "she"; otherwise the group.

Pure (no Flask or SQLAlchemy): the notes, the spans screening found in them and the members come in
as plain values, member ids go out. A passage is only ever attributed to a member the notes name, so
a concern is never raised about a student nobody wrote about; when in doubt it is the group's, and a
counselor reads the notes from there.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A word: letters and digits, joined across a hyphen or an apostrophe, so that "Ann-Marie",
# "O'Brien" and "Maya's" are one word each and "Al" is not a word of "Alice" or "Al-Amin".
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
# A possessive or a contraction at a word's end: "Maya's" names Maya, "she'd" is "she".
_ENDING = re.compile(r"['’](?:s|d|ll|re|ve|m)$")
# A sentence ends at . ! ? or … before a space (or the end), or at a line break: young leaders
# write in lines as often as in sentences.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
# Singular third-person pronouns: the sentence speaks of someone named before.
PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})


@dataclass(frozen=True)
class Member:
    id: int
    given_name: str
    family_name: str
    preferred_name: str | None = None


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    words: tuple[str, ...]


def words_of(text: str) -> tuple[str, ...]:
    """The text's words as compared: case-folded, a possessive or contraction ending removed."""
    return tuple(_ENDING.sub("", match.group().casefold()) for match in _WORD.finditer(text))


def name_forms(member: Member) -> set[tuple[str, ...]]:
    """How the notes may name a member: their given (or preferred) name alone or with their family name."""
    family = words_of(member.family_name)
    forms = set()
    for first in (member.given_name, member.preferred_name or ""):
        first_words = words_of(first)
        if first_words:
            forms.add(first_words)
            if family:
                forms.add(first_words + family)
    return forms


def sentences(text: str) -> list[_Sentence]:
    """The text's sentences with where they are; runs of space between them belong to none."""
    found, start = [], 0
    for end_match in (*_SENTENCE_END.finditer(text), None):
        end = end_match.end() if end_match else len(text)
        words = words_of(text[start:end])
        if words:
            found.append(_Sentence(start, end, words))
        start = end
    return found


class _Names:
    """Finds who a sentence names. A name shared by several members (two Mayas) names none of them
    unless written in full; a longer name hides the shorter ones inside it ("Maya Lopez" is not also
    a mention of a member called Lopez)."""

    def __init__(self, members: Iterable[Member]):
        self._owners: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for member in members:
            for form in name_forms(member):
                self._owners[form].add(member.id)
        self._by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for form in self._owners:
            self._by_first[form[0]].append(form)

    def named_in(self, words: Sequence[str]) -> frozenset[int]:
        mentions = []  # (first word, after the last word, form)
        for i, word in enumerate(words):
            for form in self._by_first.get(word, ()):
                if tuple(words[i:i + len(form)]) == form:
                    mentions.append((i, i + len(form), form))
        kept: list[tuple[int, int, tuple[str, ...]]] = []
        for mention in sorted(mentions, key=lambda m: (m[0] - m[1], m[0], m[2])):  # longest first
            if not any(k[0] <= mention[0] and mention[1] <= k[1] for k in kept):
                kept.append(mention)
        named = set()
        for _start, _end, form in kept:
            owners = self._owners[form]
            if len(owners) == 1:
                named |= owners
        return frozenset(named)


def attribute(notes: str, spans: Sequence[tuple[int, int]], members: Iterable[Member]) -> list[frozenset[int]]:
    """For each span of the notes (a finding of screening), the ids of the members it is about; an
    empty set when it is about the group, or about nobody the notes name."""
    names = _Names(members)
    parts = sentences(notes)
    named = [names.named_in(part.words) for part in parts]
    result = []
    for start, end in spans:
        inside = [i for i, part in enumerate(parts) if part.start < max(end, start + 1) and start < part.end]
        about = frozenset().union(*(named[i] for i in inside))
        if not about and inside:
            first = inside[0]
            speaks_of_one = any(PRONOUNS.intersection(parts[i].words) for i in inside)
            if speaks_of_one and first > 0 and len(named[first - 1]) == 1:
                about = named[first - 1]
        result.append(about)
    return result
