"""Screening benchmark: the held-out part of the evaluation corpus, and speed.

Prints, for the held-out notes (never used to tune the rules or train the
model): recall per category at the note's severity, precision per category,
the confusion table, every miss and every false alarm, and the time per note.
Speed is also measured on a 4,000-character note and on 10,000 typical notes
(the corpus's own, screened again and again), after a warm-up so that loading
the rules, the dictionary and the model is not counted.
"""

from __future__ import annotations

import statistics
import time

from schoolpeers.oversight import risk
from schoolpeers.oversight.risk_evaluation import LABELS, SCREENED, evaluate, load_corpus

TYPICAL_NOTES = 10_000
LONG_NOTE_CHARS = 4_000


def run() -> list[dict]:
    heldout = load_corpus("heldout")
    risk.screen_text("warm up: load the rules, the dictionary and the model")
    figures = evaluate(heldout, risk.screen_text)
    _print_report(figures)
    long_ms = _long_note_ms(heldout)
    typical_s = _typical_notes_s(heldout)
    print(f"\n4,000-character note: {long_ms:.2f} ms (median of 50); "
          f"{TYPICAL_NOTES:,} typical notes: {typical_s:.2f} s")
    return [{
        "part": "risk", "case": "heldout", "notes": figures.notes,
        "high_recall": round(figures.high_recall, 4), "medium_recall": round(figures.medium_recall, 4),
        "false_alarm": round(figures.false_alarm, 4), "false_high": round(figures.false_high, 4),
        "ms_per_note": round(figures.ms_per_note, 3), "long_note_ms": round(long_ms, 3),
        "typical_10000_s": round(typical_s, 3), "wall_s": round(typical_s, 3), "peak_mb": None,
    }]


def _print_report(figures) -> None:
    print(f"held-out notes: {figures.notes}")
    print(f"high notes screened high: {figures.high_recall:.1%}; "
          f"medium notes screened medium or high: {figures.medium_recall:.1%}; "
          f"harmless flagged: {figures.false_alarm:.1%} (as high {figures.false_high:.1%})")
    print("\nconfusion (rows: counselor's label; columns: screening)")
    print(f"{'':8}" + "".join(f"{said:>8}" for said in SCREENED))
    for label in LABELS:
        print(f"{label:8}" + "".join(f"{figures.confusion[label][said]:>8}" for said in SCREENED))
    print("\nper category: recall at the note's severity / precision of notes screened in it")
    for category in sorted(set(figures.recall_by_category) | set(figures.precision_by_category)):
        recall = figures.recall_by_category.get(category)
        precision = figures.precision_by_category.get(category)
        print(f"  {category:20} {_percent(recall):>7} / {_percent(precision):>7}")
    print(f"\nmisses ({len(figures.misses)}):")
    for note, said in figures.misses:
        print(f"  [{note.label} {note.category} {note.kind}; screened {said}] {_one_line(note.text)}")
    print(f"\nfalse alarms ({len(figures.false_alarms)}):")
    for note, said in figures.false_alarms:
        print(f"  [{note.kind}; screened {said}] {_one_line(note.text)}")


def _long_note_ms(notes) -> float:
    """A full-length note of harmless sentences in which the rules find nothing high: the
    costliest kind, as every part of screening runs on it (after a high finding of the rules the
    model is skipped, as it could add nothing)."""
    text = ""
    for note in notes:
        if note.label != "none" or _rules_find_high(note.text):
            continue
        if len(text) + len(note.text) + 1 > LONG_NOTE_CHARS:
            break
        text += note.text + "\n"
    text = text.ljust(LONG_NOTE_CHARS, ".")
    assert not _rules_find_high(text), "the long note must make the model run"
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        risk.screen_text(text)
        timings.append(1000 * (time.perf_counter() - started))
    return statistics.median(timings)


def _rules_find_high(text: str) -> bool:
    return risk.screen_text(text, second_opinion=False).severity == risk.Severity.HIGH


def _typical_notes_s(notes) -> float:
    texts = [note.text for note in notes]
    started = time.perf_counter()
    for index in range(TYPICAL_NOTES):
        risk.screen_text(texts[index % len(texts)])
    return time.perf_counter() - started


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 200 else flat[:197] + "..."
