"""Which groups of students a report may show, when groups overlap in any way (pure core).

Reports beyond the lattice (`privacy`) publish figures of groups that are not a neat grid: the
outcomes report's goal areas overlap its grade bands, a circle's topic overlaps its students' bands.
`protect_groups` is the one protection decision for such a table, with k the school's minimum
group size (at least 5), the reports' rules carried over to groups that overlap:
1. A group is shown only when it counts at least k distinct students.
2. No combination of shown groups gives away fewer than k students. "The total less one area" or
   "an area less a band" could isolate a student who is in one group but not the other. So the
   decision is made jointly over every group of a table: students with the same membership of the
   shown groups form a class, and every sum a reader can work out from the shown groups (adding
   and subtracting them in any way) is a sum over whole classes. No sum over classes counting 1 to
   k-1 students may be one of those; while one is, the shown group whose hiding mends most (from
   the highest tier that is part of the problem, the one counting fewest students first) is hidden
   too. A single hidden band is so never left to be worked out as the total less the other bands.
   A hidden group that the shown ones give exactly, and that counts k or more, is shown: it tells
   nothing more.
3. A group's members may be a student's part in something rather than the student (a student in a
   circle, an answer in a mood round): `person` then says whom a member counts, and a group or a
   sum counts its distinct people. A sum of parts can so never stand for fewer than k students,
   however many parts each of them has.

Hiding more groups than the decision does is always as safe: what fewer shown groups give a reader
is a part of what more gave. So two decisions over the same table (say, one over students and one
over their answers) may be combined by showing only what both show.

`published_count` is the count a shown group publishes: with the reports' cell-key noise
(`perturbation`: the same set of students always the same noise, never below k).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from numbers import Integral

import numpy as np

from schoolpeers.reports.perturbation import KEY_SPACE, perturbed
from schoolpeers.reports.privacy import MIN_K


def protect_groups(groups: Sequence[frozenset], k: int = MIN_K, tiers: Sequence[int] | None = None, *,
                   person: Callable[[Hashable], Hashable] | None = None) -> list[bool]:
    """Which groups (sets of members, any overlap) may be shown: each counts at least k people, and
    no sum a reader can work out from the shown ones (any combination of them) covers 1 to k-1
    people. See the module docstring.

    `tiers` say what goes first when more must be hidden: the highest tier that is part of the
    problem first (goal areas before grade bands before the total, say), so the headline figures
    stay. Within a tier, the group whose hiding mends most, counting fewest people of equals.
    `person` maps a member to the person it counts; by default every member is a person."""
    if not isinstance(k, Integral) or isinstance(k, bool) or k < MIN_K:
        raise ValueError(f"k must be a whole number of students, at least {MIN_K}; got {k!r}")
    groups = [frozenset(g) for g in groups]
    tiers = list(tiers) if tiers is not None else [0] * len(groups)
    if len(tiers) != len(groups):
        raise ValueError("one tier per group")
    count = _counter(person)
    shown = [count(g) >= k for g in groups]
    while (exposed := _exposed(groups, shown, k, count)) > 0:
        shown[_next_to_hide(groups, shown, tiers, k, exposed, count)] = False
    members = list(set().union(*groups)) if groups else []
    for i, group in enumerate(groups):
        if not shown[i] and count(group) >= k and _derivable(groups, shown, group, members):
            shown[i] = True  # the shown groups give it exactly already: showing it tells nothing new
    return shown


def published_count(keys: Sequence[int], measure: str, k: int) -> int:
    """The count of these students as published: with the cell-key noise of their set, never below k."""
    cell_key = sum(int(key) for key in keys) % KEY_SPACE
    return int(perturbed(np.array([len(keys)]), np.array([cell_key], dtype=np.uint64), measure, floor=k)[0])


def _counter(person: Callable[[Hashable], Hashable] | None) -> Callable[[frozenset], int]:
    if person is None:
        return len
    return lambda members: len({person(m) for m in members})


def _next_to_hide(groups: list[frozenset], shown: list[bool], tiers: list[int], k: int, exposed: int,
                  count: Callable[[frozenset], int]) -> int:
    """The group to hide next: from the highest tier whose groups (with those of higher tiers)
    would mend anything if all were hidden, the one whose hiding alone mends most, the smallest of
    equals. Hiding every group mends everything, so some tier always qualifies."""
    for tier in sorted({tiers[i] for i, s in enumerate(shown) if s}, reverse=True):
        without = [s and tiers[i] < tier for i, s in enumerate(shown)]
        if _exposed(groups, without, k, count) >= exposed:
            continue  # these tiers are not what gives students away
        options = []
        for i in (i for i, s in enumerate(shown) if s and tiers[i] == tier):
            trial = shown.copy()
            trial[i] = False
            options.append((_exposed(groups, trial, k, count), count(groups[i]), i))
        return min(options)[2]
    raise AssertionError("hiding every group mends everything")


def _classes(groups: list[frozenset], shown: list[bool],
             count: Callable[[frozenset], int]) -> tuple[np.ndarray, np.ndarray]:
    """Shown groups × classes (members with the same membership of the shown groups), 0/1, and
    the people in each class. Members of no shown group are in no published figure: left out."""
    visible = [g for g, s in zip(groups, shown, strict=True) if s]
    signatures: dict[tuple[bool, ...], set] = {}
    for member in set().union(*visible) if visible else ():
        signatures.setdefault(tuple(member in g for g in visible), set()).add(member)
    if not signatures:
        return np.zeros((len(visible), 0)), np.zeros(0, dtype=int)
    keys = list(signatures)
    return np.array(keys, dtype=float).T, np.array([count(frozenset(signatures[s])) for s in keys])


def _exposed(groups: list[frozenset], shown: list[bool], k: int, count: Callable[[frozenset], int]) -> int:
    """How far the shown groups are from safe: 0 when no sum over classes counting 1 to k-1 people
    can be worked out from them. A sum over a set of classes can be worked out exactly when its
    indicator is orthogonal to the null space of the groups × classes matrix; a set counting fewer
    than k is made of small classes only (a class has no more people than a set holding it), and
    none of their null-space rows sum to zero while those rows are linearly independent. The count
    is how many of them are not."""
    matrix, sizes = _classes(groups, shown, count)
    small = np.flatnonzero(sizes < k)
    if not len(small):
        return 0
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:].T  # classes × dimensions of the null space
    if null.shape[1] == 0:
        return len(small)  # every class is given exactly
    return len(small) - int(np.linalg.matrix_rank(null[small], tol=1e-9))


def _derivable(groups: list[frozenset], shown: list[bool], group: frozenset, members: list) -> bool:
    """Whether the group's sum is a combination of the shown groups' sums."""
    visible = [g for g, s in zip(groups, shown, strict=True) if s]
    if not visible:
        return False
    rows = np.array([[m in g for m in members] for g in visible], dtype=float)
    target = np.array([[m in group for m in members]], dtype=float)
    return np.linalg.matrix_rank(np.vstack([rows, target])) == np.linalg.matrix_rank(rows)
