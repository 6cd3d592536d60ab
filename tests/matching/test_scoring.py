"""The pure scoring core: eligibility, scores and their explanations."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.matching.scoring import (
    GradeWindow,
    MentorInput,
    RequestInput,
    Weights,
    eligible_mentors,
    ineligibility_reason,
    is_eligible,
    language_ok,
    score_from_counts,
    score_pair,
)

INTERESTS = ("chess", "drawing", "football", "gaming", "music", "reading")
TOPICS = ("exam stress", "friendships", "homework planning")
SLOTS = ("Mon lunch", "Tue lunch", "Wed after school")
LANGUAGES = ("English", "Polish", "Spanish")


def mentor(mentor_id=1, *, grade=9, capacity=2, load=0, **fields) -> MentorInput:
    fields.setdefault("student_id", 100 + mentor_id)
    fields.setdefault("school_id", 1)
    return MentorInput(mentor_id=mentor_id, grade=grade, capacity=capacity, load=load, **fields)


def request(request_id=1, *, grade=8, **fields) -> RequestInput:
    fields.setdefault("student_id", 200 + request_id)
    fields.setdefault("school_id", 1)
    fields.setdefault("created_order", request_id)
    return RequestInput(request_id=request_id, grade=grade, **fields)


def names(pool):
    return st.frozensets(st.sampled_from(pool), max_size=len(pool))


GENDERS = st.sampled_from(["f", "m", None])
# Flat tuples: nested composite draws are slow to generate.
pairs = st.tuples(
    st.tuples(st.integers(6, 12), GENDERS, names(LANGUAGES), names(INTERESTS), names(TOPICS), names(SLOTS),
              st.sampled_from([None, *LANGUAGES]), st.booleans()),
    st.tuples(st.integers(6, 12), GENDERS, names(LANGUAGES), names(INTERESTS), names(TOPICS), names(SLOTS)),
).map(
    lambda rows: (
        request(**dict(zip(("grade", "gender", "languages", "interests", "topics", "availability", "language",
                            "same_gender"), rows[0], strict=True))),
        mentor(**dict(zip(("grade", "gender", "languages", "interests", "topics", "availability"), rows[1],
                          strict=True))),
    )
)  # fmt: skip
weights = st.tuples(*[st.integers(0, 50)] * 5).filter(lambda values: sum(values) > 0).map(lambda w: Weights(*w))


# --- grade fit and sentences (tables) -----------------------------------------


@pytest.mark.parametrize(
    ("mentee", "mentor_grade", "points", "words"),
    [
        (8, 9, 30.0, "grade 8 → 9 is an ideal step"),
        (8, 10, 30.0, "grade 8 → 10 is an ideal step"),
        (8, 8, 15.0, "both in grade 8"),
        (8, 11, 7.5, "grade 8 → 11 is a big step"),
        (7, 12, 0.0, "grade 7 → 12 is a very big step"),
        (8, 7, 0.0, "grade 8 → 7 is a step down"),
    ],
)
def test_grade_fit(mentee, mentor_grade, points, words):
    part = score_pair(request(grade=mentee), mentor(grade=mentor_grade)).parts[0]
    assert (part.name, part.points, part.max_points, part.words) == ("grade", points, 30.0, words)


@pytest.mark.parametrize(
    ("request_fields", "mentor_fields", "score", "sentence"),
    [
        (
            {"interests": {"football", "drawing", "gaming", "chess"}, "topics": {"exam stress"}},
            {"interests": {"football", "drawing", "gaming", "music"}, "topics": {"exam stress", "friendships"}},
            100,
            "grade 8 → 9 is an ideal step; 3 shared interests: drawing, football, gaming; covers exam stress",
        ),
        (
            {"interests": {"chess"}, "topics": {"exam stress", "friendships"}},
            {"interests": {"chess", "music"}, "topics": {"friendships"}},
            # 30 + 10 + 12.5 + 5 + 10
            68,
            "grade 8 → 9 is an ideal step; 1 shared interest: chess; covers friendships (not exam stress)",
        ),
        (
            {"interests": {"chess"}, "topics": {"exam stress"}, "availability": {"Mon lunch", "Tue lunch"}},
            {"grade": 8, "interests": {"music"}, "availability": {"Tue lunch"}},
            # 15 + 0 + 0 + 5 + 5
            25,
            "both in grade 8; no shared interests; covers none of the asked topics (exam stress); "
            "free at 1 of 2 requested times (Tue lunch)",
        ),
        (
            {"language": "Polish", "availability": {"Mon lunch"}},
            {"languages": {"Polish", "English"}, "availability": {"Mon lunch"}},
            70,
            "grade 8 → 9 is an ideal step; no shared interests; speaks Polish; free at the requested time",
        ),
        (
            {"languages": {"Spanish"}},
            {"grade": 11, "languages": {"English"}},
            # 7.5 + 0 + 25 + 0 + 10 = 42.5, rounded half up
            43,
            "grade 8 → 11 is a big step; no shared interests; no shared language",
        ),
    ],
)
def test_explanation_sentences(request_fields, mentor_fields, score, sentence):
    scored = score_pair(
        request(**{k: frozenset(v) if isinstance(v, set) else v for k, v in request_fields.items()}),
        mentor(**{k: frozenset(v) if isinstance(v, set) else v for k, v in mentor_fields.items()}),
    )
    assert (scored.score, scored.explanation) == (score, sentence)


def test_parts_of_a_score():
    scored = score_pair(request(topics=frozenset({"exam stress"})), mentor(topics=frozenset({"exam stress"})))
    assert [(p.name, p.points, p.max_points) for p in scored.parts] == [
        ("grade", 30.0, 30.0),
        ("interests", 0.0, 30.0),
        ("topics", 25.0, 25.0),
        ("language", 5.0, 5.0),
        ("availability", 10.0, 10.0),
    ]
    assert scored.parts[3].words == "no language data"


def test_weights_are_normalised_and_zero_weights_stay_silent():
    assert Weights(1, 1, 1, 1, 1).max_points() == (20.0, 20.0, 20.0, 20.0, 20.0)
    only_grade = Weights(grade=3, interests=0, topics=0, language=0, availability=0)
    scored = score_pair(request(), mentor(), only_grade)
    assert scored.score == 100
    assert scored.explanation == "grade 8 → 9 is an ideal step"


@pytest.mark.parametrize("values", [(0, 0, 0, 0, 0), (-1, 30, 30, 5, 10)])
def test_bad_weights_are_refused(values):
    with pytest.raises(ValueError):
        Weights(*values)


@pytest.mark.parametrize(("low", "high"), [(-1, 3), (3, 2)])
def test_bad_grade_windows_are_refused(low, high):
    with pytest.raises(ValueError):
        GradeWindow(low, high)


POLISH_PLEASE = "the student asked for a mentor who speaks Polish"


# --- eligibility ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_fields", "mentor_fields", "reason"),
    [
        ({}, {}, None),
        ({}, {"capacity": 2, "load": 2}, "the mentor has no free place"),
        ({}, {"school_id": 2}, "the mentor is at another school"),
        ({"student_id": 7}, {"student_id": 7}, "a student cannot mentor themselves"),
        ({}, {"grade": 7}, "grade 8 → 7 is outside the allowed step of 0 to 3 grades up"),
        ({}, {"grade": 12}, "grade 8 → 12 is outside the allowed step of 0 to 3 grades up"),
        ({"excluded_mentor_ids": frozenset({1})}, {}, "this pair is excluded (blocked or marked not a good fit)"),
        ({"same_gender": True, "gender": "f"}, {"gender": "m"}, "the student asked for a mentor of the same gender"),
        ({"same_gender": True, "gender": None}, {"gender": None}, "the student asked for a mentor of the same gender"),
        ({"same_gender": True, "gender": "f"}, {"gender": "f"}, None),
        ({"language": "Polish"}, {"languages": frozenset({"English"})}, POLISH_PLEASE),
        ({"language": "Polish"}, {"languages": frozenset({"Polish"})}, None),
    ],
)
def test_ineligibility_reasons(request_fields, mentor_fields, reason):
    assert ineligibility_reason(request(**request_fields), mentor(**mentor_fields)) == reason
    assert is_eligible(request(**request_fields), mentor(**mentor_fields)) == (reason is None)


def test_grade_window_is_configurable():
    assert is_eligible(request(grade=8), mentor(grade=12), GradeWindow(1, 4))
    assert not is_eligible(request(grade=8), mentor(grade=8), GradeWindow(1, 4))


def test_eligible_mentors_best_first_then_lower_load_then_id():
    good = frozenset({"chess", "music", "drawing"})
    mentors = [
        mentor(5, interests=good, load=1),
        mentor(4, interests=good),
        mentor(3, grade=12),  # ineligible
        mentor(2),
        mentor(1, interests=good, load=1),
    ]
    ranked = eligible_mentors(request(interests=good), mentors)
    assert [m.mentor_id for m, _ in ranked] == [4, 1, 5, 2]
    assert [s.score for _, s in ranked] == [100, 100, 100, 70]


# --- properties -------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(pairs, weights)
def test_score_is_an_integer_from_0_to_100_and_the_rounded_sum_of_its_parts(pair, w):
    scored = score_pair(*pair, w)
    assert isinstance(scored.score, int) and 0 <= scored.score <= 100
    assert scored.score == math.floor(sum(p.points for p in scored.parts) + 0.5)
    assert math.isclose(sum(p.max_points for p in scored.parts), 100)
    assert all(0 <= p.points <= p.max_points + 1e-9 for p in scored.parts)


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_explanation_names_every_shared_interest(pair):
    req, ment = pair
    scored = score_pair(req, ment)
    for name in req.interests & ment.interests:
        assert name in scored.explanation
    assert scored.parts[1].words.startswith(f"{len(req.interests & ment.interests)} shared") or not (
        req.interests & ment.interests
    )


@settings(max_examples=100, deadline=None)
@given(pairs, weights)
def test_score_from_counts_agrees_with_score_pair(pair, w):
    req, ment = pair
    assert score_pair(req, ment, w).score == score_from_counts(
        w.max_points(),
        ment.grade - req.grade,
        len(req.interests & ment.interests),
        len(req.topics),
        len(req.topics & ment.topics),
        language_ok(req, ment),
        len(req.availability),
        len(req.availability & ment.availability),
    )
