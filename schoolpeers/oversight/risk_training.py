"""Builds screening's statistical second opinion from the development corpus:
`make screening-model` (or `python -m schoolpeers.oversight.risk_training`).

Reproducible: the same corpus and seed give the same file, byte for byte on one
machine and the same predictions anywhere. The model is written as plain
arrays (`.npz`, no pickle) that `risk_model` reads with numpy alone; only this
builder needs scikit-learn.

Thresholds are chosen for recall on out-of-fold predictions (each development
note scored by a model that never saw it), together with the rules' own
findings, within a false-alarm budget on the harmless notes.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from schoolpeers.oversight import risk, risk_model, risk_text
from schoolpeers.oversight.risk_evaluation import Note, load_corpus, read_notes

SEED = 20261203
FOLDS = 5
SEVERITY_CLASSES = ("none", "medium", "high")
C = 8.0  # inverse regularisation, chosen by cross-validation on the development part
# The false-alarm budget the thresholds must keep on out-of-fold harmless notes:
# a little inside the product's targets (10% flagged, 3% high), or, where the
# rules alone already flag more, that much more on top of the rules' own.
BUDGET_FLAGGED = 0.08
BUDGET_HIGH = 0.02
BUDGET_OVER_RULES = (0.04, 0.01)  # flagged, high
_GRID = np.round(np.arange(0.05, 0.96, 0.01), 2)


def note_features(text: str) -> list[str]:
    """A note's features exactly as screening computes them at run time."""
    words = risk_text.words(text, risk.rule_variants())
    return risk_model.feature_names([word.form for word in words])


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2, norm="l2", dtype=np.float64)


def _identity(features: list[str]) -> list[str]:
    return features


def _severity_model() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000)


class Fitted(NamedTuple):
    vectorizer: TfidfVectorizer
    severity: LogisticRegression
    category: LogisticRegression
    thresholds: tuple[float, float]  # high, any


def fit(notes: Sequence[Note]) -> Fitted:
    """The vectorizer, both models and the thresholds for these notes."""
    documents = [note_features(note.text) for note in notes]
    labels = np.array([note.label for note in notes])
    rules = [_rules_severity(note.text) for note in notes]
    thresholds = _thresholds(_out_of_fold(documents, labels), labels, rules)
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(documents)
    severity = _severity_model().fit(matrix, labels)
    worrying = labels != "none"
    categories = np.array([note.category for note in notes])
    category = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(
        matrix[worrying], categories[worrying])
    return Fitted(vectorizer, severity, category, thresholds)


def train(notes: Sequence[Note]) -> dict[str, np.ndarray]:
    """The model's arrays for these notes, thresholds included."""
    return arrays(fit(notes))


def arrays(fitted: Fitted) -> dict[str, np.ndarray]:
    vectorizer, severity, category, thresholds = fitted
    order = [list(severity.classes_).index(name) for name in SEVERITY_CLASSES]
    return {
        "vocabulary": np.array("\n".join(vectorizer.get_feature_names_out())),
        "idf": vectorizer.idf_.astype(np.float32),
        "severity_classes": np.array("\n".join(SEVERITY_CLASSES)),
        "severity_coef": severity.coef_[order].astype(np.float32),
        "severity_intercept": severity.intercept_[order].astype(np.float32),
        "category_classes": np.array("\n".join(category.classes_)),
        "category_coef": category.coef_.astype(np.float32),
        "category_intercept": category.intercept_.astype(np.float32),
        "thresholds": np.array(thresholds, dtype=np.float64),
    }


def _rules_severity(text: str) -> str:
    found = risk.screen_text(text, second_opinion=False).severity
    return "none" if found is None else str(found)


def _out_of_fold(documents: list[list[str]], labels: np.ndarray) -> np.ndarray:
    """P(none, medium, high) for each note from a model trained without it."""
    probabilities = np.zeros((len(documents), len(SEVERITY_CLASSES)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_rows, test_rows in folds.split(np.zeros(len(labels)), labels):
        vectorizer = _vectorizer()
        matrix = vectorizer.fit_transform([documents[row] for row in train_rows])
        model = _severity_model().fit(matrix, labels[train_rows])
        order = [list(model.classes_).index(name) for name in SEVERITY_CLASSES]
        tested = model.predict_proba(vectorizer.transform([documents[row] for row in test_rows]))
        probabilities[test_rows] = tested[:, order]
    return probabilities


def _thresholds(probabilities: np.ndarray, labels: np.ndarray, rules: list[str]) -> tuple[float, float]:
    """The thresholds with the best recall (high notes screened high, plus medium
    notes screened medium or high) that keep the harmless notes within budget."""
    rank = {"none": 0, "low": 1, "medium": 2, "high": 3}
    rule_rank = np.array([rank[found] for found in rules])
    p_high, p_any = probabilities[:, 2], probabilities[:, 1] + probabilities[:, 2]
    harmless, high, medium = labels == "none", labels == "high", labels == "medium"
    budget_flagged = max(BUDGET_FLAGGED, (rule_rank[harmless] > 0).mean() + BUDGET_OVER_RULES[0])
    budget_high = max(BUDGET_HIGH, (rule_rank[harmless] == 3).mean() + BUDGET_OVER_RULES[1])
    best, chosen = -1.0, (1.0, 1.0)
    for threshold_high in _GRID:
        for threshold_any in _GRID:
            model_rank = np.where(p_high >= threshold_high, 3, np.where(p_any >= threshold_any, 2, 0))
            said = np.maximum(rule_rank, model_rank)
            if (said[harmless] > 0).mean() > budget_flagged or (said[harmless] == 3).mean() > budget_high:
                continue
            recall = (said[high] == 3).mean() + (said[medium] >= 2).mean()
            if recall > best + 1e-12:
                best, chosen = recall, (float(threshold_high), float(threshold_any))
    return chosen


def write(arrays: dict[str, np.ndarray], path: Path) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def _read_extra(path: Path) -> list[Note]:
    """A school's reviewed examples: the counselors' export (CSV) or JSON lines like the corpus."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() != ".csv":
        return read_notes(text.splitlines())
    return [Note(row["text"], row["label"], row["category"], "school_example")
            for row in csv.DictReader(io.StringIO(text)) if row.get("text", "").strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(risk_model.__file__).parent / "data" / risk_model.MODEL_FILE)
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="more labelled notes: a school's reviewed export (CSV) or JSON lines (text, label, category)")
    args = parser.parse_args(argv)
    notes = load_corpus("development")
    for extra in args.extra:
        notes += _read_extra(extra)
    arrays = train(notes)
    write(arrays, args.out)
    high, any_ = arrays["thresholds"]
    print(f"{len(notes)} notes, {len(str(arrays['vocabulary']).splitlines())} features, "
          f"thresholds high {high:.2f} / any {any_:.2f} -> {args.out.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
