"""The statistical second opinion of screening: a linear model over a note's
words, pairs of words and letter groups, trained on the development corpus
(`risk_training`, scikit-learn) and shipped as plain arrays, read here with
numpy alone. A pure core (no Flask, no database).

It only ever adds: rules decide first, and the model may raise a note's
severity when the note reads like the corpus's worrying notes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

import numpy as np

from schoolpeers.oversight.risk_text import BOUNDARY, Word

MODEL_FILE = "screening_model.npz"
SEVERITY_CLASSES = ("none", "medium", "high")  # the order of the model's rows
# Groups of four letters: on the development part, cross-validated, as good as groups of three,
# four and five together, with a third of the columns to read.
CHAR_GRAMS = (4,)
# Words and pairs make one block of the vector and letter groups another, each of length 1 before
# the letters are scaled down: at full weight their many near-duplicate columns drown the words
# (chosen by cross-validation on the development part: 0.4 flags more of its worrying notes at
# the same false alarms than 1, or than no letter groups at all).
LETTER_WEIGHT = 0.4
LETTERS = "c"  # the prefix of a letter group's feature name
_PAIR = "b "  # the prefix of a pair of words' feature name
_STRONGEST = 2  # words highlighted for a model finding
_WORD_CACHE = 1 << 17  # words whose columns are kept


class Opinion(NamedTuple):
    severity: str  # "medium" or "high"
    category: str
    strongest_words: tuple[int, ...]  # indexes of the words that weighed most, the strongest first


def feature_names(forms: Sequence[str]) -> list[str]:
    """The features of a note's normal words, as the model is trained on them: each word, each
    pair of words in a sentence, and the letter groups of each word (as `Model.vector` reads them)."""
    found = []
    previous = None
    for form in forms:
        if form == BOUNDARY:
            previous = None
            continue
        found.append("w " + form)
        if previous is not None:
            found.append(f"{_PAIR}{previous} {form}")
        found.extend(_letter_groups(form))
        previous = form
    return found


@functools.lru_cache(maxsize=1 << 16)
def _letter_groups(form: str) -> tuple[str, ...]:
    padded = f" {form} "
    return tuple(LETTERS + padded[at:at + size] for size in CHAR_GRAMS for at in range(len(padded) - size + 1))


class Found(NamedTuple):
    columns: np.ndarray  # every column found, in the order of the words
    lengths: list[int]  # how many of them each word gave (its pair with the word before included)


class Known(NamedTuple):
    """What the model knows of a word, looked up once: its columns, and the pairs it begins."""

    columns: tuple[int, ...]  # the word's and its letter groups'
    pairs_after: dict[str, int] | None  # the word after -> the pair's column; None: it begins none


class Reading(NamedTuple):
    """What the model reads in one note: P(none, medium, high) and what explains it."""

    probabilities: tuple[float, float, float]
    columns: np.ndarray  # the note's columns, sorted
    tf: np.ndarray  # each column's sublinear term frequency
    rows: np.ndarray  # each column's row of `Model.severity_terms`
    scales: tuple[float, float]  # the words' block's and the letter groups' block's
    found: Found


class Model(NamedTuple):
    index: dict[str, int]  # word or letter group -> column
    pairs: dict[str, dict[str, int]]  # first word -> second word -> the pair's column
    # Per feature, its weights for each severity times its idf, once in the words' block and once in
    # the letter groups' block (zero in the block it is not in), then its squared idf in each block:
    # a note's scores and its blocks' lengths then come from one product of its rows (see `read`),
    # as the builder's tf-idf computes them. The categories' weights, in the same two blocks, are
    # apart: they are read only for the notes the model speaks about.
    severity_terms: np.ndarray  # (features, 2 * severities + 2)
    category_terms: np.ndarray  # (features, 2 * categories)
    severity_classes: tuple[str, ...]  # ("none", "medium", "high")
    category_classes: tuple[str, ...]
    severity_intercepts: tuple[float, ...]
    category_intercepts: tuple[float, ...]
    threshold_high: float  # P(high) from which the model says high
    threshold_any: float  # P(medium) + P(high) from which it says medium
    threshold_confirmed: float  # P(high) from which it says high where a rule found a warning sign
    known_words: dict[str, Known]  # a cache, filled as words are seen

    def read(self, forms: Sequence[str]) -> Reading | None:
        """The note's probabilities as the builder's model computes them (sublinear tf-idf, each
        block l2-normalised, letter groups scaled by LETTER_WEIGHT); None when no word is known.
        One product of the note's rows gives every score and both blocks' lengths: the few
        numbers after it are plain floats, cheaper than more arrays."""
        found = self.found(forms)
        if not len(found.columns):
            return None
        columns, counts = np.unique(found.columns, return_counts=True)
        tf = np.empty((2, len(columns)))  # tf, and its square for the lengths
        np.log(counts, out=tf[0])
        tf[0] += 1.0
        np.multiply(tf[0], tf[0], out=tf[1])
        rows = self.severity_terms.take(columns, axis=0)
        linear, squared = (tf @ rows).tolist()
        width = len(self.severity_classes)
        word_length, letter_length = squared[2 * width:]
        scales = (1.0 / math.sqrt(word_length) if word_length > 0 else 1.0,
                  LETTER_WEIGHT / math.sqrt(letter_length) if letter_length > 0 else 1.0)
        scores = _scores(linear, scales, self.severity_intercepts)
        return Reading(_softmax(scores), columns, tf[0], rows, scales, found)

    def found(self, forms: Sequence[str]) -> Found:
        """Every column of the note's words and pairs, word by word."""
        lengths: list[int] = []
        found: list[int] = []
        cached = self.known_words.get  # looked up once: many words
        after = None  # the pairs the word before begins
        for form in forms:
            known = cached(form)
            if known is None:
                known = self.known(form)
            columns = known.columns
            found.extend(columns)
            # A pair of words is in the vocabulary only if both words are (each is in as many notes).
            pair = after.get(form) if after is not None and columns else None
            if pair is None:
                lengths.append(len(columns))
            else:
                found.append(pair)
                lengths.append(len(columns) + 1)
            after = known.pairs_after if columns else None
        return Found(np.fromiter(found, dtype=np.int64, count=len(found)), lengths)

    def known(self, form: str) -> Known:
        """The columns of a word and its letter groups, and the pairs it begins, computed once per word;
        a sentence's end has none (no pair crosses it)."""
        known = self.known_words.get(form)
        if known is None:
            if form == BOUNDARY:
                known = Known((), None)
            else:
                names = ("w " + form, *_letter_groups(form))
                known = Known(tuple(column for column in map(self.index.get, names) if column is not None),
                              self.pairs.get(form))
            if len(self.known_words) < _WORD_CACHE:
                self.known_words[form] = known
        return known

    def contributions(self, reading: Reading, first: int, second: int) -> np.ndarray:
        """Each of the note's columns' share of severity score `first` minus score `second`."""
        width = len(self.severity_classes)
        rows, (word_scale, letter_scale) = reading.rows, reading.scales
        return reading.tf * (word_scale * (rows[:, first] - rows[:, second])
                             + letter_scale * (rows[:, width + first] - rows[:, width + second]))

    def category(self, reading: Reading) -> str:
        linear = (reading.tf @ self.category_terms.take(reading.columns, axis=0)).tolist()
        scores = _scores(linear, reading.scales, self.category_intercepts)
        return self.category_classes[scores.index(max(scores))]


def _scores(linear: list[float], scales: tuple[float, float], intercepts: tuple[float, ...]) -> list[float]:
    """Scores from a note's sums in the words' block then the letter groups' block."""
    width = len(intercepts)
    return [scales[0] * in_words + scales[1] * in_letters + intercept for in_words, in_letters, intercept
            in zip(linear[:width], linear[width:2 * width], intercepts, strict=True)]


_RAISES = {"medium": ("low",), "high": ("low", "medium")}  # what each of its severities is above


def second_opinion(words: Sequence[Word], *, above: str = "low") -> Opinion | None:
    """The model's severity for a note when it reaches a threshold and is above what the rules
    found (`above`: low when they found nothing); None otherwise. Only then is it explained."""
    model = load_model()
    if model is None:
        return None
    reading = model.read([word.form for word in words])
    if reading is None:
        return None
    _, p_medium, p_high = reading.probabilities
    severity = severity_said(p_medium, p_high, above,
                             (model.threshold_high, model.threshold_any, model.threshold_confirmed))
    if severity is None:
        return None
    return Opinion(severity, model.category(reading), _strongest_words(model, severity, reading))


def severity_said(p_medium: float, p_high: float, above: str, thresholds: tuple[float, float, float]) -> str | None:
    """The severity the model says for these probabilities when it reaches a threshold (high, any,
    high after a rule's warning sign) and is above what the rules found (`above`); None otherwise."""
    high, any_, confirmed = thresholds
    # Where a rule already found a warning sign, the model needs less to call it high: two
    # independent readings agree that something is wrong.
    if p_high >= (confirmed if above == "medium" else high):
        severity = "high"
    elif p_high + p_medium >= any_:
        severity = "medium"
    else:
        return None
    return severity if above in _RAISES[severity] else None


def _strongest_words(model: Model, severity: str, reading: Reading) -> tuple[int, ...]:
    """The words whose features pushed the note most towards the severity, against 'none'.
    A feature found several times shares its weight among the words it came from."""
    classes = model.severity_classes
    weights = model.contributions(reading, classes.index(severity), classes.index("none"))
    found = reading.found
    words = np.repeat(np.arange(len(found.lengths)), found.lengths)
    place = np.searchsorted(reading.columns, found.columns)  # columns are sorted
    times = np.bincount(place, minlength=len(reading.columns))  # each column's number of occurrences
    weight_of_word = np.bincount(words, weights=weights[place] / times[place], minlength=len(found.lengths))
    strongest = np.argsort(-weight_of_word, kind="stable")[:_STRONGEST]
    return tuple(int(word) for word in strongest if weight_of_word[word] > 0)


def _softmax(scores: list[float]) -> tuple[float, float, float]:
    top = max(scores)
    exp = [math.exp(score - top) for score in scores]
    total = sum(exp)
    return tuple(value / total for value in exp)  # type: ignore[return-value]


@functools.cache
def load_model() -> Model | None:
    source = resources.files("schoolpeers.oversight") / "data" / MODEL_FILE
    if not source.is_file():
        return None
    with source.open("rb") as handle:
        return model_from_arrays(dict(np.load(handle, allow_pickle=False)))


def letter_columns(vocabulary: Sequence[str]) -> np.ndarray:
    """1.0 for each feature that is a letter group, else 0.0."""
    return np.array([name.startswith(LETTERS) for name in vocabulary], dtype=np.float64)


def model_from_arrays(arrays: dict[str, np.ndarray]) -> Model:
    if str(arrays["severity_classes"]).split("\n") != list(SEVERITY_CLASSES):
        raise ValueError(f"screening model: severity classes must be {', '.join(SEVERITY_CLASSES)}")
    if arrays["thresholds"].shape != (3,):
        raise ValueError("screening model: three thresholds (high, any, high after a rule's warning sign)")
    vocabulary = str(arrays["vocabulary"]).split("\n")
    idf = arrays["idf"].astype(np.float64)[:, None]
    letters = letter_columns(vocabulary)[:, None]
    severities = idf * arrays["severity_coef"].T.astype(np.float64)
    categories = idf * arrays["category_coef"].T.astype(np.float64)
    pair_names = {name for name in vocabulary if name.startswith(_PAIR)}
    return Model(
        index={name: column for column, name in enumerate(vocabulary) if name not in pair_names},
        pairs=_pairs_by_first_word(vocabulary, pair_names),
        severity_terms=np.ascontiguousarray(np.hstack([severities * (1 - letters), severities * letters,
                                                       idf * idf * (1 - letters), idf * idf * letters])),
        category_terms=np.ascontiguousarray(np.hstack([categories * (1 - letters), categories * letters])),
        severity_classes=SEVERITY_CLASSES,
        category_classes=tuple(str(arrays["category_classes"]).split("\n")),
        severity_intercepts=tuple(arrays["severity_intercept"].astype(np.float64).tolist()),
        category_intercepts=tuple(arrays["category_intercept"].astype(np.float64).tolist()),
        threshold_high=float(arrays["thresholds"][0]),
        threshold_any=float(arrays["thresholds"][1]),
        threshold_confirmed=float(arrays["thresholds"][2]),
        known_words={},
    )


def _pairs_by_first_word(vocabulary: Sequence[str], pair_names: set[str]) -> dict[str, dict[str, int]]:
    """Each pair's column under its first word, then its second: a note's pairs are then found
    without building a key per pair."""
    pairs: dict[str, dict[str, int]] = {}
    for column, name in enumerate(vocabulary):
        if name in pair_names:
            first, second = name[len(_PAIR):].split(" ")
            pairs.setdefault(first, {})[second] = column
    return pairs
