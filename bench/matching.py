"""Matching benchmark: solve_batch on synthetic schools against an exact optimum.

For each size it reports the wall time, CPU time and peak memory of
`solve_batch` (each in a fresh process, see bench.common; on a shared machine
the wall time also counts waiting for the core, the CPU time does not), the
matched count and total score, and the exact optimum from an independent
solver over every eligible pair (no top-K, no pricing, no repair), run in the
same benchmark:

* "lsa": mentors expanded into one column per free place, the dense matrix
  solved by scipy.optimize.linear_sum_assignment with cost -(BIG + score)
  (BIG makes one more match worth more than any score), while the matrix has
  at most EXACT_MAX_CELLS cells;
* "flow": otherwise, OR-Tools' min-cost max-flow on the full sparse graph,
  while its estimated memory fits in half of the available memory;
* null when neither fits.

optimum_fraction is score / optimum_score (0 if fewer students were matched);
valid says that every assigned pair is eligible, no request is assigned twice
and no mentor gets more students than free places (checked pair by pair with
`scoring.is_eligible`, outside the timed call).

Cases: the plain family at four sizes; a "blocked" family (a regular pattern
of blocked pairs and many students who require a language; beyond the pricing
size, so the matched count rests on the augmenting-path search's proof); and
a district of 50 schools of 400 requests x 160 mentors, solved one batch per
school, whose row gives the total time and the sums.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from scipy.optimize import linear_sum_assignment

from bench.common import measure
from schoolpeers.matching.scoring import GradeWindow, MentorInput, RequestInput, Weights, is_eligible
from schoolpeers.matching.solver import candidate_pairs, solve_batch

R = TypeVar("R")

SIZES = [(100, 40), (1_000, 400), (5_000, 2_000), (20_000, 8_000)]
BLOCKED_SIZE = (9_000, 3_500)
DISTRICT_SCHOOLS, DISTRICT_SIZE = 50, (400, 160)
SEED = 20240601
#: In the blocked family, request i and mentor j are blocked when (i + j) % BLOCK_EVERY == 0.
BLOCK_EVERY = 97
#: Largest dense requests x mentor-places matrix the exact solver may build (8 bytes a cell).
EXACT_MAX_CELLS = 25_000_000
#: Peak memory of the full-graph exact flow per eligible pair (measured: ~6 GB for 66M pairs).
FLOW_BYTES_PER_PAIR = 100

INTERESTS = (
    "art", "baking", "basketball", "board games", "chess", "coding", "cooking", "cycling",
    "dance", "drawing", "drama", "fashion", "film", "football", "gaming", "gardening",
    "history", "maths", "music", "nature", "photography", "reading", "robotics", "science",
    "skateboarding", "swimming", "tennis", "travel", "volunteering", "writing",
)  # fmt: skip
TOPICS = (
    "bullying", "exam stress", "family changes", "friendships",
    "homework planning", "motivation", "screen time", "settling in",
)  # fmt: skip
SLOTS = tuple(f"{day} {period}" for day in ("Mon", "Tue", "Wed", "Thu", "Fri") for period in ("lunch", "after school"))
OTHER_LANGUAGES = ("Arabic", "Polish", "Spanish", "Ukrainian")


def synthetic_school(
    n_requests: int, n_mentors: int, seed: int = SEED, *, blocked: bool = False
) -> tuple[list[RequestInput], list[MentorInput]]:
    """A seeded school: grades 6-12, capacities 1-3, 30 interests (3-6 each),
    8 topics, 10 time slots, a few language, same-gender and exclusion rules.
    `blocked`: every 97th pair blocked and most multilingual students requiring
    their other language."""
    rng = random.Random(seed)
    mentors = [
        MentorInput(
            mentor_id=i + 1,
            student_id=i + 1,
            school_id=1,
            grade=rng.randint(6, 12),
            capacity=rng.randint(1, 3),
            gender=_gender(rng),
            languages=_languages(rng),
            interests=_sample(rng, INTERESTS, 3, 6),
            topics=_sample(rng, TOPICS, 2, 5),
            availability=_sample(rng, SLOTS, 2, 6),
        )
        for i in range(n_mentors)
    ]
    ages = rng.sample(range(n_requests), n_requests)
    requests = [_request(rng, i, ages[i], mentors, blocked) for i in range(n_requests)]
    return requests, mentors


def _request(rng: random.Random, i: int, age: int, mentors: list[MentorInput], blocked: bool) -> RequestInput:
    # About 1% of requests come from mentors themselves (they may not mentor themselves).
    own = rng.choice(mentors) if rng.random() < 0.01 else None
    languages = _languages(rng)
    others = sorted(languages - {"English"})
    return RequestInput(
        request_id=i + 1,
        student_id=own.student_id if own else len(mentors) + i + 1,
        school_id=1,
        grade=own.grade if own else rng.randint(6, 12),
        created_order=age,
        gender=_gender(rng),
        languages=languages,
        interests=_sample(rng, INTERESTS, 3, 6),
        topics=_sample(rng, TOPICS, 0, 2),
        availability=_sample(rng, SLOTS, 0, 3),
        language=others[0] if others and rng.random() < (0.8 if blocked else 0.2) else None,
        same_gender=rng.random() < 0.1,
        excluded_mentor_ids=frozenset(
            rng.choice(mentors).mentor_id for _ in range(rng.randint(1, 2) if rng.random() < 0.02 else 0)
        )
        | (_blocked_pattern(i + 1, len(mentors)) if blocked else frozenset()),
    )


def _blocked_pattern(request_id: int, n_mentors: int) -> frozenset[int]:
    """The mentor ids j with (request_id + j) % BLOCK_EVERY == 0."""
    return frozenset(range(BLOCK_EVERY - request_id % BLOCK_EVERY, n_mentors + 1, BLOCK_EVERY))


def _gender(rng: random.Random) -> str | None:
    return None if rng.random() < 0.05 else rng.choice(("f", "m"))


def _languages(rng: random.Random) -> frozenset[str]:
    return frozenset({"English", rng.choice(OTHER_LANGUAGES)} if rng.random() < 0.15 else {"English"})


def _sample(rng: random.Random, names: tuple[str, ...], low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(names, rng.randint(low, high)))


def solve_pairs(school: tuple[list[RequestInput], list[MentorInput]]) -> list[tuple[int, int, int]]:
    """(request id, mentor id, score) of each assignment of solve_batch."""
    return [(a.request_id, a.mentor_id, a.score) for a in solve_batch(*school)]


def solve_district(schools: list[tuple[list[RequestInput], list[MentorInput]]]) -> list[tuple[int, int, int]]:
    """One batch per school, as each school's counselor runs it."""
    return [pair for school in schools for pair in solve_pairs(school)]


def with_cpu_time(solve: Callable[[R], list], data: R) -> tuple[list, float]:
    """solve(data) and the CPU seconds it took."""
    start = time.process_time()
    result = solve(data)
    return result, time.process_time() - start


def synthetic_district(n_schools: int, n_requests: int, n_mentors: int) -> list[tuple[list, list]]:
    """Schools of one size, each with its own seed, school id and id range."""
    schools = []
    for k in range(n_schools):
        offset = k * 100_000
        requests, mentors = synthetic_school(n_requests, n_mentors, seed=SEED + k)
        requests = [
            replace(r, request_id=r.request_id + offset, student_id=r.student_id + offset, school_id=k + 1,
                    excluded_mentor_ids=frozenset(x + offset for x in r.excluded_mentor_ids))
            for r in requests
        ]  # fmt: skip
        mentors = [
            replace(m, mentor_id=m.mentor_id + offset, student_id=m.student_id + offset, school_id=k + 1)
            for m in mentors
        ]
        schools.append((requests, mentors))
    return schools


def is_valid(school: tuple[list[RequestInput], list[MentorInput]], pairs: list[tuple[int, int, int]]) -> bool:
    """Every pair eligible, each request at most once, no mentor over its free places."""
    requests = {r.request_id: r for r in school[0]}
    mentors = {m.mentor_id: m for m in school[1]}
    taken = Counter(mentor_id for _, mentor_id, _ in pairs)
    return (
        len({request_id for request_id, _, _ in pairs}) == len(pairs)
        and all(is_eligible(requests[r], mentors[m]) for r, m, _ in pairs)
        and all(taken[m] <= mentors[m].free_places for m in taken)
    )


def exact_optimum_lsa(school: tuple[list[RequestInput], list[MentorInput]]) -> tuple[int, int]:
    """(matched, total score) of the optimum over every eligible pair, by dense assignment."""
    pairs = candidate_pairs(*school, Weights(), GradeWindow(), top_k=None)
    places = np.array([m.free_places for m in pairs.mentors])
    first_place = np.concatenate([[0], np.cumsum(places)[:-1]])
    big = 100 * min(len(pairs.requests), int(places.sum())) + 1
    cost = np.zeros((len(pairs.requests), int(places.sum())))
    for place in range(int(places.max(initial=0))):
        has = places[pairs.mentor_index] > place
        cost[pairs.request_index[has], first_place[pairs.mentor_index[has]] + place] = -(
            big + pairs.score[has].astype(np.int64)
        )
    rows, cols = linear_sum_assignment(cost)
    chosen = -cost[rows, cols]
    chosen = chosen[chosen > 0]
    return len(chosen), int((chosen - big).sum())


def exact_optimum_flow(school: tuple[list[RequestInput], list[MentorInput]]) -> tuple[int, int]:
    """(matched, total score) of the optimum over every eligible pair, by min-cost max-flow."""
    pairs = candidate_pairs(*school, Weights(), GradeWindow(), top_k=None)
    n_requests = len(pairs.requests)
    places = np.array([m.free_places for m in pairs.mentors], dtype=np.int64)
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        pairs.request_index.astype(np.int32),
        (n_requests + pairs.mentor_index).astype(np.int32),
        np.ones(len(pairs.score), dtype=np.int64),
        -pairs.score.astype(np.int64),
    )
    del pairs  # the graph holds its own copy
    supplies = np.concatenate([np.ones(n_requests, dtype=np.int64), -places])
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    if flow.solve_max_flow_with_min_cost() != SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError("exact flow failed")
    return flow.maximum_flow(), -flow.optimal_cost()


def _exact_method(n_requests: int, n_mentors: int) -> Callable | None:
    places = 2 * n_mentors  # capacities 1-3
    if n_requests * places <= EXACT_MAX_CELLS:
        return exact_optimum_lsa
    eligible_pairs = n_requests * n_mentors * 22 / 49  # grade windows 0..+3 over grades 6-12
    if eligible_pairs * FLOW_BYTES_PER_PAIR <= _available_bytes() / 2:
        return exact_optimum_flow
    return None


def _available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def exact_optimum_district(schools: list[tuple[list[RequestInput], list[MentorInput]]]) -> tuple[int, int]:
    """The sum of each school's exact optimum (schools never share mentors)."""
    optima = [exact_optimum_lsa(school) for school in schools]
    return sum(matched for matched, _ in optima), sum(score for _, score in optima)


def _cases() -> list[tuple[str, Callable, Callable | None]]:
    """(name, input builder, exact solver or None) of each case."""
    cases = [(f"{n}x{m}", partial(synthetic_school, n, m), _exact_method(n, m)) for n, m in SIZES]
    n, m = BLOCKED_SIZE
    cases.append((f"{n}x{m} blocked", partial(synthetic_school, n, m, blocked=True), _exact_method(n, m)))
    n, m = DISTRICT_SIZE
    district = partial(synthetic_district, DISTRICT_SCHOOLS, n, m)
    cases.append((f"district {DISTRICT_SCHOOLS}x({n}x{m})", district, exact_optimum_district))
    return cases


def run() -> list[dict]:
    rows = []
    for name, prepare, exact in _cases():
        district = name.startswith("district")
        solve = partial(with_cpu_time, solve_district if district else solve_pairs)
        (pairs, cpu_s), wall_s, peak_mb = measure(solve, prepare)
        built = prepare()
        if district:  # one list of everyone: eligibility also checks that both are at one school
            built = ([r for school in built for r in school[0]], [m for school in built for m in school[1]])
        valid = is_valid(built, pairs)
        matched, score = len(pairs), sum(score for _, _, score in pairs)
        row = {"case": name, "wall_s": round(wall_s, 3), "cpu_s": round(cpu_s, 3), "peak_mb": round(peak_mb, 1),
               "matched": matched, "score": score, "valid": valid, "optimum_matched": None,
               "optimum_score": None, "optimum_fraction": None, "exact_method": None,
               "exact_wall_s": None}  # fmt: skip
        if exact is not None:
            (best_matched, best_score), exact_s, _ = measure(exact, prepare)
            row |= {"optimum_matched": best_matched, "optimum_score": best_score,
                    "optimum_fraction": round(score / best_score, 6) if matched == best_matched else 0.0,
                    "exact_method": exact.__name__.removeprefix("exact_optimum_"),
                    "exact_wall_s": round(exact_s, 1)}  # fmt: skip
        print(row, flush=True)
        rows.append(row)
    return rows
