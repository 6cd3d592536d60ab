"""The evaluation corpus, the figures on its development part, and the model built from it.

The held-out part is only measured (`make bench PART=risk`); the development
part is what rules and model were tuned and trained on, so its figures show
that the shipped screening still does what it was built to do.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.oversight import risk, risk_model, risk_patterns, risk_text
from schoolpeers.oversight.risk_evaluation import LABELS, evaluate, load_corpus

CATEGORIES = {category.value for category in risk.Category}


@pytest.fixture(scope="module")
def development():
    return load_corpus("development")


def test_the_corpus_is_large_labelled_and_split_once(development):
    heldout = load_corpus("heldout")
    assert len(development) + len(heldout) >= 2500
    for note in development + heldout:
        assert note.label in LABELS and note.text.strip()
        assert (note.category == "none") == (note.label == "none")
        assert note.category == "none" or note.category in CATEGORIES
    # Split once by a hash of the text: no note in both parts, each where its hash puts it.
    assert not {note.text for note in development} & {note.text for note in heldout}
    for part, notes in (("heldout", heldout), ("development", development)):
        for note in notes:
            in_heldout = int(hashlib.sha256(note.text.encode()).hexdigest(), 16) % 10 < 3
            assert in_heldout == (part == "heldout")
    # Every category, at both severities, and the hard negatives.
    counts = Counter((note.label, note.category) for note in development + heldout)
    for category in CATEGORIES:
        assert counts["high", category] >= 20 and counts["medium", category] >= 20
    kinds = Counter(note.kind for note in development + heldout if note.label == "none")
    for kind in ("hyperbole", "gaming", "lesson", "fiction_media", "accident", "past_resolved", "negated"):
        assert kinds[kind] >= 30


def test_the_development_figures_hold(development):
    figures = evaluate(development, risk.screen_text)
    assert figures.high_recall >= 0.98
    assert figures.medium_recall >= 0.98
    # Most development notes came after the rules were written: their hard negatives are flagged
    # nearly as often as held-out ones (and the model, chosen for recall, raises a few more to high).
    assert figures.false_alarm <= 0.12
    assert figures.false_high <= 0.075


@pytest.fixture(scope="module")
def fitted(development):
    from schoolpeers.oversight import risk_training

    return risk_training, risk_training.fit(development)


def test_rebuilding_the_model_from_the_corpus_gives_the_same_predictions(development, fitted):
    risk_training, fit = fitted
    rebuilt = risk_model.model_from_arrays(risk_training.arrays(fit))
    shipped = risk_model.load_model()
    assert shipped is not None
    assert ((rebuilt.threshold_high, rebuilt.threshold_any, rebuilt.threshold_confirmed)
            == (shipped.threshold_high, shipped.threshold_any, shipped.threshold_confirmed))
    assert fit.weak_rules == risk._calibration()  # the shipped calibration is the build's
    for note in development[::3] + load_corpus("heldout")[::3]:
        forms = _forms(note.text)
        assert np.allclose(rebuilt.read(forms).probabilities, shipped.read(forms).probabilities, atol=1e-5), note.text


def test_screening_reads_the_model_as_scikit_learn_computes_it(development, fitted):
    risk_training, fit = fitted
    rebuilt = risk_model.model_from_arrays(risk_training.arrays(fit))
    notes = development[::7]
    documents = [risk_training.note_features(note.text) for note in notes]
    expected = fit.severity.predict_proba(fit.vectorizer.transform(documents))
    order = [list(fit.severity.classes_).index(name) for name in rebuilt.severity_classes]
    for note, row in zip(notes, expected[:, order], strict=True):
        assert np.allclose(rebuilt.read(_forms(note.text)).probabilities, row, atol=1e-4), note.text


def _forms(text: str) -> list[str]:
    return [word.form for word in risk_text.words(text, risk.rule_variants())]


NO_RULES = {"classes": {}, "variants": {}, "rules": {}, "near": [], "idioms": [], "cues": {}}
WORRYING = "she told me she wants to die and she has been cutting her arms every night"


def test_a_model_finding_explains_itself(monkeypatch):
    monkeypatch.setattr(risk, "_patterns", lambda: risk_patterns.compile_patterns(NO_RULES))
    (match,) = risk.screen_text(WORRYING).matches  # the model's alone: there are no rules
    assert match.phrase == risk.MODEL_PHRASE and match.severity == risk.Severity.HIGH
    assert match.reason == f"similar to notes about {match.category.label}"
    assert WORRYING[match.span[0]:match.span[1]] == match.text and match.text.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(min_size=1, max_size=1_000), st.integers(1, 10))
def test_screening_never_raises_on_any_text(short, long, repeats):
    """Arbitrary Unicode (emoji, mixed scripts, control characters), short and up to 10,000 characters."""
    for text in (short, (long * repeats)[:10_000]):
        _screens_cleanly(text)


def _screens_cleanly(text: str) -> None:
    screening = risk.screen_text(text)
    for match in screening.matches:
        assert text[match.span[0]:match.span[1]] == match.text


@pytest.mark.parametrize(("label", "category"), [("urgent", "self_harm"), ("high", "none"), ("none", "self_harm"),
                                                  ("medium", "self harm")])
def test_a_labelled_note_screening_does_not_know_is_refused(label, category):
    from schoolpeers.oversight.risk_evaluation import checked_note

    with pytest.raises(ValueError):
        checked_note("a note", label, category)


def test_a_schools_reviewed_export_can_join_the_training_notes(tmp_path):
    from schoolpeers.oversight import risk_training

    export = tmp_path / "examples.csv"
    export.write_text("text,label,category,verdict,screened_severity,screened_categories,marked_at\r\n"
                      "he keeps a blade in his pencil case,high,self_harm,missed,none,none,2026-12-01T10:00:00Z\r\n"
                      "good week,none,none,right,none,none,2026-12-01T10:05:00Z\r\n", encoding="utf-8")
    notes = risk_training._read_extra(export)
    assert [(note.label, note.category) for note in notes] == [("high", "self_harm"), ("none", "none")]
    export.write_text("text,label,category\r\nx,urgent,self_harm\r\n", encoding="utf-8")
    with pytest.raises(ValueError, match="label"):
        risk_training._read_extra(export)


def test_the_model_needs_less_to_call_a_note_high_where_a_rule_found_a_warning_sign(monkeypatch):
    shipped = risk_model.load_model()
    words = risk_text.words(WORRYING, risk.rule_variants())
    p_high = shipped.read([word.form for word in words]).probabilities[2]
    between = shipped._replace(threshold_high=p_high + 0.01, threshold_any=0.0, threshold_confirmed=p_high - 0.01)
    monkeypatch.setattr(risk_model, "load_model", lambda: between)
    assert risk_model.second_opinion(words, above="low").severity == "medium"
    assert risk_model.second_opinion(words, above="medium").severity == "high"
    above_both = between._replace(threshold_confirmed=p_high + 0.01)
    monkeypatch.setattr(risk_model, "load_model", lambda: above_both)
    assert risk_model.second_opinion(words, above="medium") is None


def test_the_confirmed_threshold_is_never_above_the_plain_one():
    shipped = risk_model.load_model()
    assert 0 < shipped.threshold_confirmed <= shipped.threshold_high


def test_without_harmless_notes_the_rules_flag_there_is_no_lower_threshold():
    from schoolpeers.oversight import risk_training

    probabilities = np.array([[0.9, 0.05, 0.05], [0.2, 0.2, 0.6], [0.1, 0.1, 0.8]])
    labels = np.array(["none", "high", "high"])
    high, _, confirmed = risk_training._thresholds(probabilities, labels, np.array(["low", "medium", "medium"]))
    assert confirmed == high


def test_the_budget_for_high_is_the_one_worth_the_most():
    from schoolpeers.oversight import risk_training

    harmless = np.linspace(0.0, 0.99, 200)  # P(high) of harmless notes, out of fold
    at_first = risk_training._just_above(harmless, risk_training.BUDGET_HIGH)
    one_step = risk_training._just_above(harmless, risk_training.BUDGET_HIGH + risk_training.BUDGET_STEP)

    def high_threshold(high_notes: list[float]) -> float:
        p_high = np.concatenate([harmless, high_notes])
        probabilities = np.column_stack([1 - p_high, np.zeros_like(p_high), p_high])
        labels = np.array(["none"] * len(harmless) + ["high"] * len(high_notes))
        return risk_training._thresholds(probabilities, labels, np.full(len(labels), "low"))[0]

    # A high note that only the wider budget reaches, for one more harmless note: worth it; no wider one is.
    assert high_threshold([(at_first + one_step) / 2, 0.999]) == one_step < at_first
    # Nothing more to catch: the budget stays where it starts.
    assert high_threshold([0.999]) == at_first


# --- the rules' calibration ------------------------------------------------------------------------


def _finding(text):
    (found,) = risk.rule_findings(text)
    return found


def test_a_weak_rule_counts_only_beside_another_finding():
    weak = frozenset({risk.rule_key(_finding("they laugh at me").rule)})
    alone = risk.screen_text("they laugh at me", second_opinion=False, weak_rules=weak)
    assert alone.severity is None and not alone.matches
    beside = risk.screen_text("they laugh at me and I want to kill myself", second_opinion=False, weak_rules=weak)
    assert beside.severity == risk.Severity.HIGH
    assert [(m.phrase, m.severity) for m in beside.matches] == [
        ("kill myself", risk.Severity.HIGH), ("laugh at me", risk.Severity.MEDIUM)]
    assert "often in harmless notes" in beside.matches[1].reason
    as_written = risk.screen_text("they laugh at me", second_opinion=False, weak_rules=frozenset())
    assert as_written.severity == risk.Severity.MEDIUM


def test_a_high_rule_is_never_weak():
    text = "I want to kill myself"
    weak = frozenset({risk.rule_key(_finding(text).rule)})
    assert risk.screen_text(text, second_opinion=False, weak_rules=weak).severity == risk.Severity.HIGH
    assert risk.severity_by_rules(risk.rule_findings(text), weak) == risk.Severity.HIGH


def test_beside_the_models_finding_a_weak_rule_names_the_words_and_the_kind(monkeypatch):
    """The model raises the note to medium; the weak rule's words are shown, its kind names the
    model's finding where they overlap, and the note stays medium."""
    text = "they laugh at me every day"
    weak = frozenset({risk.rule_key(_finding(text).rule)})
    monkeypatch.setattr(risk_model, "second_opinion",
                        lambda words, above: risk_model.Opinion("medium", "eating_disorder", (2,)))
    screening = risk.screen_text(text, weak_rules=weak)
    assert screening.severity == risk.Severity.MEDIUM
    assert [(m.phrase, m.category) for m in screening.matches] == [
        (risk.MODEL_PHRASE, risk.Category.BULLYING), ("laugh at me", risk.Category.BULLYING)]


def test_the_shipped_calibration_names_medium_rules_of_the_rules_file():
    written = {risk.rule_key(pattern.entry) for patterns in risk._patterns().by_first_word.values()
               for pattern in patterns} | {risk.rule_key(pattern.entry)
                                           for patterns in risk._patterns().by_first_pair.values()
                                           for pattern in patterns}
    shipped = risk._calibration()
    assert shipped and shipped <= written
    assert {severity for _, _, severity in shipped} == {"medium"}


def test_calibration_makes_weak_the_medium_rules_found_mostly_in_harmless_notes():
    from schoolpeers.oversight import risk_training

    harmless, worrying, rare = (_finding(text) for text in ("they laugh at me", "she was vaping", "he has a black eye"))
    findings = [[harmless]] * 3 + [[worrying]] * 3 + [[rare], []]
    labels = np.array(["none"] * 3 + ["medium"] * 3 + ["none", "none"])
    nothing = np.tile([1.0, 0.0, 0.0], (len(labels), 1))  # the model flags nothing
    assert risk_training.calibrate(labels, findings, nothing) == frozenset({risk.rule_key(harmless.rule)})
