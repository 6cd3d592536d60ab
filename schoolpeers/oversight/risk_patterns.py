"""Patterns over a note's normal words (risk_text): the rules half of screening.
A pure core (no Flask, no database).

A pattern is written in plain words and read in normal form, so "kills herself"
is written once as "kill myself". Its elements, separated by spaces:

    word        the word in any form ("burn" matches burns, burnt, burning)
    a|b|c       any of these words
    @class      any word of a named class ("@family": mum, stepdad, uncle...); a class may take
                in a class named before it ("@adult_at_home", then "brother", "sister"...)
    word?       the word or nothing
    ~N          up to N other words, never across a line or a sentence end

A "near" rule is two elements in either order, up to N words apart.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from schoolpeers.oversight.risk_text import BOUNDARY, Variants, Word, normal_forms, words, written_form

_GAP = "~"


class Entry(NamedTuple):
    """What a pattern stands for. kind: risk, idiom (hides weaker risk inside it) or a cue's name."""

    phrase: str  # as written in the rules
    kind: str
    category: str | None = None
    severity: str | None = None  # low, medium or high
    reason: str | None = None  # for near rules: a template with {0} and {1}, the words found


class _Element(NamedTuple):
    words: frozenset[str] | None  # None: a gap
    optional: bool = False
    gap: int = 0


class Window(NamedTuple):
    start: int  # index of the first word
    end: int  # index after the last word
    entry: Entry
    anchors: tuple[int, ...]  # indexes of the words that matched a word element


class _Compiled(NamedTuple):
    elements: tuple[_Element, ...]
    entry: Entry
    required: tuple[frozenset[str], ...]  # the words of its other elements that cannot be left out


@dataclass(frozen=True)
class Patterns:
    # Patterns that begin with two words are found by that pair, the others by their first word:
    # most words of a note begin no pattern, and most pairs none either.
    by_first_word: Mapping[str, tuple[_Compiled, ...]]
    by_first_pair: Mapping[tuple[str, str], tuple[_Compiled, ...]]
    variants: Mapping[str, tuple[str, ...]]
    beginnings: frozenset[str]  # every word that begins a pattern

    def windows(self, words: Sequence[Word]) -> Iterator[Window]:
        """Every place a pattern matches, the shortest match for each pattern and start."""
        forms = [word.form for word in words]
        present = frozenset(forms)
        # A pattern whose other words are not all in the note cannot match anywhere in it:
        # sorted out once per note and first word ("me" begins many patterns and is in every note).
        viable: dict[str, list[_Compiled]] = {}
        beginnings = self.beginnings
        for start in [start for start, form in enumerate(forms) if form in beginnings]:
            first = forms[start]
            pair = (first, forms[start + 1] if start + 1 < len(forms) else None)
            candidates = viable.get(first)
            if candidates is None:
                candidates = viable[first] = [
                    pattern for pattern in self.by_first_word.get(first, ())
                    if not any(map(present.isdisjoint, pattern.required))]
            for elements, entry, _ in candidates:
                anchors = _match(elements, 1, forms, start + 1, (start,))
                if anchors is not None:
                    yield Window(start, anchors[-1] + 1, entry, anchors)
            for elements, entry, _ in self.by_first_pair.get(pair, ()):
                anchors = _match(elements, 2, forms, start + 2, (start, start + 1))
                if anchors is not None:
                    yield Window(start, anchors[-1] + 1, entry, anchors)


def _match(elements: Sequence[_Element], index: int, forms: Sequence[str], position: int,
           anchors: tuple[int, ...]) -> tuple[int, ...] | None:
    if index == len(elements):
        return anchors
    element = elements[index]
    if element.words is None:
        for skip in range(element.gap + 1):
            if skip and (position + skip - 1 >= len(forms) or forms[position + skip - 1] == BOUNDARY):
                return None
            found = _match(elements, index + 1, forms, position + skip, anchors)
            if found is not None:
                return found
        return None
    if position < len(forms) and forms[position] in element.words:
        found = _match(elements, index + 1, forms, position + 1, (*anchors, position))
        if found is not None:
            return found
    return _match(elements, index + 1, forms, position, anchors) if element.optional else None


# ------------------------------------------------------------------ compiling

def compile_patterns(data: Mapping[str, Any]) -> Patterns:
    """Read the rules file's sections: variants, classes, rules, near, idioms and cues."""
    variants = Variants()
    for written, meant in data["variants"].items():
        # Read without variants, so that no substitution feeds another.
        variants[written_form(written)] = tuple(
            form for word in meant.split() for form in normal_forms(word, {}))
    classes: dict[str, frozenset[str]] = {}
    for name, members in data["classes"].items():
        classes[name] = frozenset(_class_forms(members, classes, variants))
    compiled: dict[str, list[_Compiled]] = defaultdict(list)
    declared: dict[tuple[_Element, ...], Entry] = {}
    by_pair: dict[tuple[str, str], list[_Compiled]] = defaultdict(list)

    def add(pattern: str, entry: Entry) -> None:
        for elements in _alternatives(_elements(pattern, classes, variants)):
            first = elements[0] if elements else _Element(None)
            if first.words is None or first.optional:
                raise ValueError(f"risk rules: {pattern!r} must begin with a word")
            known = declared.setdefault(elements, entry)
            if known.kind != entry.kind or known.severity != entry.severity or known.category != entry.category:
                raise ValueError(f"risk rules: {entry.phrase!r} and {known.phrase!r} read the same")
            if known is not entry:
                continue
            pattern = _Compiled(elements, entry, tuple(
                element.words for element in elements[1:] if element.words is not None and not element.optional))
            second = elements[1] if len(elements) > 1 else None
            if second is not None and second.words is not None and not second.optional:
                for pair in itertools.product(first.words, second.words):
                    by_pair[pair].append(pattern)
            else:
                for word in first.words:
                    compiled[word].append(pattern)

    for category, by_severity in data["rules"].items():
        for severity, patterns in by_severity.items():
            for pattern in patterns:
                add(pattern, Entry(pattern, "risk", category, _severity(severity)))
    for rule in data["near"]:
        first, second = rule["words"]
        entry = Entry(f"{first} near {second}", "risk", rule["category"],
                      _severity(rule["severity"]), rule["reason"])
        add(f"{first} ~{rule['within']} {second}", entry)
        add(f"{second} ~{rule['within']} {first}", entry._replace(reason=_swapped(rule["reason"])))
    for idiom in data["idioms"]:
        add(idiom, Entry(idiom, "idiom"))
    for cue, patterns in data["cues"].items():
        for pattern in patterns:
            add(pattern, Entry(pattern, cue))
    return Patterns({word: tuple(found) for word, found in compiled.items()},
                    {pair: tuple(found) for pair, found in by_pair.items()}, variants,
                    frozenset(compiled) | {first for first, _ in by_pair})


def readable(pattern: str) -> str:
    """A pattern as a counselor reads it: "@family ~3 hit|hits me" -> "family … hit me"."""
    shown: list[str] = []
    for token in pattern.split():
        if token.startswith(_GAP) and token[1:].isdigit():
            token = "…"
        else:
            token = token.rstrip("?") if len(token) > 1 else token
            token = token.lstrip("@").replace("_", " ").split("|")[0]
        if not (token == "…" and shown and shown[-1] == "…"):
            shown.append(token)
    return " ".join(shown)


def _severity(name: str) -> str:
    if name not in ("low", "medium", "high"):
        raise ValueError(f"risk rules: unknown severity {name!r}")
    return name


def _swapped(reason: str) -> str:
    return reason.replace("{0}", "\x00").replace("{1}", "{0}").replace("\x00", "{1}")


def _single(word: str, variants: Mapping[str, tuple[str, ...]]) -> str:
    forms = normal_forms(word, variants)
    if len(forms) != 1:
        raise ValueError(f"risk rules: {word!r} is not one word in normal form ({forms})")
    return forms[0]


def _class_forms(members: Iterable[str], classes: Mapping[str, frozenset[str]],
                 variants: Mapping[str, tuple[str, ...]]) -> Iterator[str]:
    """A class's words in normal form; "@name" takes in every word of a class named before it."""
    for member in members:
        if member.startswith("@"):
            if member[1:] not in classes:
                raise ValueError(f"risk rules: class {member!r} is used before it is named")
            yield from classes[member[1:]]
        else:
            yield from normal_forms(member, variants)


def _elements(pattern: str, classes: Mapping[str, frozenset[str]],
              variants: Mapping[str, tuple[str, ...]]) -> list[list[_Element]]:
    """Each written element as the run(s) of elements it reads as (a word may read as several)."""
    read: list[list[_Element]] = []
    for token in pattern.split():
        optional = token.endswith("?") and len(token) > 1
        token = token.rstrip("?") if optional else token
        if token.startswith(_GAP) and token[1:].isdigit():
            read.append([_Element(None, gap=int(token[1:]))])
        elif token.startswith("@"):
            if token[1:] not in classes:
                raise ValueError(f"risk rules: {pattern!r} names an unknown class {token!r}")
            read.append([_Element(classes[token[1:]], optional)])
        elif "|" in token:
            read.append([_Element(frozenset(_single(word, variants) for word in token.split("|")), optional)])
        else:
            forms = [word.form for word in words(token, variants) if word.form != BOUNDARY]
            if not forms:
                raise ValueError(f"risk rules: {token!r} in {pattern!r} reads as nothing")
            read.append([_Element(frozenset((form,)), optional) for form in forms])
    if not read:
        raise ValueError("risk rules: an empty pattern")
    return read


def _alternatives(read: list[list[_Element]]) -> Iterator[tuple[_Element, ...]]:
    """Flatten; a pattern whose first element is optional reads as two patterns."""
    flat = tuple(itertools.chain.from_iterable(read))
    if flat[0].optional:
        yield flat[1:]
        flat = (flat[0]._replace(optional=False), *flat[1:])
    yield flat
