"""Screening explained beside the notes, counselors' marks on it, its quality and the school's examples."""
import csv
import io
import re

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from schoolpeers.extensions import db
from schoolpeers.oversight import risk, screening
from schoolpeers.oversight.append_only import AppendOnlyError
from schoolpeers.oversight.models import ScreeningMark
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory


def fake_screener(monkeypatch, *found: tuple[str, str, str]) -> None:
    """Screening that finds each (words, category, severity) wherever the words occur, whatever the
    real screener says today."""
    def screen_text(text):
        matches = []
        for words, category, severity in found:
            start = (text or "").find(words)
            while start >= 0:
                matches.append(risk.Match(phrase=words, category=risk.Category(category),
                                          severity=risk.Severity(severity), span=(start, start + len(words)),
                                          text=words, reason=f'the words "{words}"'))
                start = text.find(words, start + 1)
        return risk.Screening(tuple(matches))

    monkeypatch.setattr(risk, "screen_text", screen_text)


def marks_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ScreeningMark))


# --- highlighting ------------------------------------------------------------------------------------

def test_spans_are_clipped_sorted_and_merged():
    spans = [(5, 9), (0, 3), (2, 4), (9, 12), (20, 30), (7, 7), (-3, 1), (15, 14)]
    assert screening.merged_spans(spans, 25) == [(0, 4), (5, 12), (20, 25)]
    assert screening.merged_spans([], 10) == []


def test_highlight_escapes_the_text_and_adds_only_marks():
    text = "<script>alert(1)</script> & he said he wants to hurt & <b>x</b>"
    start = text.index("he said")
    spans = [(start, start + 7), (start + 3, start + 16), (text.index("& <b>"), text.index("& <b>") + 5)]
    html = str(screening.highlight(text, spans))
    assert html == ("&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>he said he wants</mark> to hurt "
                    "<mark>&amp; &lt;b&gt;</mark>x&lt;/b&gt;")
    assert str(screening.highlight("a & b", [])) == "a &amp; b"


def test_explain_notes_with_the_real_screener():
    explained = screening.explain_notes("Talked about exams. Then he said he wants to kill himself.")
    assert explained.severity == "high" and "suicidal_thoughts" in explained.categories
    finding = next(f for f in explained.findings if f.category == "suicidal_thoughts")
    assert finding.severity == "high" and finding.reason and finding.label == "suicidal thoughts"
    assert re.search(r"<mark>[^<]*kill[^<]*</mark>", str(explained.notes))


def test_explain_notes_most_severe_first_then_in_order(monkeypatch):
    fake_screener(monkeypatch, ("names", "bullying", "medium"), ("cuts", "self_harm", "high"),
                  ("vape", "substance_use", "low"))
    explained = screening.explain_notes("vape, names, and cuts on the arm")
    assert [(f.category, f.severity) for f in explained.findings] == [
        ("self_harm", "high"), ("bullying", "medium"), ("substance_use", "low")]
    assert explained.severity == "high" and explained.categories == ("self_harm", "bullying", "substance_use")


def test_no_notes_no_explanation_and_nothing_found(monkeypatch):
    assert screening.explain_notes(None) is None and screening.explain_notes("") is None
    fake_screener(monkeypatch)
    explained = screening.explain_notes("We talked <about> exams")
    assert explained.findings == () and explained.severity is None
    assert str(explained.notes) == "We talked &lt;about&gt; exams"


# --- what a mark may say ------------------------------------------------------------------------------

NOTES = "They keep calling him names at lunch."  # screening (faked) finds bullying at medium


@pytest.mark.parametrize(("answers", "wrong"), [
    (("maybe", "", ""), {"verdict": "Choose how screening did"}),
    (("missed", "", ""), {"severity": "high or medium", "category": "which kind of risk"}),
    (("missed", "high", ""), {"category": "which kind of risk"}),
    (("missed", "low", "self_harm"), {"severity": "high or medium"}),
    (("missed", "high", "astrology"), {"category": "which kind of risk"}),
    (("right", "high", ""), {"severity": "leave this empty"}),
    (("right", "", "bullying"), {"category": "leave this empty"}),
    (("not_a_concern", "medium", "self_harm"), {"severity": "leave this empty", "category": "leave this empty"}),
    (("", "high", ""), {"severity": 'choose "missed"'}),
    (("", "", "self_harm"), {"category": 'choose "missed"'}),
    (("missed", "medium", "bullying"), {"verdict": 'already found bullying at medium or higher'}),
])
def test_mark_problems_say_what_is_wrong_by_field(monkeypatch, answers, wrong):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    problems = screening.mark_problems(NOTES, *answers)
    assert set(problems) == set(wrong)
    for field, words in wrong.items():
        assert words in problems[field]


@pytest.mark.parametrize("answers", [
    ("", "", ""), (None, None, None), ("right", "", ""), ("not_a_concern", None, None),
    ("missed", "high", "bullying"),  # found at medium, should have been high: a miss
    ("missed", "high", "self_harm"),
])
def test_mark_problems_accept_sound_marks(monkeypatch, answers):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    assert screening.mark_problems(NOTES, *answers) == {}


def test_mark_problems_need_notes_and_findings_to_call_a_false_alarm(monkeypatch):
    fake_screener(monkeypatch)
    problems = screening.mark_problems("We talked about exams.", "not_a_concern", "", "")
    assert "nothing of it can be" in problems["verdict"]
    assert screening.mark_problems("We talked about exams.", "right", "", "") == {}
    assert "no notes" in screening.mark_problems(None, "right", "", "")["verdict"]
    assert screening.mark_problems(None, "", "", "") == {}


# --- marks --------------------------------------------------------------------------------------------

def test_a_mark_keeps_what_screening_said_and_only_flushes(monkeypatch, concern_on_notes, users):
    fake_screener(monkeypatch, ("names", "bullying", "medium"), ("vape", "substance_use", "low"))
    concern = concern_on_notes("They vape, and others call him names.")
    mark = screening.mark_screening(concern, users["counselor"], "right", "", None, utcnow())
    assert mark.id is not None and mark.school_id == concern.school_id and mark.checkin_id == concern.checkin_id
    assert (mark.verdict, mark.severity, mark.category) == ("right", None, None)
    assert (mark.screened_severity, mark.screened_categories) == ("medium", "bullying substance_use")
    db.session.rollback()  # the view commits; the service never does
    assert marks_count() == 0


def test_a_missed_mark_says_what_it_should_have_been(monkeypatch, concern_on_notes, users):
    fake_screener(monkeypatch)
    concern = concern_on_notes("He gave away his things and said goodbye.")
    mark = screening.mark_screening(concern, users["counselor"], "missed", "high", "suicidal_thoughts", utcnow())
    assert (mark.severity, mark.category, mark.screened_severity, mark.screened_categories) == (
        "high", "suicidal_thoughts", None, "")


def test_marks_are_for_counselors_of_the_school_and_sound(monkeypatch, concern_on_notes, users, other_school):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    concern = concern_on_notes(NOTES)
    outsider = UserFactory(other_school)("counselor")
    for who in (users["staff"], users["admin"], users["student"], outsider):
        with pytest.raises(screening.MarkError, match="Only a counselor of the school"):
            screening.mark_screening(concern, who, "right", "", "", utcnow())
    with pytest.raises(screening.MarkError) as refused:
        screening.mark_screening(concern, users["counselor"], "missed", "high", "", utcnow())
    assert refused.value.field == "category"
    with pytest.raises(screening.MarkError, match="Choose how screening did"):
        screening.mark_screening(concern, users["counselor"], "", "", "", utcnow())
    assert marks_count() == 0


def test_a_concern_without_notes_cannot_be_marked(school, users, concern_on_notes):
    from schoolpeers.oversight import services

    by_hand = services.raise_concern(school, users["student"], source="manual", severity="low", summary="x",
                                     raised_by=users["counselor"], now=utcnow())
    empty_notes = concern_on_notes(None)
    for concern in (by_hand, empty_notes):
        with pytest.raises(screening.MarkError, match="no notes"):
            screening.mark_screening(concern, users["counselor"], "right", "", "", utcnow())
    assert marks_count() == 0


def test_marks_are_append_only(monkeypatch, concern_on_notes, users):
    fake_screener(monkeypatch, ("names", "bullying", "medium"))
    concern = concern_on_notes(NOTES)
    screening.mark_screening(concern, users["counselor"], "right", "", "", utcnow())
    db.session.commit()
    mark = db.session.scalar(select(ScreeningMark))
    mark.verdict = "not_a_concern"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(ScreeningMark)))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    for statement in (update(ScreeningMark).values(verdict="missed"), delete(ScreeningMark)):
        with pytest.raises(AppendOnlyError):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.scalars(select(ScreeningMark.verdict)).all() == ["right"]


@pytest.mark.parametrize("values", [
    {"verdict": "maybe"},
    {"verdict": "missed", "severity": "high"},  # no category
    {"verdict": "missed", "severity": "low", "category": "bullying"},
    {"verdict": "right", "severity": "high"},
    {"verdict": "not_a_concern", "category": "bullying"},
    {"verdict": "right", "screened_severity": "extreme"},
])
def test_the_database_refuses_marks_that_make_no_sense(concern_on_notes, users, values):
    concern = concern_on_notes(NOTES)
    db.session.add(ScreeningMark(school_id=concern.school_id, concern_id=concern.id, checkin_id=concern.checkin_id,
                                 counselor_id=users["counselor"].id, **values))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- quality and examples -----------------------------------------------------------------------------

@pytest.fixture
def marked(monkeypatch, concern_on_notes, users):
    """Four marked check-ins (faked screening: "names" bullying medium, "vape" substance use low):
    names (not a concern, then right), names and vape (right), vape (not a concern), nothing found
    (missed: high self-harm)."""
    fake_screener(monkeypatch, ("names", "bullying", "medium"), ("vape", "substance_use", "low"))
    counselor, now = users["counselor"], utcnow()
    a = concern_on_notes("They call him names.")
    b = concern_on_notes("More names, and he started to vape.")
    c = concern_on_notes("=HYPERLINK(\"x\") He tried a vape once.")
    d = concern_on_notes("He wears long sleeves in summer.")
    screening.mark_screening(a, counselor, "not_a_concern", "", "", now)
    screening.mark_screening(a, counselor, "right", "", "", now)
    screening.mark_screening(b, counselor, "right", "", "", now)
    screening.mark_screening(c, counselor, "not_a_concern", "", "", now)
    screening.mark_screening(d, counselor, "missed", "high", "self_harm", now)
    db.session.commit()
    return a, b, c, d


def test_quality_counts_the_latest_mark_of_each_check_in(marked, other_school):
    a, *_ = marked
    # A mark of another school, even on the same records, never counts here.
    db.session.add(ScreeningMark(school_id=other_school.id, concern_id=a.id, checkin_id=a.checkin_id,
                                 counselor_id=a.raised_by_id, verdict="not_a_concern", screened_severity="medium",
                                 screened_categories="bullying"))
    db.session.commit()
    quality = screening.quality(a.school_id)
    assert (quality.marks, quality.right, quality.not_a_concern, quality.missed) == (4, 2, 1, 1)
    by = {c.category: c for c in quality.categories}
    assert set(by) == {str(c) for c in risk.Category}
    assert (by["bullying"].right, by["bullying"].not_a_concern, by["bullying"].precision) == (2, 0, 1.0)
    assert (by["substance_use"].right, by["substance_use"].not_a_concern, by["substance_use"].precision) == (1, 1, 0.5)
    assert (by["self_harm"].missed, by["self_harm"].precision) == (1, None)
    assert screening.quality(other_school.id).marks == 1


def test_misses_are_the_latest_missed_marks(marked, users):
    *_, d = marked
    assert [m.concern_id for m in db.session.scalars(screening.misses_query(d.school_id))] == [d.id]
    screening.mark_screening(d, users["counselor"], "right", "", "", utcnow())  # thought better of it
    assert db.session.scalars(screening.misses_query(d.school_id)).all() == []


@pytest.mark.parametrize(("said", "label"), [
    ({"verdict": "right", "screened_severity": "high", "screened_categories": "self_harm bullying"},
     ("high", "self_harm")),
    ({"verdict": "right", "screened_severity": "low", "screened_categories": "substance_use"},
     ("medium", "substance_use")),
    ({"verdict": "right", "screened_severity": None, "screened_categories": ""}, ("none", "none")),
    ({"verdict": "not_a_concern", "screened_severity": "medium", "screened_categories": "bullying"}, ("none", "none")),
    ({"verdict": "missed", "severity": "medium", "category": "eating_disorder", "screened_categories": ""},
     ("medium", "eating_disorder")),
])
def test_example_labels(said, label):
    assert screening.example_label(ScreeningMark(**said)) == label


def test_examples_csv(marked, other_school):
    a, b, c, d = marked
    d.checkin.notes = None  # retention removed the notes: the mark stays, the example goes
    db.session.commit()
    text, checkin_ids = screening.examples_csv(a.school_id)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert checkin_ids == [a.checkin_id, b.checkin_id, c.checkin_id]
    assert list(lines[0]) == list(screening.EXPORT_COLUMNS)
    assert [(r["text"], r["label"], r["category"], r["verdict"], r["screened_severity"], r["screened_categories"])
            for r in lines] == [
        ("They call him names.", "medium", "bullying", "right", "medium", "bullying"),
        ("More names, and he started to vape.", "medium", "bullying", "right", "medium", "bullying substance_use"),
        ("'=HYPERLINK(\"x\") He tried a vape once.", "none", "none", "not_a_concern", "low", "substance_use"),
    ]
    assert all(r["marked_at"].endswith("Z") and len(r["marked_at"]) == 20 for r in lines)
    assert screening.examples_csv(other_school.id) == ("text,label,category,verdict,screened_severity,"
                                                       "screened_categories,marked_at\r\n", [])
