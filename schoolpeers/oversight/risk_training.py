"""Builds screening's statistical second opinion from the development corpus:
`make screening-model` (or `python -m schoolpeers.oversight.risk_training`).

Reproducible: the same corpus and seed give the same file, byte for byte on one
machine and the same predictions anywhere. The model is written as plain
arrays (`.npz`, no pickle) that `risk_model` reads with numpy alone; only this
builder needs scikit-learn.

First the rules are calibrated: a medium rule whose findings were often in harmless development
notes is weak, its findings shown only beside other findings (`calibrate`). Then the model's
thresholds are chosen on out-of-fold predictions (each development note scored
by a model that never saw it): the lowest, so the most recall, that keep the
model's own false alarms on the harmless notes within a budget; and, for notes
where a rule already found a warning sign (medium), the lowest at which the
model raises no more than a budget of such harmless notes to high.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from schoolpeers.oversight import risk, risk_model, risk_text
from schoolpeers.oversight.risk_evaluation import Note, checked_note, load_corpus, read_notes
from schoolpeers.severity import Severity

SEED = 20261203
FOLDS = 5
C = 8.0  # inverse regularisation, chosen by cross-validation on the development part
# The model's own false-alarm budgets on out-of-fold harmless notes. Recall of high notes first; a
# medium opinion is what keeps a worrying note from passing unseen, so its budget is cut only as far
# as that holds. Chosen on the development part, out of fold, from 0.08 / 0.02 / 0.10: 95.5% of high
# notes high instead of 93.0%, 96.6% of medium ones flagged instead of 97.8%, 22.2% of harmless ones
# flagged instead of 23.1% (11.1% high instead of 9.4%), 1.3% of high notes unflagged instead of 1.2%
# (at 0.03 for the medium opinion, 1.4% and 94.9%; at 0.08, 23.7% of harmless notes flagged).
BUDGET_FLAGGED = 0.05
# The budget for calling a note high is the one from BUDGET_HIGH to BUDGET_HIGH_AT_MOST (in steps of
# BUDGET_STEP) at which the model, out of fold, raises the most high notes to high less the harmless
# ones it raises, each of those counted as 1 / HARMLESS_PER_HIGH_NOTE: a counselor would rather read
# four harmless notes than miss one that is high. The whole range is weighed, not step after step:
# one step's few notes decide nothing. On the development part of 21,410 notes this is 0.07: 53
# more high notes screened high than at 0.04, for 165 more harmless ones.
BUDGET_HIGH = 0.04
BUDGET_STEP = 0.005
BUDGET_HIGH_AT_MOST = 0.10
HARMLESS_PER_HIGH_NOTE = 4
# Of the harmless notes the rules already flag medium, the share the model may raise to high when
# it agrees something is wrong.
BUDGET_CONFIRMED = 0.15
# A medium rule is weak when at least this share of the development notes it was found in (no context
# cue lowering it) are harmless; the share is chosen from these by `calibrate`.
WEAK_SHARES = (0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05)
WEAK_MIN_NOTES = 3  # fewer notes than this say nothing about a rule


def note_features(text: str) -> list[str]:
    """A note's features exactly as screening computes them at run time."""
    words = risk_text.words(text, risk.rule_variants())
    return risk_model.feature_names([word.form for word in words])


class Vectorizer:
    """Tf-idf (sublinear tf) of a note's features, its words' and its letter groups' blocks each of
    length 1, the letters' then scaled by `risk_model.LETTER_WEIGHT` (as `risk_model.Model.read`
    computes it at run time)."""

    def __init__(self) -> None:
        self.tfidf = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2, norm=None,
                                     dtype=np.float64)
        self.letters = np.zeros(0)

    def fit_transform(self, documents: Sequence[list[str]]) -> sparse.csr_matrix:
        matrix = self.tfidf.fit_transform(documents)
        self.letters = risk_model.letter_columns(self.feature_names())
        return self._weighted(matrix)

    def transform(self, documents: Sequence[list[str]]) -> sparse.csr_matrix:
        return self._weighted(self.tfidf.transform(documents))

    def feature_names(self) -> np.ndarray:
        return self.tfidf.get_feature_names_out()

    def _weighted(self, matrix: sparse.spmatrix) -> sparse.csr_matrix:
        matrix = sparse.csr_matrix(matrix, dtype=np.float64)
        for row in range(matrix.shape[0]):
            cells = slice(matrix.indptr[row], matrix.indptr[row + 1])
            matrix.data[cells] = _weighted_blocks(matrix.data[cells], self.letters[matrix.indices[cells]])
        return matrix


def _weighted_blocks(values: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """One note's tf-idf values, each block scaled to length 1 and the letters' then to
    LETTER_WEIGHT; `letters` is 1.0 for a letter group, else 0.0."""
    squares = values * values
    letters_length = np.sqrt(squares @ letters)
    words_length = np.sqrt(max(squares.sum() - letters_length * letters_length, 0.0))
    word_scale = 1.0 / words_length if words_length else 1.0
    letter_scale = risk_model.LETTER_WEIGHT / letters_length if letters_length else 1.0
    return values * (word_scale + (letter_scale - word_scale) * letters)


def _identity(features: list[str]) -> list[str]:
    return features


def _linear_model() -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000)


class Fitted(NamedTuple):
    vectorizer: Vectorizer
    severity: LogisticRegression
    category: LogisticRegression
    thresholds: tuple[float, float, float]  # high, any, high after a rule's warning sign
    weak_rules: frozenset[risk.RuleKey]  # shown only beside other findings (see `calibrate`)


def fit(notes: Sequence[Note]) -> Fitted:
    """The vectorizer, both models, the thresholds and the rules' calibration for these notes."""
    documents = [note_features(note.text) for note in notes]
    labels = np.array([note.label for note in notes])
    probabilities = _out_of_fold(documents, labels)
    findings = [risk.rule_findings(note.text) for note in notes]
    weak_rules = calibrate(labels, findings, probabilities)
    by_rules = _by_rules(findings, weak_rules)
    thresholds = _thresholds(probabilities, labels, by_rules)
    vectorizer = Vectorizer()
    matrix = vectorizer.fit_transform(documents)
    severity = _linear_model().fit(matrix, labels)
    worrying = labels != "none"
    categories = np.array([note.category for note in notes])
    category = _linear_model().fit(matrix[worrying], categories[worrying])
    return Fitted(vectorizer, severity, category, thresholds, weak_rules)


def arrays(fitted: Fitted) -> dict[str, np.ndarray]:
    vectorizer, severity, category, thresholds, _ = fitted
    order = [list(severity.classes_).index(name) for name in risk_model.SEVERITY_CLASSES]
    return {
        "vocabulary": np.array("\n".join(vectorizer.feature_names())),
        "idf": vectorizer.tfidf.idf_.astype(np.float32),
        "severity_classes": np.array("\n".join(risk_model.SEVERITY_CLASSES)),
        "severity_coef": severity.coef_[order].astype(np.float32),
        "severity_intercept": severity.intercept_[order].astype(np.float32),
        "category_classes": np.array("\n".join(category.classes_)),
        "category_coef": category.coef_.astype(np.float32),
        "category_intercept": category.intercept_.astype(np.float32),
        "thresholds": np.array(thresholds, dtype=np.float64),
    }


def _out_of_fold(documents: list[list[str]], labels: np.ndarray) -> np.ndarray:
    """P(none, medium, high) for each note from a model trained without it."""
    probabilities = np.zeros((len(documents), len(risk_model.SEVERITY_CLASSES)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_rows, test_rows in folds.split(np.zeros(len(labels)), labels):
        vectorizer = Vectorizer()
        matrix = vectorizer.fit_transform([documents[row] for row in train_rows])
        model = _linear_model().fit(matrix, labels[train_rows])
        order = [list(model.classes_).index(name) for name in risk_model.SEVERITY_CLASSES]
        tested = model.predict_proba(vectorizer.transform([documents[row] for row in test_rows]))
        probabilities[test_rows] = tested[:, order]
    return probabilities


def _thresholds(probabilities: np.ndarray, labels: np.ndarray, by_rules: np.ndarray) -> tuple[float, float, float]:
    """The lowest thresholds (the most recall) at which the model alone, out of fold, flags no
    more than its budget of the harmless development notes; for high, the budget worth the most
    (see BUDGET_HIGH). The rules' own false alarms are not counted: they are written by hand on the
    same notes, so their figures there are in-sample and would flatter. `by_rules`: each note's
    severity by the rules alone (low when they found nothing)."""
    harmless = labels == "none"
    warned = by_rules == str(Severity.MEDIUM)
    p_high = probabilities[harmless, 2]
    p_any = probabilities[harmless, 1] + probabilities[harmless, 2]
    # With no harmless note the rules flag medium there is nothing to bound a lower threshold by.
    confirmed = _just_above(probabilities[harmless & warned, 2], BUDGET_CONFIRMED) if any(harmless & warned) else np.inf

    def raised(high: float) -> tuple[int, int]:
        """High notes and harmless notes the model raises to high at this threshold."""
        bar = np.where(warned, min(confirmed, high), high)
        up = (by_rules != str(Severity.HIGH)) & (probabilities[:, 2] >= bar)
        return int(np.sum(up & (labels == "high"))), int(np.sum(up & harmless))

    steps = round((BUDGET_HIGH_AT_MOST - BUDGET_HIGH) / BUDGET_STEP)
    candidates = [_just_above(p_high, BUDGET_HIGH + step * BUDGET_STEP) for step in range(steps + 1)]

    def worth(high: float) -> float:
        caught, alarms = raised(high)
        return caught - alarms / HARMLESS_PER_HIGH_NOTE

    high = max(candidates, key=worth)  # the first, so the smallest budget, of equal worth
    return (high, _just_above(p_any, BUDGET_FLAGGED), min(confirmed, high))


def calibrate(labels: np.ndarray, findings: Sequence[list[risk.RuleFinding]],
              probabilities: np.ndarray) -> frozenset[risk.RuleKey]:
    """The weak rules: medium rules found (no context cue lowering them) in at least WEAK_MIN_NOTES
    development notes, of which at least a share are harmless; the share from WEAK_SHARES at which
    screening as a whole (the rules so calibrated, then the model out of fold with the thresholds
    chosen for them) is worth the most: medium notes flagged, less harmless notes flagged, each counted
    as 1 / HARMLESS_PER_HIGH_NOTE. High rules are never weak: words of danger or abuse that no context
    explains reach a counselor the same day, whatever other notes used them for.
    `findings`: each note's (`risk.rule_findings`)."""
    harmless, seen = Counter(), Counter()
    for label, found in zip(labels, findings, strict=True):
        rules = {risk.rule_key(finding.rule) for finding in found
                 if finding.severity == Severity.MEDIUM and not finding.lowered_by}
        seen.update(rules)
        harmless.update(rules if label == "none" else ())
    candidates = [frozenset(rule for rule, times in seen.items()
                            if times >= WEAK_MIN_NOTES and harmless[rule] >= share * times)
                  for share in WEAK_SHARES]
    worth = [_worth(_screened(findings, labels, probabilities, rules), labels) for rules in candidates]
    return candidates[worth.index(max(worth))]  # the first, so the fewest weak rules, of equal worth


def _worth(screened: np.ndarray, labels: np.ndarray) -> float:
    """Medium notes flagged, less harmless notes flagged, each counted as 1 / HARMLESS_PER_HIGH_NOTE."""
    flagged = screened != "none"
    return float(np.sum(flagged & (labels == "medium")) - np.sum(flagged & (labels == "none")) / HARMLESS_PER_HIGH_NOTE)


def _by_rules(findings: Sequence[list[risk.RuleFinding]], weak_rules: frozenset[risk.RuleKey]) -> np.ndarray:
    """Each note's severity by the rules alone so calibrated (low when they found nothing)."""
    return np.array([str(risk.severity_by_rules(found, weak_rules) or Severity.LOW) for found in findings])


def _screened(findings: Sequence[list[risk.RuleFinding]], labels: np.ndarray, probabilities: np.ndarray,
              weak_rules: frozenset[risk.RuleKey]) -> np.ndarray:
    """Each note's severity as screening would say it with these weak rules and the model's out-of-fold
    probabilities, at the thresholds chosen for them (none where nothing was found)."""
    by_rules = _by_rules(findings, weak_rules)
    thresholds = _thresholds(probabilities, labels, by_rules)
    said = [risk_model.severity_said(p_medium, p_high, rules, thresholds) or rules
            for (_, p_medium, p_high), rules in zip(probabilities.tolist(), by_rules.tolist(), strict=True)]
    return np.where(np.array(said) == str(Severity.LOW), "none", said)


def _just_above(scores: np.ndarray, budget: float) -> float:
    """A threshold that at most `budget` of these scores reach, rounded to 1/1000 for a stable file."""
    allowed = int(np.floor(budget * len(scores)))
    ranked = np.sort(scores)[::-1]
    cut = ranked[allowed] if allowed < len(ranked) else 0.0
    return float(np.ceil((cut + 1e-9) * 1000) / 1000)


def write(arrays: dict[str, np.ndarray], path: Path) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def write_calibration(weak_rules: frozenset[risk.RuleKey], path: Path) -> None:
    about = ("Written by make screening-model from the development notes: the medium rules whose findings "
             "count only beside other findings (pattern as written, category, severity), see "
             "risk_training.calibrate.")
    rows = ",\n".join("    " + json.dumps(list(rule), ensure_ascii=False) for rule in sorted(weak_rules))
    path.write_text(f'{{\n  "_about": {json.dumps(about)},\n  "weak_rules": [\n{rows}\n  ]\n}}\n', encoding="utf-8")


def _read_extra(path: Path) -> list[Note]:
    """A school's reviewed examples: the counselors' export (CSV) or JSON lines like the corpus."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() != ".csv":
        return read_notes(text.splitlines())
    return [checked_note(row["text"], row["label"], row["category"], "school_example")
            for row in csv.DictReader(io.StringIO(text)) if row.get("text", "").strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(risk_model.__file__).parent / "data" / risk_model.MODEL_FILE)
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="more labelled notes: a school's reviewed export (CSV) "
                             "or JSON lines (text, label, category)")
    args = parser.parse_args(argv)
    notes = load_corpus("development")
    for extra in args.extra:
        notes += _read_extra(extra)
    fitted = fit(notes)
    arrays_ = arrays(fitted)
    write(arrays_, args.out)
    calibration = args.out.with_name(risk.CALIBRATION_FILE)
    write_calibration(fitted.weak_rules, calibration)
    high, any_, confirmed = arrays_["thresholds"]
    print(f"{len(notes)} notes, {len(str(arrays_['vocabulary']).splitlines())} features, "
          f"thresholds high {high:.2f} / any {any_:.2f} / high after a warning sign {confirmed:.2f} "
          f"-> {args.out.name}; {len(fitted.weak_rules)} weak rules -> {calibration.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
