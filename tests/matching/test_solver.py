"""Batch and single-request matching: constraints, optimality, determinism."""

import functools
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolpeers.matching import solver
from schoolpeers.matching.scoring import (
    DEFAULT_WEIGHTS,
    DEFAULT_WINDOW,
    GradeWindow,
    MentorInput,
    RequestInput,
    Weights,
    is_eligible,
    score_pair,
)
from schoolpeers.matching.solver import Assignment, candidate_pairs, match_one, solve_batch

INTERESTS = ("chess", "drawing", "football", "gaming", "music", "reading")
TOPICS = ("exam stress", "friendships", "homework planning")
SLOTS = ("Mon lunch", "Tue lunch", "Wed after school")
LANGUAGES = ("English", "Polish")


def names(pool):
    return st.frozensets(st.sampled_from(pool), max_size=len(pool))


GENDERS = st.sampled_from(["f", "m", None])


@pytest.fixture(autouse=True, scope="module")
def sparse_paths_even_when_small():
    """Small problems start from every pair; these tests need the sparse
    paths (candidates, pricing, repair, augmenting) on small inputs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver, "DIRECT_MAX_PAIRS", 0)
        yield


@functools.cache
def schools(max_requests=7, max_mentors=5, school_ids=(1,), grades=(7, 10)):
    """Small random programmes: dense eligibility, every hard rule in play.
    (Built from flat tuples: nested composite draws are slow to generate.)"""
    school, grade = st.sampled_from(school_ids), st.integers(*grades)
    mentor = st.tuples(
        school, grade, st.integers(1, 3), st.integers(0, 3), GENDERS,
        names(LANGUAGES), names(INTERESTS), names(TOPICS), names(SLOTS),
    )  # fmt: skip
    request = st.tuples(
        school, grade, st.integers(0, 3), GENDERS, names(LANGUAGES), names(INTERESTS), names(TOPICS),
        names(SLOTS), st.sampled_from([None, None, None, *LANGUAGES]), st.integers(0, 3).map(lambda n: n == 0),
        st.frozensets(st.integers(1, max_mentors), max_size=2), st.integers(0, 5 * max_mentors),
    )  # fmt: skip
    return st.tuples(st.lists(request, max_size=max_requests), st.lists(mentor, max_size=max_mentors)).map(_build)


def _build(drawn):
    request_rows, mentor_rows = drawn
    mentors = [
        MentorInput(
            mentor_id=i + 1,
            student_id=100 + i,
            school_id=school,
            grade=grade,
            capacity=capacity,
            load=min(load, capacity),
            gender=gender,
            languages=languages,
            interests=interests,
            topics=topics,
            availability=slots,
        )  # fmt: skip
        for i, (school, grade, capacity, load, gender, languages, interests, topics, slots) in enumerate(mentor_rows)
    ]
    requests = []
    for i, row in enumerate(request_rows):
        school, grade, order, gender, languages, interests, topics, slots, language, same, excluded, own = row
        own_mentor = mentors[own] if own < len(mentors) else None  # sometimes a mentor asks for a mentor
        requests.append(
            RequestInput(
                request_id=i + 1,
                student_id=own_mentor.student_id if own_mentor else 200 + i,
                school_id=own_mentor.school_id if own_mentor else school,
                grade=grade,
                created_order=order,
                gender=gender,
                languages=languages,
                interests=interests,
                topics=topics,
                availability=slots,
                language=language,
                same_gender=same,
                excluded_mentor_ids=excluded,
            )  # fmt: skip
        )
    return requests, mentors


def random_school(seed: int, n_requests: int, n_mentors: int) -> tuple[list[RequestInput], list[MentorInput]]:
    """A seeded, larger programme (grades 6-12, tight places) for the sparse paths."""
    rng = random.Random(seed)

    def sample(pool, low, high):
        return frozenset(rng.sample(pool, rng.randint(low, high)))

    mentors = [
        MentorInput(
            mentor_id=i + 1,
            student_id=i + 1,
            school_id=1,
            grade=rng.randint(6, 12),
            capacity=rng.randint(1, 3),
            gender=rng.choice(["f", "m"]),
            languages=frozenset({"English"}),
            interests=sample(INTERESTS, 1, 3),
            topics=sample(TOPICS, 1, 2),
            availability=sample(SLOTS, 1, 3),
        )
        for i in range(n_mentors)
    ]
    requests = [
        RequestInput(
            request_id=i + 1,
            student_id=1000 + i,
            school_id=1,
            grade=rng.randint(6, 12),
            created_order=rng.randint(0, 50),
            gender=rng.choice(["f", "m"]),
            interests=sample(INTERESTS, 1, 3),
            topics=sample(TOPICS, 0, 2),
            availability=sample(SLOTS, 0, 2),
            same_gender=rng.random() < 0.2,
            excluded_mentor_ids=frozenset({rng.randint(1, n_mentors)}) if rng.random() < 0.1 else frozenset(),
        )
        for i in range(n_requests)
    ]
    return requests, mentors


def brute_force(requests, mentors, weights=DEFAULT_WEIGHTS, window=DEFAULT_WINDOW) -> tuple[int, int]:
    """Best (matched count, total score) over every feasible assignment."""
    options = [
        [(j, score_pair(r, m, weights).score) for j, m in enumerate(mentors) if is_eligible(r, m, window)]
        for r in requests
    ]

    @functools.cache
    def best(i: int, free: tuple[int, ...]) -> tuple[int, int]:
        if i == len(requests):
            return 0, 0
        result = best(i + 1, free)
        for j, score in options[i]:
            if free[j] > 0:
                count, total = best(i + 1, free[:j] + (free[j] - 1,) + free[j + 1 :])
                result = max(result, (count + 1, total + score))
        return result

    return best(0, tuple(max(0, m.free_places) for m in mentors))


def check_valid_and_maximal(requests, mentors, assignments, window=DEFAULT_WINDOW) -> None:
    """No hard constraint broken, no place overbooked, nobody twice, nobody
    left out who has an eligible mentor with a place left."""
    by_request = {r.request_id: r for r in requests}
    by_mentor = {m.mentor_id: m for m in mentors}
    assert len({a.request_id for a in assignments}) == len(assignments)
    taken = Counter(a.mentor_id for a in assignments)
    for a in assignments:
        request, mentor = by_request[a.request_id], by_mentor[a.mentor_id]
        assert is_eligible(request, mentor, window)
        assert taken[a.mentor_id] <= mentor.free_places
        scored = score_pair(request, mentor)
        assert (a.score, a.explanation, a.parts) == (scored.score, scored.explanation, scored.parts)
        assert 0 <= a.score <= 100
    matched = {a.request_id for a in assignments}
    for request in requests:
        if request.request_id not in matched:
            for mentor in mentors:
                has_place = taken[mentor.mentor_id] < mentor.free_places
                assert not (has_place and is_eligible(request, mentor, window)), (request, mentor)


def summary(assignments: list[Assignment]) -> list[tuple[int, int, int]]:
    return [(a.request_id, a.mentor_id, a.score) for a in assignments]


def totals(assignments: list[Assignment]) -> tuple[int, int]:
    return len(assignments), sum(a.score for a in assignments)


# --- properties on small inputs ---------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(schools(school_ids=(1, 2)))
def test_batch_is_valid_maximal_and_equal_to_brute_force(school):
    requests, mentors = school
    assignments = solve_batch(requests, mentors)
    check_valid_and_maximal(requests, mentors, assignments)
    assert (len(assignments), sum(a.score for a in assignments)) == brute_force(requests, mentors)


@settings(max_examples=50, deadline=None)
@given(schools(), st.randoms(use_true_random=False))
def test_batch_is_deterministic_under_input_order(school, rng):
    requests, mentors = school
    first = solve_batch(requests, mentors, top_k=1)
    rng.shuffle(requests)
    rng.shuffle(mentors)
    assert summary(solve_batch(requests, mentors, top_k=1)) == summary(first)


@settings(max_examples=80, deadline=None)
@given(
    schools(max_requests=9, max_mentors=7, school_ids=(1, 2), grades=(6, 12)),
    st.tuples(st.integers(0, 2), st.integers(0, 2)).map(lambda gaps: GradeWindow(min(gaps), max(gaps) + 1)),
)
def test_vectorised_pairs_are_exactly_the_eligible_pairs_with_their_scores(school, window):
    requests, mentors = school
    weights = Weights(grade=7, interests=11, topics=3, language=2, availability=5)
    pairs = candidate_pairs(requests, mentors, weights, window, top_k=None)
    found = {
        (pairs.requests[r].request_id, pairs.mentors[m].mentor_id): int(s)
        for r, m, s in zip(pairs.request_index, pairs.mentor_index, pairs.score, strict=True)
    }
    expected = {
        (r.request_id, m.mentor_id): score_pair(r, m, weights).score
        for r in requests
        for m in mentors
        if is_eligible(r, m, window)
    }
    assert found == expected


@settings(max_examples=60)
@given(
    st.integers(1, 12).flatmap(
        lambda n_cols: st.tuples(
            st.lists(st.lists(st.integers(-1, 100), min_size=n_cols, max_size=n_cols), min_size=1, max_size=15),
            st.lists(st.integers(0, 255), min_size=n_cols, max_size=n_cols),
            st.lists(st.integers(0, 4), min_size=n_cols, max_size=n_cols),
        )
    ),
    st.integers(1, 4),
)
def test_candidates_are_each_rows_best_and_the_best_rows_of_short_columns(data, top_k):
    """Row-major, no pair twice: every row's top_k eligible columns (ties to the less contested),
    and for a column fewer rows list than it wants, its best rows."""
    scores, pressure, wanted = (np.array(column) for column in data)
    block = scores.astype(np.int8)
    rows, cols = solver._best_pairs(block, pressure.astype(np.uint8), wanted, top_k)
    chosen = list(zip(rows.tolist(), cols.tolist(), strict=True))
    assert chosen == sorted(set(chosen))
    assert all(block[row, col] >= 0 for row, col in chosen)

    def listed_by(row):
        ranked = sorted(np.flatnonzero(block[row] >= 0), key=lambda col: (-block[row, col], pressure[col], col))
        return set(ranked[:top_k])

    lists = [listed_by(row) for row in range(block.shape[0])]
    for row, listed in enumerate(lists):
        assert listed <= {col for r, col in chosen if r == row}
    for col in range(block.shape[1]):
        if sum(col in listed for listed in lists) < wanted[col]:
            best = sorted(block[block[:, col] >= 0, col].tolist(), reverse=True)[: wanted[col]]
            kept = sorted((block[row, col] for row, c in chosen if c == col), reverse=True)
            assert kept[: len(best)] == best


# --- the sparse paths on larger inputs --------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_pricing_reaches_the_optimum_from_one_candidate_each(seed):
    requests, mentors = random_school(seed, n_requests=120, n_mentors=45)
    exact = solve_batch(requests, mentors, top_k=None)
    sparse = solve_batch(requests, mentors, top_k=1)
    check_valid_and_maximal(requests, mentors, sparse)
    assert totals(sparse) == totals(exact)


@pytest.mark.parametrize("slack", [0, 1, 50])
@pytest.mark.parametrize("seed", range(3))
def test_pricing_reaches_the_optimum_whatever_the_slack_of_the_next_round(seed, slack, monkeypatch):
    monkeypatch.setattr(solver, "REPRICING_SLACK", slack)
    requests, mentors = random_school(seed, n_requests=120, n_mentors=45)
    sparse = solve_batch(requests, mentors, top_k=1)
    check_valid_and_maximal(requests, mentors, sparse)
    assert totals(sparse) == totals(solve_batch(requests, mentors, top_k=None))


@pytest.mark.parametrize("seed", range(4))
def test_priced_pairs_keep_the_flow_and_every_pair_within_the_slack(seed):
    """The next round's graph holds the flow's own pairs and grows with the
    slack; a flow that is not optimal over all pairs is always caught."""
    requests, mentors = random_school(seed, n_requests=120, n_mentors=45)
    problem = solver._Problem(requests, mentors, DEFAULT_WEIGHTS, DEFAULT_WINDOW)
    pairs = problem.candidate_pairs(1)
    used = solver._max_flow_min_cost(problem, pairs)

    def keys(found):
        return set(zip(found[0].tolist(), found[1].tolist(), strict=True))

    close, improvable = problem.priced_pairs(pairs, used, slack=2)
    wider, _ = problem.priced_pairs(pairs, used, slack=8)
    assert keys(tuple(column[used] for column in pairs)) <= keys(close) <= keys(wider)
    flow_totals = (int(used.sum()), int(pairs[2][used].astype(int).sum()))
    assert improvable or flow_totals == totals(solve_batch(requests, mentors, top_k=None))


@pytest.mark.parametrize("seed", range(4))
def test_without_pricing_no_student_is_left_out_next_to_a_free_mentor(seed, monkeypatch):
    monkeypatch.setattr(solver, "PRICING_MAX_PAIRS", 0)
    monkeypatch.setattr(solver, "COVERAGE", 0)
    requests, mentors = random_school(seed, n_requests=120, n_mentors=45)
    check_valid_and_maximal(requests, mentors, solve_batch(requests, mentors, top_k=1))


@pytest.mark.parametrize("seed", range(8))
def test_without_pricing_the_most_students_are_still_matched(seed, monkeypatch):
    """Beyond the pricing size, every augmenting path over all eligible pairs
    is followed, so the count equals the exact optimum's even from a thin
    candidate set (one mentor per request and grade, no coverage)."""
    requests, mentors = random_school(seed, n_requests=160, n_mentors=40)
    exact = len(solve_batch(requests, mentors, top_k=None))
    monkeypatch.setattr(solver, "PRICING_MAX_PAIRS", 0)
    monkeypatch.setattr(solver, "COVERAGE", 0)
    sparse = solve_batch(requests, mentors, top_k=1)
    check_valid_and_maximal(requests, mentors, sparse)
    assert len(sparse) == exact


@settings(max_examples=60, deadline=None)
@given(schools(max_requests=9, max_mentors=6, school_ids=(1, 2)))
def test_without_pricing_small_batches_match_the_most_students(school):
    requests, mentors = school
    original = solver.PRICING_MAX_PAIRS, solver.COVERAGE
    solver.PRICING_MAX_PAIRS, solver.COVERAGE = 0, 0
    try:
        sparse = solve_batch(requests, mentors, top_k=1)
    finally:
        solver.PRICING_MAX_PAIRS, solver.COVERAGE = original
    check_valid_and_maximal(requests, mentors, sparse)
    assert len(sparse) == brute_force(requests, mentors)[0]


@pytest.mark.parametrize("seed", range(3))
def test_small_problems_start_from_every_pair_with_the_same_answer(seed, monkeypatch):
    requests, mentors = random_school(seed, n_requests=120, n_mentors=45)
    sparse = totals(solve_batch(requests, mentors, top_k=1))
    monkeypatch.setattr(solver, "DIRECT_MAX_PAIRS", 100_000)
    started_from, choose = [], solver._Problem.candidate_pairs
    monkeypatch.setattr(
        solver._Problem, "candidate_pairs", lambda problem, top_k: started_from.append(top_k) or choose(problem, top_k)
    )
    assert totals(solve_batch(requests, mentors, top_k=1)) == sparse  # equal optima (ties may differ)
    assert started_from == [None]


@pytest.mark.parametrize("pricing_max_pairs", [solver.PRICING_MAX_PAIRS, 0])
def test_larger_batches_are_deterministic_under_input_order(pricing_max_pairs, monkeypatch):
    monkeypatch.setattr(solver, "PRICING_MAX_PAIRS", pricing_max_pairs)
    requests, mentors = random_school(5, n_requests=150, n_mentors=60)
    first = summary(solve_batch(requests, mentors, top_k=2))
    rng = random.Random(1)
    for _ in range(2):
        rng.shuffle(requests)
        rng.shuffle(mentors)
        assert summary(solve_batch(requests, mentors, top_k=2)) == first


def test_many_names_and_many_asked_topics_and_times_score_like_score_pair():
    """More than 64 interests (several bitset words) and a code table over 256 entries."""
    rng = random.Random(7)
    interests = [f"interest {i}" for i in range(150)]
    topics = [f"topic {i}" for i in range(12)]
    slots = [f"slot {i}" for i in range(20)]
    mentors = [
        MentorInput(i, i, 1, rng.randint(8, 10), 2, interests=frozenset(rng.sample(interests, 40)),
                    topics=frozenset(rng.sample(topics, 6)), availability=frozenset(rng.sample(slots, 10)))
        for i in range(1, 30)
    ]  # fmt: skip
    requests = [
        RequestInput(i, 100 + i, 1, rng.randint(8, 9), i, interests=frozenset(rng.sample(interests, 40)),
                     topics=frozenset(rng.sample(topics, rng.randint(0, 9))),
                     availability=frozenset(rng.sample(slots, rng.randint(0, 12))))
        for i in range(1, 40)
    ]  # fmt: skip
    pairs = candidate_pairs(requests, mentors, top_k=None)
    for r, m, s in zip(pairs.request_index, pairs.mentor_index, pairs.score, strict=True):
        assert s == score_pair(pairs.requests[r], pairs.mentors[m]).score
    assert len(pairs.score) == sum(is_eligible(r, m) for r in requests for m in mentors)
    check_valid_and_maximal(requests, mentors, solve_batch(requests, mentors))


def test_explanations_follow_the_weights_of_each_run():
    """Explanations are built from memoised parts; the weights are part of what they depend on."""
    requests, mentors = random_school(2, n_requests=40, n_mentors=20)
    grade_only = Weights(grade=1, interests=0, topics=0, language=0, availability=0)
    first = solve_batch(requests, mentors)
    graded = solve_batch(requests, mentors, grade_only)
    assert solve_batch(requests, mentors) == first
    check_valid_and_maximal(requests, mentors, first)
    for a in graded:
        assert [part.max_points for part in a.parts] == [100, 0, 0, 0, 0]
        assert "; " not in a.explanation and "grade" in a.explanation


# --- ties, order and edge cases -------------------------------------------------


def twin_requests(first_order: int, second_order: int) -> list[RequestInput]:
    return [
        RequestInput(1, 201, 1, 8, first_order, interests=frozenset({"chess"})),
        RequestInput(2, 202, 1, 8, second_order, interests=frozenset({"chess"})),
    ]


@pytest.mark.parametrize(("orders", "winner"), [((5, 3), 2), ((3, 5), 1), ((4, 4), 1)])
def test_oldest_request_wins_a_tie(orders, winner):
    mentor = MentorInput(1, 101, 1, 9, 1, interests=frozenset({"chess"}))
    requests = twin_requests(*orders)
    for ordered in (requests, requests[::-1]):
        assert [a.request_id for a in solve_batch(ordered, [mentor])] == [winner]


def test_the_score_comes_before_age():
    mentor = MentorInput(1, 101, 1, 9, 1, interests=frozenset({"chess"}))
    older = RequestInput(1, 201, 1, 8, created_order=1)
    newer = RequestInput(2, 202, 1, 8, created_order=2, interests=frozenset({"chess"}))
    assert summary(solve_batch([older, newer], [mentor])) == [(2, 1, 80)]


def test_the_count_comes_before_the_score():
    interests_only = Weights(grade=0, interests=1, topics=0, language=0, availability=0)
    shared = frozenset({"chess", "music", "drawing"})
    mentors = [MentorInput(1, 101, 1, 9, 1, interests=shared), MentorInput(2, 102, 1, 12, 1)]
    x = RequestInput(1, 201, 1, 9, 1, interests=shared)  # 100 with mentor 1, 0 with mentor 2
    y = RequestInput(2, 202, 1, 8, 2)  # only mentor 1 is in its window, scoring 0
    assert summary(solve_batch([x, y], mentors, interests_only)) == [(1, 2, 0), (2, 1, 0)]


def test_assignments_come_oldest_first():
    requests, mentors = random_school(3, n_requests=60, n_mentors=40)
    order = {r.request_id: (r.created_order, r.request_id) for r in requests}
    keys = [order[a.request_id] for a in solve_batch(requests, mentors)]
    assert keys == sorted(keys)


def test_empty_inputs_and_full_mentors_give_no_assignment():
    assert solve_batch([], []) == []
    full = MentorInput(1, 101, 1, 9, 2, load=2)
    assert solve_batch(twin_requests(1, 2), [full]) == []


@pytest.mark.parametrize("duplicate", ["request", "mentor"])
def test_duplicate_ids_are_refused(duplicate):
    requests = twin_requests(1, 2)
    mentors = [MentorInput(1, 101, 1, 9, 1)]
    if duplicate == "request":
        requests = requests + [requests[0]]
    else:
        mentors = mentors * 2
    with pytest.raises(ValueError, match=f"duplicate {duplicate}"):
        solve_batch(requests, mentors)


def test_match_one_takes_the_best_then_the_lower_load_then_the_lower_id():
    request = RequestInput(1, 201, 1, 8, 1, interests=frozenset({"chess"}))
    mentors = [
        MentorInput(4, 104, 1, 9, 3, load=1, interests=frozenset({"chess"})),
        MentorInput(3, 103, 1, 9, 3, load=2, interests=frozenset({"chess"})),
        MentorInput(2, 102, 1, 9, 3, load=1, interests=frozenset({"chess"})),
        MentorInput(1, 101, 1, 9, 3),
    ]
    best = match_one(request, mentors)
    assert (best.mentor_id, best.score) == (2, 80)
    assert best.explanation == "grade 8 → 9 is an ideal step; 1 shared interest: chess"


def test_match_one_without_an_eligible_mentor_gives_none():
    request = RequestInput(1, 201, 1, 8, 1, excluded_mentor_ids=frozenset({1}))
    assert match_one(request, [MentorInput(1, 101, 1, 9, 1), MentorInput(2, 102, 1, 12, 1)]) is None
