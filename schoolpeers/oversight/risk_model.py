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
            found.append(f"b {previous} {form}")
        found.extend(_letter_groups(form))
        previous = form
    return found


@functools.lru_cache(maxsize=1 << 16)
def _letter_groups(form: str) -> tuple[str, ...]:
    padded = f" {form} "
    return tuple(LETTERS + padded[at:at + size] for size in CHAR_GRAMS for at in range(len(padded) - size + 1))


class Found(NamedTuple):
    columns: np.ndarray  # every column found, in the order of the words
    by_word: list[tuple[int, ...]]  # each word's columns (its pair with the word before included)


class Model(NamedTuple):
    index: dict[str, int]  # feature -> column
    idf: np.ndarray  # (features,)
    letters: np.ndarray  # (features,) 1.0 where the column is a letter group, else 0.0
    severity_classes: tuple[str, ...]  # ("none", "medium", "high")
    severity_weights: np.ndarray  # (features, classes): a note's columns are rows read together
    severity_intercept: np.ndarray
    category_classes: tuple[str, ...]
    category_weights: np.ndarray  # (features, categories)
    category_intercept: np.ndarray
    threshold_high: float  # P(high) from which the model says high
    threshold_any: float  # P(medium) + P(high) from which it says medium
    threshold_confirmed: float  # P(high) from which it says high where a rule found a warning sign
    columns_of_word: dict[str, tuple[int, ...]]  # a cache, filled as words are seen

    def vector(self, forms: Sequence[str]) -> tuple[np.ndarray, np.ndarray, Found]:
        """The note's tf-idf vector (columns, values) as the builder computes it (sublinear tf,
        each block l2-normalised, letter groups scaled), and the columns found, word by word."""
        by_word: list[tuple[int, ...]] = []
        found: list[int] = []
        cached, pair_column = self.columns_of_word.get, self.index.get  # looked up once: many words
        previous = None
        for form in forms:
            if form == BOUNDARY:
                previous = None
                by_word.append(())
                continue
            columns = cached(form)
            if columns is None:
                columns = self.word_columns(form)
            # A pair of words is in the vocabulary only if both words are (each is in as many notes).
            if previous and columns:
                pair = pair_column(f"b {previous} {form}")
                if pair is not None:
                    columns = (*columns, pair)
            by_word.append(columns)
            found.extend(columns)
            previous = form if columns else None
        every = np.fromiter(found, dtype=np.int64, count=len(found))
        columns, counts = np.unique(every, return_counts=True)
        values = (1.0 + np.log(counts)) * self.idf[columns]
        return columns, weighted_blocks(values, self.letters[columns]), Found(every, by_word)

    def word_columns(self, form: str) -> tuple[int, ...]:
        """The columns of a word and its letter groups, computed once per word."""
        cached = self.columns_of_word.get(form)
        if cached is None:
            names = ("w " + form, *_letter_groups(form))
            cached = tuple(column for column in map(self.index.get, names) if column is not None)
            if len(self.columns_of_word) < _WORD_CACHE:
                self.columns_of_word[form] = cached
        return cached

    def probabilities(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        return _softmax(values @ self.severity_weights[columns] + self.severity_intercept)

    def category(self, columns: np.ndarray, values: np.ndarray) -> str:
        scores = values @ self.category_weights[columns] + self.category_intercept
        return self.category_classes[int(np.argmax(scores))]


def weighted_blocks(values: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """One note's tf-idf values with the words' block and the letter groups' block each of length
    1, the letters' then scaled by LETTER_WEIGHT; `letters` is 1.0 for a letter group, else 0.0."""
    squares = values * values
    letters_norm = math.sqrt(float(squares @ letters))
    words_norm = math.sqrt(max(float(squares.sum()) - letters_norm * letters_norm, 0.0))
    word_scale = 1.0 / words_norm if words_norm else 1.0
    letter_scale = LETTER_WEIGHT / letters_norm if letters_norm else 1.0
    return values * (word_scale + (letter_scale - word_scale) * letters)


_RAISES = {"medium": ("low",), "high": ("low", "medium")}  # what each of its severities is above


def second_opinion(words: Sequence[Word], *, above: str = "low") -> Opinion | None:
    """The model's severity for a note when it reaches a threshold and is above what the rules
    found (`above`: low when they found nothing); None otherwise. Only then is it explained."""
    model = load_model()
    if model is None:
        return None
    columns, values, found = model.vector([word.form for word in words])
    if not len(columns):
        return None
    _, p_medium, p_high = model.probabilities(columns, values).tolist()
    # Where a rule already found a warning sign, the model needs less to call it high: two
    # independent readings agree that something is wrong.
    if p_high >= (model.threshold_confirmed if above == "medium" else model.threshold_high):
        severity = "high"
    elif p_high + p_medium >= model.threshold_any:
        severity = "medium"
    else:
        return None
    if above not in _RAISES[severity]:
        return None
    strongest = _strongest_words(model, severity, values, columns, found)
    return Opinion(severity, model.category(columns, values), strongest)


def _strongest_words(model: Model, severity: str, values: np.ndarray, columns: np.ndarray,
                     found: Found) -> tuple[int, ...]:
    """The words whose features pushed the note most towards the severity, against 'none'.
    A feature found several times shares its weight among the words it came from."""
    toward = model.severity_classes.index(severity)
    away = model.severity_classes.index("none")
    weights = (model.severity_weights[columns, toward] - model.severity_weights[columns, away]) * values
    words = np.repeat(np.arange(len(found.by_word)), [len(word) for word in found.by_word])
    place = np.searchsorted(columns, found.columns)  # columns are sorted
    times = np.bincount(place, minlength=len(columns))  # each column's number of occurrences
    weight_of_word = np.bincount(words, weights=weights[place] / times[place], minlength=len(found.by_word))
    strongest = np.argsort(-weight_of_word, kind="stable")[:_STRONGEST]
    return tuple(int(word) for word in strongest if weight_of_word[word] > 0)


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max())
    return exp / exp.sum()


@functools.cache
def load_model() -> Model | None:
    source = resources.files("schoolpeers.oversight") / "data" / MODEL_FILE
    if not source.is_file():
        return None
    with source.open("rb") as handle:
        return model_from_arrays(dict(np.load(handle, allow_pickle=False)))


def letter_columns(vocabulary: Sequence[str]) -> np.ndarray:
    """1.0 for each feature that is a letter group, else 0.0 (as `weighted_blocks` reads them)."""
    return np.array([name.startswith(LETTERS) for name in vocabulary], dtype=np.float64)


def model_from_arrays(arrays: dict[str, np.ndarray]) -> Model:
    if str(arrays["severity_classes"]).split("\n") != list(SEVERITY_CLASSES):
        raise ValueError(f"screening model: severity classes must be {', '.join(SEVERITY_CLASSES)}")
    if arrays["thresholds"].shape != (3,):
        raise ValueError("screening model: three thresholds (high, any, high after a rule's warning sign)")
    vocabulary = str(arrays["vocabulary"]).split("\n")
    return Model(
        index={name: column for column, name in enumerate(vocabulary)},
        idf=arrays["idf"].astype(np.float64),
        letters=letter_columns(vocabulary),
        severity_classes=SEVERITY_CLASSES,
        severity_weights=np.ascontiguousarray(arrays["severity_coef"].T, dtype=np.float64),
        severity_intercept=arrays["severity_intercept"].astype(np.float64),
        category_classes=tuple(str(arrays["category_classes"]).split("\n")),
        category_weights=np.ascontiguousarray(arrays["category_coef"].T, dtype=np.float64),
        category_intercept=arrays["category_intercept"].astype(np.float64),
        threshold_high=float(arrays["thresholds"][0]),
        threshold_any=float(arrays["thresholds"][1]),
        threshold_confirmed=float(arrays["thresholds"][2]),
        columns_of_word={},
    )
