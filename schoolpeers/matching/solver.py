"""Batch and single-request mentor matching on top of `scoring`.

Objective of `solve_batch`, in strict order:

1. match as many students as possible;
2. then maximise the total score of the matches;
3. then prefer older requests, so the oldest request wins when two
   assignments are otherwise equal.

The flow. It is solved exactly on integers as a min-cost maximum flow with
OR-Tools: request (supply 1) -> mentor (demand = free places), one arc per
candidate pair with capacity 1 and cost -(score * SCALE + age_bonus). Age
bonuses are distinct integers n-1 (oldest) .. 0 and SCALE exceeds their total,
so they only break ties of score. `solve_max_flow_with_min_cost` finds the
maximum flow first (objective 1) and then the cheapest flow of that size (2
and 3): no huge "matched" bonus is needed, so costs stay far from overflow.

Scale (5,000 requests x 2,000 mentors in 0.26-0.50 s, 20,000 x 8,000 in 1.2-2.2 s and about 105 MB, on one
core of the development machines, by the machine; `make bench PART=matching` prints the figures, and the
README keeps them):

* Up to DIRECT_MAX_PAIRS eligible pairs, every pair is an arc from the start.
* Pairs are scored vectorised, per block of one request grade and one mentor
  grade. Sets (interests, topics, times, languages) are bitsets, shared counts
  AND + popcount; the counts index a table filled by
  `scoring.score_from_counts`, so batch scores equal `score_pair` exactly.
  Hard constraints score -1. The int8 scores are kept (one byte a pair).
* Only candidate pairs become arcs: each request's `top_k` best mentors of
  each grade the window allows (every grade stays reachable, which the
  matched count needs), equal scores going to the less contested mentor
  (fewer requests listing it per free place); plus, for each mentor that the
  requests' lists leave short, its best requests (COVERAGE per free place).
  A pure top-K loses matches and score when popular mentors saturate and
  nobody lists the others.
* Pricing (proven optimum): while the problem has at most PRICING_MAX_PAIRS
  eligible pairs, the optimal flow's node potentials (shortest distances in
  its residual graph with arc weights BIG + score, BIG > any total score)
  are LP duals. When no unused eligible pair has a negative reduced cost,
  LP duality proves the result optimal over all eligible pairs (count, then
  score; the age tie-break is exact among the candidates). Otherwise the
  flow is solved again, the first time on every eligible pair whose reduced
  cost is at most REPRICING_SLACK instead of the candidates, later on those
  added to the candidates. Each solve starts from scratch, so the number of
  rounds is what costs: adding only the violating pairs, the potentials of
  the next flow moved enough to need four rounds at 5,000 x 2,000 (five
  seeds); with the slack, two (and two or three at 1,000 x 400).
* Beyond that size, a repair step adds, for each unmatched request, every
  eligible mentor that still has a free place; when none is left, a
  breadth-first search over every eligible pair looks for augmenting paths
  (unmatched request -> mentor -> the request holding its place -> another
  mentor ... -> a free place) and adds, for each mentor it reaches, its best
  pairs with the layer before. The flow is solved again until the search
  finds none, which proves (Berge) that no assignment matches more students.
  The score is then measured rather than proven (`make bench PART=matching`
  prints its fraction of the exact optimum).

Determinism: inputs are put in a canonical order (requests by school, grade
and age, mentors by school, grade and id) first, so input order never matters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np

from schoolpeers import collector
from schoolpeers.matching.scoring import (
    DEFAULT_WEIGHTS,
    DEFAULT_WINDOW,
    INTEREST_CAP,
    GradeWindow,
    MentorInput,
    RequestInput,
    ScorePart,
    Weights,
    eligible_mentors,
    score_from_counts,
    score_pair,
)

#: Best mentors kept per request and mentor grade. Tuned with the bench.
DEFAULT_TOP_K = 3
#: Best requests kept per free place of a mentor that the requests' lists leave short.
COVERAGE = 3
#: Pairs each mentor reached by the augmenting-path search brings from the layer before.
LAYER_PAIRS = 3
#: Schools with at most this many eligible pairs are priced to a proven optimum.
PRICING_MAX_PAIRS = 10_000_000
#: After a pricing round that finds an improving pair, the next flow takes every pair within this many score
#: points of a zero reduced cost: the potentials move little, so that flow is usually optimal. Tuned with the bench.
REPRICING_SLACK = 8
#: Problems with at most this many eligible pairs start from all of them: one
#: flow on every pair is faster than candidates and pricing rounds there.
DIRECT_MAX_PAIRS = 100_000
#: Pairs scored at once; bounds the temporary arrays (about 20 bytes a pair).
_CHUNK_PAIRS = 1 << 20
#: Odd step of the per-row rotation that spreads ties over mentors.
_ROTATION_STRIDE = 37
_INELIGIBLE_KEY = 101 << 8
_TAKEN_KEY = np.iinfo(np.int16).max
_INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class Assignment:
    request_id: int
    mentor_id: int
    score: int
    explanation: str
    parts: tuple[ScorePart, ...]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Scored pairs; indexes refer to `requests` and `mentors`, the inputs in
    canonical order (mentors without a free place left out)."""

    requests: tuple[RequestInput, ...]
    mentors: tuple[MentorInput, ...]
    request_index: np.ndarray
    mentor_index: np.ndarray
    score: np.ndarray


def solve_batch(
    requests: Iterable[RequestInput],
    mentors: Iterable[MentorInput],
    weights: Weights = DEFAULT_WEIGHTS,
    window: GradeWindow = DEFAULT_WINDOW,
    *,
    top_k: int | None = DEFAULT_TOP_K,
) -> list[Assignment]:
    """Optimal assignment (see the module docstring), oldest request first.
    `top_k=None` starts from every eligible pair."""
    problem = _Problem(requests, mentors, weights, window)
    if problem.n_eligible_pairs <= DIRECT_MAX_PAIRS:
        top_k = None
    pairs = problem.candidate_pairs(top_k)
    if top_k is not None and problem.n_eligible_pairs <= PRICING_MAX_PAIRS:
        pairs, used = _priced_flow(problem, pairs)
    else:
        pairs, used = _repaired_flow(problem, pairs)
    return problem.assignments(pairs[0][used], pairs[1][used])


def _priced_flow(problem: _Problem, pairs: _Pairs) -> tuple[_Pairs, np.ndarray]:
    """The optimal flow over every eligible pair, proven by pricing: after a
    round that finds an improving pair, the next flow runs on every pair whose
    reduced cost is at most REPRICING_SLACK (the first time instead of the
    candidates, which keeps its graph small; later in addition, so that the
    rounds end)."""
    first_round = True
    while True:
        used = _max_flow_min_cost(problem, pairs)
        close, improvable = problem.priced_pairs(pairs, used, REPRICING_SLACK)
        if not improvable:
            return pairs, used
        pairs = close if first_round else _concat([pairs, problem._new(close, pairs)])
        first_round = False


def _repaired_flow(problem: _Problem, pairs: _Pairs) -> tuple[_Pairs, np.ndarray]:
    """A flow matching the most students: the repair step, then augmenting
    paths over every eligible pair until none is left."""
    while True:
        used = _max_flow_min_cost(problem, pairs)
        missing = problem.free_eligible_pairs(pairs, used)
        if not len(missing[0]):
            missing = problem.augmenting_pairs(pairs, used)
        if not len(missing[0]):
            return pairs, used
        pairs = _concat([pairs, missing])


def candidate_pairs(
    requests: Iterable[RequestInput],
    mentors: Iterable[MentorInput],
    weights: Weights = DEFAULT_WEIGHTS,
    window: GradeWindow = DEFAULT_WINDOW,
    *,
    top_k: int | None = DEFAULT_TOP_K,
) -> Candidates:
    """The scored pairs `solve_batch` starts from above DIRECT_MAX_PAIRS eligible pairs (`top_k=None`:
    every eligible pair)."""
    problem = _Problem(requests, mentors, weights, window)
    request_index, mentor_index, score = problem.candidate_pairs(top_k)
    return Candidates(problem.requests, problem.mentors, request_index, mentor_index, score)


def match_one(
    request: RequestInput,
    mentors: Iterable[MentorInput],
    weights: Weights = DEFAULT_WEIGHTS,
    window: GradeWindow = DEFAULT_WINDOW,
) -> Assignment | None:
    """The best eligible mentor with a free place (ties: lower load, then id), or None."""
    ranked = eligible_mentors(request, mentors, weights, window)
    if not ranked:
        return None
    mentor, scored = ranked[0]
    return Assignment(request.request_id, mentor.mentor_id, scored.score, scored.explanation, scored.parts)


# --- the whole problem -------------------------------------------------------

_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # request index, mentor index, score


class _Problem:
    """Inputs in canonical order, split by school (schools never mix)."""

    def __init__(
        self,
        requests: Iterable[RequestInput],
        mentors: Iterable[MentorInput],
        weights: Weights,
        window: GradeWindow,
    ) -> None:
        self.weights = weights
        self.requests = tuple(sorted(requests, key=lambda r: (r.school_id, r.grade, r.created_order, r.request_id)))
        self.mentors = tuple(
            sorted((m for m in mentors if m.free_places > 0), key=lambda m: (m.school_id, m.grade, m.mentor_id))
        )
        _require_unique("request", [r.request_id for r in self.requests])
        _require_unique("mentor", [m.mentor_id for m in self.mentors])
        self.free_places = np.array([m.free_places for m in self.mentors], dtype=np.int64)
        self.age_bonus = _age_bonus(self.requests)
        mentor_ranges = _ranges(self.mentors, key=lambda m: m.school_id)
        self.schools = [
            _School(self.requests[r0:r1], r0, self.mentors[m0:m1], m0, weights, window)
            for school, (r0, r1) in _ranges(self.requests, key=lambda r: r.school_id).items()
            if school in mentor_ranges
            for m0, m1 in [mentor_ranges[school]]
        ]
        self.n_eligible_pairs = sum(school.n_eligible_pairs for school in self.schools)

    def candidate_pairs(self, top_k: int | None) -> _Pairs:
        return _concat([school.candidate_pairs(top_k) for school in self.schools])

    def free_eligible_pairs(self, pairs: _Pairs, used: np.ndarray) -> _Pairs:
        """New pairs of an unmatched request and an eligible mentor with a place left."""
        unmatched = np.ones(len(self.requests), dtype=bool)
        unmatched[pairs[0][used]] = False
        has_place = self.free_places > np.bincount(pairs[1][used], minlength=len(self.mentors))
        found = _concat([school.free_eligible_pairs(unmatched, has_place) for school in self.schools])
        return self._new(found, pairs)

    def augmenting_pairs(self, pairs: _Pairs, used: np.ndarray) -> _Pairs:
        """New pairs that open augmenting paths over every eligible pair:
        unmatched request -> eligible mentor -> a request holding one of its
        places -> another eligible mentor ... -> a mentor with a place left.
        A breadth-first search from all unmatched requests at once, layer by
        layer; each mentor it reaches brings its LAYER_PAIRS best pairs with
        the layer before, so that one flow can take many paths at once. Up to
        the first layer that reaches a free place, all of them are returned;
        none found proves that no assignment matches more students (Berge)."""
        if len(pairs[0]) == self.n_eligible_pairs:
            return _concat([])  # every eligible pair is a candidate: the flow's count is the most
        holder, held = pairs[0][used], pairs[1][used]
        has_place = self.free_places > np.bincount(held, minlength=len(self.mentors))
        frontier = np.ones(len(self.requests), dtype=bool)
        frontier[holder] = False
        reached = np.zeros(len(self.mentors), dtype=bool)
        layers = []
        while frontier.any():
            new = np.zeros(len(self.mentors), dtype=bool)
            layers += [school.reach(frontier, reached, new) for school in self.schools]
            if (new & has_place).any():
                return self._new(_concat(layers), pairs)
            frontier = np.zeros(len(self.requests), dtype=bool)
            frontier[holder[new[held]]] = True  # the requests holding the places of the mentors just reached
        return _concat([])

    def priced_pairs(self, pairs: _Pairs, used: np.ndarray, slack: int) -> tuple[_Pairs, bool]:
        """Every eligible pair whose reduced cost under the optimal flow's
        potentials is at most `slack` score points, and whether an unused one
        is negative (adding it could improve the count or the score). None
        negative means the flow is optimal over all pairs."""
        if len(pairs[0]) == self.n_eligible_pairs:
            return pairs, False  # every eligible pair is a candidate already
        big = 100 * min(len(self.requests), int(self.free_places.sum())) + 1
        distance = _distances_to_sink(self, pairs, used, big)
        to_request, to_mentor = distance[: len(self.requests)], distance[len(self.requests) : -1]
        found = _concat([school.pairs_below(to_request, to_mentor, big, slack + 1) for school in self.schools])
        request_index, mentor_index, score = found
        reduced = to_mentor[mentor_index] - to_request[request_index] - big - score
        # A used pair's own reduced cost may be negative; only an unused one can improve the flow.
        mentor_of = np.full(len(self.requests), -1, dtype=np.int64)
        mentor_of[pairs[0][used]] = pairs[1][used]
        return found, bool(((reduced < 0) & (mentor_of[request_index] != mentor_index)).any())

    def _new(self, found: _Pairs, pairs: _Pairs) -> _Pairs:
        """The found pairs that are not candidates yet."""
        if not len(found[0]):
            return found
        known = np.sort(pairs[0] * len(self.mentors) + pairs[1])
        _, is_known = _lookup(known, found[0] * len(self.mentors) + found[1])
        return tuple(column[~is_known] for column in found)

    def assignments(self, request_index: np.ndarray, mentor_index: np.ndarray) -> list[Assignment]:
        """Explained assignments, oldest request first."""
        oldest_first = np.argsort(-self.age_bonus[request_index])
        result = []
        # Every object built for the assignments survives: the collector would only walk the inputs
        # again and again (at 20,000 x 8,000 that was more than half of this step).
        with collector.paused():
            for r, m in zip(request_index[oldest_first].tolist(), mentor_index[oldest_first].tolist(), strict=True):
                request, mentor = self.requests[r], self.mentors[m]
                scored = score_pair(request, mentor, self.weights)
                result.append(
                    Assignment(request.request_id, mentor.mentor_id, scored.score, scored.explanation, scored.parts)
                )
        return result


def _max_flow_min_cost(problem: _Problem, pairs: _Pairs) -> np.ndarray:
    """Which candidate pairs the optimal flow uses (boolean mask)."""
    request_index, mentor_index, score = pairs
    n_requests = len(problem.requests)
    bonus = problem.age_bonus
    scale = int(bonus.sum()) + 1  # exceeds any difference of age-bonus totals
    n_nodes = n_requests + len(problem.mentors)
    if (100 * scale + n_requests) * (n_nodes + 1) >= _INT64_MAX:
        raise ValueError("too many requests for exact integer costs")
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow  # loaded by the first matching run

    flow = SimpleMinCostFlow()
    if len(score):
        flow.add_arcs_with_capacity_and_unit_cost(
            request_index.astype(np.int32),
            (n_requests + mentor_index).astype(np.int32),
            np.ones(len(score), dtype=np.int64),
            -(score.astype(np.int64) * scale + bonus[request_index]),
        )
    supplies = np.concatenate([np.ones(n_requests, dtype=np.int64), -problem.free_places])
    flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    status = flow.solve_max_flow_with_min_cost()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    if not len(score):
        return np.zeros(0, dtype=bool)
    return flow.flows(np.arange(len(score), dtype=np.int32)) > 0


def _distances_to_sink(problem: _Problem, pairs: _Pairs, used: np.ndarray, big: int) -> np.ndarray:
    """Node potentials of the optimal flow: shortest distances from every node
    (requests, mentors, then the sink) to a virtual node one free arc away
    from each node, in the residual graph of the "bypass" formulation
    (request -> mentor costs -(big + score); an unmatched request flows
    request -> sink at cost 0). The flow is optimal there too, so there is
    no negative cycle and Bellman-Ford passes (vectorised) converge."""
    request_index, mentor_index, score = pairs
    n_requests, n_mentors = len(problem.requests), len(problem.mentors)
    sink = n_requests + n_mentors
    weight = big + score.astype(np.int64)
    matched = np.zeros(n_requests, dtype=bool)
    matched[request_index[used]] = True
    taken = np.bincount(mentor_index[used], minlength=n_mentors)
    requests, mentors = np.arange(n_requests), n_requests + np.arange(n_mentors)
    tails, heads, costs = (
        np.concatenate(column)
        for column in zip(
            (request_index[~used], n_requests + mentor_index[~used], -weight[~used]),  # unused pair
            (n_requests + mentor_index[used], request_index[used], weight[used]),  # used pair, undone
            _sink_arcs(requests[matched], sink, into_sink=True),  # matched request could go unmatched
            _sink_arcs(requests[~matched], sink, into_sink=False),
            _sink_arcs(mentors[taken < problem.free_places], sink, into_sink=True),  # place left
            _sink_arcs(mentors[taken > 0], sink, into_sink=False),
            strict=True,
        )
    )
    by_tail = np.argsort(tails, kind="stable")
    tails, heads, costs = tails[by_tail], heads[by_tail], costs[by_tail]
    starts = np.flatnonzero(np.r_[True, tails[1:] != tails[:-1]])
    nodes = tails[starts]
    distance = np.zeros(sink + 1, dtype=np.int64)
    for _ in range(sink + 2):
        relaxed = distance.copy()
        relaxed[nodes] = np.minimum(distance[nodes], np.minimum.reduceat(distance[heads] + costs, starts))
        if np.array_equal(relaxed, distance):
            return distance
        distance = relaxed
    raise RuntimeError("negative cycle: the flow was not optimal")


def _sink_arcs(nodes: np.ndarray, sink: int, *, into_sink: bool) -> _Pairs:
    """Zero-cost residual arcs between `nodes` and the sink, as (tails, heads, costs)."""
    other = np.full(len(nodes), sink)
    zero = np.zeros(len(nodes), dtype=np.int64)
    return (nodes, other, zero) if into_sink else (other, nodes, zero)


# --- one school: vectorised scoring and candidate selection ------------------


class _School:
    """One school's requests (by grade, then age) and mentors (by grade, then
    id), both slices of the canonical orders starting at r0 and m0, encoded
    as bitsets, with the int8 score of every pair of each grade block."""

    def __init__(
        self,
        reqs: Sequence[RequestInput],
        r0: int,
        ments: Sequence[MentorInput],
        m0: int,
        weights: Weights,
        window: GradeWindow,
    ) -> None:
        self.r0, self.m0 = r0, m0
        self.window = window
        self.free_places = np.array([m.free_places for m in ments], dtype=np.int64)
        self.r_grade = np.array([r.grade for r in reqs], dtype=np.int64)
        self.m_grade = np.array([m.grade for m in ments], dtype=np.int64)
        self.r_interests, self.m_interests = _shared_bitsets([r.interests for r in reqs], [m.interests for m in ments])
        self.r_topics, self.m_topics = _shared_bitsets([r.topics for r in reqs], [m.topics for m in ments])
        self.r_slots, self.m_slots = _shared_bitsets([r.availability for r in reqs], [m.availability for m in ments])
        self._encode_languages(reqs, ments)
        self._encode_genders(reqs, ments)
        self._encode_exclusions(reqs, ments)
        self._build_table(reqs, weights)
        self.blocks = [(rows, cols, self._score_in_chunks(rows, cols)) for rows, cols in self._grade_blocks()]
        self.n_eligible_pairs = sum(int(np.count_nonzero(block >= 0)) for _, _, block in self.blocks)

    # encoding

    def _encode_languages(self, reqs: Sequence[RequestInput], ments: Sequence[MentorInput]) -> None:
        # A sentinel language every mentor speaks marks the requests whose
        # language part every mentor meets: no language data, a language all
        # mentors speak, or a hard preference (eligibility enforces that one).
        always = frozenset({"\0always"})
        spoken_by_all = frozenset.intersection(*(m.languages for m in ments)) if ments else frozenset()
        preferred = [frozenset({r.language}) for r in reqs if r.language is not None]
        vocab = _vocabulary([m.languages for m in ments], [r.languages for r in reqs], preferred, [always])
        soft = [
            always if r.language is not None or not r.languages or r.languages & spoken_by_all else r.languages
            for r in reqs
        ]
        self.language_varies = any(languages is not always for languages in soft)
        self.r_languages = _bitsets(soft, vocab)
        self.m_languages = _bitsets([m.languages | always for m in ments], vocab)
        self.pref_rows = np.array([i for i, r in enumerate(reqs) if r.language is not None], dtype=np.int64)
        self.pref_bits = _bitsets(preferred, vocab)

    def _encode_genders(self, reqs: Sequence[RequestInput], ments: Sequence[MentorInput]) -> None:
        codes: dict[str, int] = {}

        def code(gender: str | None) -> int:
            # Unknown is 0 for mentors and -1 for requests, so it never matches.
            return codes.setdefault(gender, len(codes) + 1) if gender is not None else 0

        self.m_gender = np.array([code(m.gender) for m in ments], dtype=np.int64)
        self.same_gender_rows = np.array([i for i, r in enumerate(reqs) if r.same_gender], dtype=np.int64)
        self.same_gender_codes = np.array([code(reqs[i].gender) or -1 for i in self.same_gender_rows], dtype=np.int64)

    def _encode_exclusions(self, reqs: Sequence[RequestInput], ments: Sequence[MentorInput]) -> None:
        """Excluded mentors and the student's own mentor record, as sorted (row, col) pairs."""
        col_of_mentor = {m.mentor_id: j for j, m in enumerate(ments)}
        cols_of_student: dict[int, list[int]] = {}
        for j, m in enumerate(ments):
            cols_of_student.setdefault(m.student_id, []).append(j)
        pairs = sorted(
            {
                (i, j)
                for i, r in enumerate(reqs)
                for j in [col_of_mentor[x] for x in r.excluded_mentor_ids if x in col_of_mentor]
                + cols_of_student.get(r.student_id, [])
            }
        )
        self.excluded = np.array(pairs, dtype=np.int64).reshape(-1, 2)

    def _build_table(self, reqs: Sequence[RequestInput], weights: Weights) -> None:
        """score = table[request class, grade gap, code of the pair's counts].

        A class is (topics asked, slots asked), a gap counts from the window's
        min_gap, code = ((interests*T + topics)*S + slots)*2 + language.
        """
        asked = [(len(r.topics), len(r.availability)) for r in reqs]
        classes = sorted(set(asked))
        class_of = {c: i for i, c in enumerate(classes)}
        self.n_topics = max((t for t, _ in classes), default=0) + 1
        self.n_slots = max((s for _, s in classes), default=0) + 1
        n_codes = (INTEREST_CAP + 1) * self.n_topics * self.n_slots * 2
        self.code_dtype = np.uint8 if n_codes <= 256 else np.uint32
        n_gaps = self.window.max_gap - self.window.min_gap + 1
        # The code's digits as axes; -1 where a count cannot be reached (more than was asked).
        table = np.full((len(classes), n_gaps, INTEREST_CAP + 1, self.n_topics, self.n_slots, 2), -1, dtype=np.int8)
        max_points = weights.max_points()
        for c, (topics_asked, slots_asked) in enumerate(classes):
            for g in range(n_gaps):
                table[c, g, :, : topics_asked + 1, : slots_asked + 1] = _count_scores(
                    max_points, self.window.min_gap + g, topics_asked, slots_asked)
        self.table = table.ravel()
        self.n_codes = n_codes
        self.row_offset = np.array([class_of[a] * n_gaps * n_codes for a in asked], dtype=np.int64)

    # scoring

    def _grade_blocks(self) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        """(rows, cols) of every request grade and mentor grade the window allows."""
        for grade, rows in _runs(self.r_grade):
            for mentor_grade, cols in _runs(self.m_grade):
                if self.window.allows(mentor_grade - grade):
                    yield rows, cols

    def _score_in_chunks(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        block = np.empty((len(rows), len(cols)), dtype=np.int8)
        step = max(1, _CHUNK_PAIRS // len(cols))
        for start in range(0, len(rows), step):
            block[start : start + step] = self._score(rows[start : start + step], cols)
        return block

    def _score(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """int8 scores of rows x cols (sorted; each side of one grade, a gap
        the window allows), -1 where a hard constraint fails."""
        interests = _shared_counts(self.r_interests[:, rows], self.m_interests[:, cols])
        np.minimum(interests, INTEREST_CAP, out=interests)
        code = np.multiply(interests, self.n_topics * self.n_slots * 2, dtype=self.code_dtype)
        if self.n_topics > 1:
            topics = _shared_counts(self.r_topics[:, rows], self.m_topics[:, cols])
            code += np.multiply(topics, self.n_slots * 2, dtype=self.code_dtype)
        if self.n_slots > 1:
            slots = _shared_counts(self.r_slots[:, rows], self.m_slots[:, cols])
            code += np.multiply(slots, 2, dtype=self.code_dtype)
        if self.language_varies:
            code += _shared_counts(self.r_languages[:, rows], self.m_languages[:, cols]) > 0
        else:
            code += 1
        index = np.add(code, self.row_offset[rows, None] + self._gap_offset(rows[0], cols[0]), dtype=np.int64)
        block = self.table.take(index)
        self._apply_hard_constraints(block, rows, cols)
        return block

    def _gap_offset(self, row: int, col: int) -> int:
        return int(self.m_grade[col] - self.r_grade[row] - self.window.min_gap) * self.n_codes

    def _apply_hard_constraints(self, block: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
        at, which = _positions(rows, self.same_gender_rows)
        if len(at):
            wrong = self.m_gender[cols][None, :] != self.same_gender_codes[which][:, None]
            block[at] = np.where(wrong, -1, block[at])
        at, which = _positions(rows, self.pref_rows)
        if len(at):
            spoken = _shared_counts(self.pref_bits[:, which], self.m_languages[:, cols]) > 0
            block[at] = np.where(spoken, block[at], -1)
        row_at, row_ok = _lookup(rows, self.excluded[:, 0])
        col_at, col_ok = _lookup(cols, self.excluded[:, 1])
        both = row_ok & col_ok
        block[row_at[both], col_at[both]] = -1

    # pair selection (global indexes out)

    def candidate_pairs(self, top_k: int | None) -> _Pairs:
        if top_k is None:
            return self._select(lambda rows, cols, block: np.nonzero(block >= 0))
        pressure = self._pressure(top_k)
        return self._select(
            lambda rows, cols, block: _best_pairs(block, pressure[cols], COVERAGE * self.free_places[cols], top_k)
        )

    def _pressure(self, top_k: int) -> np.ndarray:
        """How contested each mentor is, as a rank scaled to 0..255: how many
        requests list it among their top_k, per free place."""
        listed = np.zeros(len(self.m_grade), dtype=np.int64)
        for _, cols, block in self.blocks:
            listed += np.bincount(cols[_top_per_row(block, top_k)[1]], minlength=len(listed))
        order = np.argsort(listed / self.free_places, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return (rank * 256 // max(1, len(order))).astype(np.uint8)

    def free_eligible_pairs(self, unmatched: np.ndarray, has_place: np.ndarray) -> _Pairs:
        """Eligible pairs of an unmatched request and a mentor with a place left (global masks)."""
        unmatched = unmatched[self.r0 : self.r0 + len(self.r_grade)]
        has_place = has_place[self.m0 : self.m0 + len(self.m_grade)]

        def pick(rows: np.ndarray, cols: np.ndarray, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            i, j = np.flatnonzero(unmatched[rows]), np.flatnonzero(has_place[cols])
            found_i, found_j = np.nonzero(block[np.ix_(i, j)] >= 0)
            return i[found_i], j[found_j]

        return self._select(pick)

    def reach(self, frontier: np.ndarray, reached: np.ndarray, new: np.ndarray) -> _Pairs:
        """One layer of `_Problem.augmenting_pairs` (global arrays, updated):
        the mentors not reached yet that an eligible pair joins to a frontier
        request, and each one's LAYER_PAIRS best such pairs."""
        found = []
        for rows, cols, block in self.blocks:
            i = np.flatnonzero(frontier[rows + self.r0])
            j = np.flatnonzero(~reached[cols + self.m0])
            if not len(i) or not len(j):
                continue
            scores = block[np.ix_(i, j)].astype(np.int16)
            hit = np.flatnonzero((scores >= 0).any(axis=0))
            scores, j = scores[:, hit], j[hit]
            every = np.arange(len(j))
            for _ in range(min(LAYER_PAIRS, len(i))):
                best = scores.argmax(axis=0)
                score = scores[best, every]
                eligible = score >= 0
                found.append(
                    (rows[i[best[eligible]]] + self.r0, cols[j[eligible]] + self.m0, score[eligible].astype(np.int8))
                )
                scores[best, every] = -1
            reached[cols[j] + self.m0] = True
            new[cols[j] + self.m0] = True
        return _concat(found)

    def pairs_below(self, to_request: np.ndarray, to_mentor: np.ndarray, big: int, limit: int) -> _Pairs:
        """Eligible pairs whose reduced cost -(big + score) + d(mentor) - d(request) is below `limit`."""
        row_bound = to_request[self.r0 : self.r0 + len(self.r_grade)] + (big + limit)
        col_bound = to_mentor[self.m0 : self.m0 + len(self.m_grade)]
        return self._select(
            lambda rows, cols, block: np.nonzero((block >= 0) & (block > col_bound[None, cols] - row_bound[rows, None]))
        )

    def _select(self, pick: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> _Pairs:
        found = []
        for rows, cols, block in self.blocks:
            i, j = pick(rows, cols, block)
            found.append((rows[i] + self.r0, cols[j] + self.m0, block[i, j]))
        return _concat(found)


def _best_pairs(
    block: np.ndarray, pressure: np.ndarray, wanted: np.ndarray, top_k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's top_k eligible columns, equal scores going to the less
    contested mentor, plus each column's `wanted` best rows where the rows'
    choices leave it short. Sorted, no duplicates."""
    n_cols = block.shape[1]
    rows, cols = _top_per_row(block, top_k, pressure)
    # The chosen cells as row-major positions: sorting a few per row is cheaper than a mask of the block.
    chosen = [rows * n_cols + cols]
    short = np.flatnonzero(np.bincount(cols, minlength=n_cols) < wanted)
    for depth in np.unique(wanted[short]).tolist():
        group = short[wanted[short] == depth]
        cols, rows = _top_per_row(np.ascontiguousarray(block[:, group].T), depth)
        chosen.append(rows * n_cols + group[cols])
    return np.divmod(np.unique(np.concatenate(chosen)), n_cols)


def _top_per_row(block: np.ndarray, k: int, tie_break: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of each row's k best eligible columns, by k argmin passes
    (much cheaper than sorting for a small k).

    Equal scores go to the column with the lower `tie_break` (uint8 per
    column); without one, to a column order rotated by row, so that rows do
    not all pick the same tied column."""
    n_rows, n_cols = block.shape
    low_col_bits = np.arange(n_cols, dtype=np.uint8)  # wraps: only the low 8 bits rotate
    found_rows, found_cols = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    step = max(1, _CHUNK_PAIRS // n_cols)
    for start in range(0, n_rows, step):
        part = block[start : start + step]
        key = np.subtract(100, part, dtype=np.int16)  # smaller is better; ineligible is 101
        key <<= 8
        if tie_break is None:
            rotation = (np.arange(start, start + len(part)) * _ROTATION_STRIDE).astype(np.uint8)
            key |= np.add(low_col_bits[None, :], rotation[:, None], dtype=np.uint8)
        else:
            key |= tie_break[None, :]
        rows = np.arange(len(part))
        for _ in range(min(k, n_cols)):
            best = key.argmin(axis=1)
            eligible = key[rows, best] < _INELIGIBLE_KEY
            found_rows.append(rows[eligible] + start)
            found_cols.append(best[eligible])
            key[rows, best] = _TAKEN_KEY
    return np.concatenate(found_rows), np.concatenate(found_cols)


# --- helpers -----------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _count_scores(max_points: tuple[float, ...], gap: int, topics_asked: int, slots_asked: int) -> np.ndarray:
    """`score_from_counts` for every count a request asking this many topics and times can share
    with a mentor at this grade gap, by (interests, topics, slots, language). Kept: a district's
    schools, and each batch, ask the same few."""
    scores = np.empty((INTEREST_CAP + 1, topics_asked + 1, slots_asked + 1, 2), dtype=np.int8)
    for interests, topics, slots, language in np.ndindex(scores.shape):
        scores[interests, topics, slots, language] = score_from_counts(
            max_points, gap, interests, topics_asked, topics, bool(language), slots_asked, slots)
    scores.flags.writeable = False
    return scores


def _age_bonus(requests: Sequence[RequestInput]) -> np.ndarray:
    """Distinct bonuses n-1 (oldest) .. 0 (newest), indexed like `requests`."""
    by_age = sorted(range(len(requests)), key=lambda i: (requests[i].created_order, requests[i].request_id))
    bonus = np.empty(len(requests), dtype=np.int64)
    bonus[by_age] = np.arange(len(requests) - 1, -1, -1)
    return bonus


def _require_unique(kind: str, ids: list[int]) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate {kind} ids")


def _ranges(items: Sequence, key: Callable) -> dict:
    """Start and end of each run of equal keys in a sorted sequence."""
    ranges, start = {}, 0
    for value, run in groupby(items, key=key):
        end = start + sum(1 for _ in run)
        ranges[value] = (start, end)
        start = end
    return ranges


def _runs(sorted_values: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Each distinct value of a sorted array and the indexes holding it."""
    values, starts = np.unique(sorted_values, return_index=True)
    ends = np.append(starts[1:], len(sorted_values))
    return [(int(v), np.arange(a, b)) for v, a, b in zip(values, starts, ends, strict=True)]


def _vocabulary(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    names = sorted({name for group in groups for names in group for name in names})
    return {name: i for i, name in enumerate(names)}


def _shared_bitsets(
    request_sets: Sequence[frozenset[str]], mentor_sets: Sequence[frozenset[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Bitsets over the names both sides use (others can never be shared)."""
    both = {n for s in request_sets for n in s} & {n for s in mentor_sets for n in s}
    vocab = {name: i for i, name in enumerate(sorted(both))}
    return _bitsets(request_sets, vocab), _bitsets(mentor_sets, vocab)


def _bitsets(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    """Bitsets of shape (words, len(sets)), in the narrowest unsigned type
    that holds the vocabulary; names outside `vocab` are ignored."""
    bits = next((b for b in (8, 16, 32) if len(vocab) <= b), 64)
    dtype = np.dtype(f"uint{bits}")
    words = np.zeros((max(1, -(-len(vocab) // bits)), len(sets)), dtype=dtype)
    owner = [i for i, names in enumerate(sets) for name in names if name in vocab]
    index = np.array([vocab[name] for names in sets for name in names if name in vocab], dtype=np.int64)
    bit = np.left_shift(dtype.type(1), (index % bits).astype(dtype))
    np.bitwise_or.at(words, (index // bits, np.array(owner, dtype=np.int64)), bit)
    return words


def _shared_counts(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """uint8 popcount of rows[:, i] & cols[:, j] for every (i, j)."""
    counts = np.bitwise_count(rows[0][:, None] & cols[0][None, :])
    for w in range(1, len(rows)):
        counts += np.bitwise_count(rows[w][:, None] & cols[w][None, :])
    return counts


def _positions(sorted_ids: np.ndarray, subset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where members of `subset` sit in `sorted_ids`, and which members they are."""
    at, found = _lookup(sorted_ids, subset)
    return at[found], np.flatnonzero(found)


def _lookup(sorted_ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each value in `sorted_ids` and whether it is there at all."""
    if not len(sorted_ids):
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return at, sorted_ids[at] == values


def _concat(parts: Sequence[_Pairs]) -> _Pairs:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.int8)
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))
