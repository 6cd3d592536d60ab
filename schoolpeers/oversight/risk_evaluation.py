"""How well screening does on the evaluation corpus: labelled mentor notes
shipped with the package, split once into a development part (rules and the
model are tuned and trained on it) and a held-out part (only ever measured).
A pure core (no Flask, no database).

A counselor's labels: high = possible danger to life or a disclosure of abuse;
medium = warning signs to follow up within days; none = nothing to follow up.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

from schoolpeers.oversight.risk import Category

PARTS = ("development", "heldout")
LABELS = ("high", "medium", "none")
SCREENED = ("high", "medium", "low", "none")  # what screening can say


class Note(NamedTuple):
    text: str
    label: str  # high, medium or none
    category: str  # a risk category, or none
    kind: str  # how it shows up (third_person, lesson, ...), for reading the misses


def load_corpus(part: str) -> list[Note]:
    if part not in PARTS:
        raise ValueError(f"unknown corpus part {part!r}: one of {', '.join(PARTS)}")
    source = resources.files("schoolpeers.oversight") / "data" / f"screening_{part}.jsonl"
    return read_notes(source.read_text(encoding="utf-8").splitlines())


def read_notes(lines: Iterable[str]) -> list[Note]:
    """Labelled notes from JSON lines (text, label, category, and optionally kind)."""
    notes = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            notes.append(checked_note(row["text"], row["label"], row["category"], row.get("kind", "")))
    return notes


def checked_note(text: str, label: str, category: str, kind: str = "") -> Note:
    """A labelled note, refused with a reason when its label or category is not one screening knows."""
    categories = {category.value for category in Category}
    if label not in LABELS:
        raise ValueError(f"label {label!r} is not one of {', '.join(LABELS)}")
    if (label == "none") != (category == "none") or category != "none" and category not in categories:
        raise ValueError(f"category {category!r} does not fit label {label!r}: "
                         f"none for none, else one of {', '.join(sorted(categories))}")
    return Note(text, label, category, kind)


@dataclass
class Figures:
    notes: int
    high_recall: float  # high notes screened high
    medium_recall: float  # medium notes screened medium or high
    false_alarm: float  # harmless notes flagged at any severity
    false_high: float  # harmless notes screened high
    ms_per_note: float
    confusion: dict[str, Counter[str]]  # label -> screened severity -> notes
    recall_by_category: dict[str, float]  # at the label's severity
    precision_by_category: dict[str, float]  # of notes screened in the category, share truly worrying
    misses: list[tuple[Note, str]] = field(default_factory=list)  # (note, what screening said)
    false_alarms: list[tuple[Note, str]] = field(default_factory=list)


def evaluate(notes: Sequence[Note], screen: Callable[[str], object]) -> Figures:
    """Screen every note (timing the screening alone) and compare with its label.

    screen returns an object with `severity` (a string or None) and `categories`.
    """
    started = time.perf_counter()
    results = [screen(note.text) for note in notes]
    elapsed = time.perf_counter() - started
    confusion: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
    caught: dict[str, list[bool]] = defaultdict(list)
    flagged_in: dict[str, list[bool]] = defaultdict(list)
    misses, false_alarms = [], []
    for note, result in zip(notes, results, strict=True):
        said = str(result.severity) if result.severity is not None else "none"
        confusion[note.label][said] += 1
        if note.label != "none":
            ok = _meets(said, note.label)
            caught[note.category].append(ok)
            if not ok:
                misses.append((note, said))
        elif said != "none":
            false_alarms.append((note, said))
        for category in result.categories:
            flagged_in[str(category)].append(note.label != "none")
    return Figures(
        notes=len(notes),
        high_recall=_share(_meets(said, "high") for said in confusion["high"].elements()),
        medium_recall=_share(_meets(said, "medium") for said in confusion["medium"].elements()),
        false_alarm=_share(said != "none" for said in confusion["none"].elements()),
        false_high=_share(said == "high" for said in confusion["none"].elements()),
        ms_per_note=1000 * elapsed / max(len(notes), 1),
        confusion=confusion,
        recall_by_category={category: _share(found) for category, found in sorted(caught.items())},
        precision_by_category={category: _share(right) for category, right in sorted(flagged_in.items())},
        misses=misses,
        false_alarms=false_alarms,
    )


def _meets(said: str, label: str) -> bool:
    """Whether screening said enough: high for a high note, medium or high for a medium one."""
    return said == "high" if label == "high" else said in ("high", "medium")


def _share(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else 0.0
