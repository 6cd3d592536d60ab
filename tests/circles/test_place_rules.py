"""The rules of a place in a circle, on plain statuses: each move from each status, and a circle driven by
any sequence of moves never holds more members than its capacity, never keeps anyone waiting while it has
room, and lets the waiting list in first come, first placed."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.circles.place_rules import (
    LIVE,
    Move,
    NotAllowed,
    has_room,
    may_start_again,
    next_status,
    to_promote,
)
from schoolpeers.circles.statuses import PlaceStatus as S


@pytest.mark.parametrize(("status", "move", "room", "expected"), [
    (None, Move.ASK, False, S.ASKED),
    (S.DECLINED, Move.ASK, False, S.ASKED),
    (S.LEFT, Move.INVITE, False, S.INVITED),
    (S.ASKED, Move.ACCEPT, True, S.MEMBER),
    (S.ASKED, Move.ACCEPT, False, S.WAITING),
    (S.INVITED, Move.ACCEPT, True, S.MEMBER),
    (S.INVITED, Move.REFUSE, True, S.DECLINED),
    (S.ASKED, Move.REFUSE, True, S.DECLINED),
    (S.MEMBER, Move.LEAVE, False, S.LEFT),
    (S.WAITING, Move.LEAVE, False, S.LEFT),
    (S.ASKED, Move.LEAVE, False, S.LEFT),
    (S.INVITED, Move.LEAVE, False, S.DECLINED),  # an unanswered invitation is a "no thanks"
    (S.MEMBER, Move.CLOSE, False, S.LEFT),
    (S.WAITING, Move.CLOSE, False, S.DECLINED),
    (S.INVITED, Move.CLOSE, False, S.DECLINED),
])
def test_each_move(status, move, room, expected):
    assert next_status(status, move, has_room=room) == expected


@pytest.mark.parametrize(("status", "move"), [
    (S.ASKED, Move.ASK), (S.MEMBER, Move.INVITE), (S.WAITING, Move.ASK),
    (S.MEMBER, Move.ACCEPT), (S.WAITING, Move.ACCEPT), (None, Move.REFUSE),
    (S.LEFT, Move.LEAVE), (S.DECLINED, Move.CLOSE), (None, Move.LEAVE),
])
def test_moves_that_do_not_apply_are_refused(status, move):
    with pytest.raises(NotAllowed):
        next_status(status, move, has_room=True)


def test_only_an_ended_place_starts_again():
    assert [s for s in (None, *S) if may_start_again(s)] == [None, S.DECLINED, S.LEFT]


@given(capacity=st.integers(0, 12), members=st.integers(0, 12), waiting=st.integers(0, 12))
def test_the_waiting_list_fills_exactly_the_free_places(capacity, members, waiting):
    moved = to_promote(capacity, members, waiting)
    assert 0 <= moved <= waiting
    assert members + moved <= max(capacity, members)
    assert moved == waiting or not has_room(capacity, members + moved)


class Circle:
    """A circle on plain data, driven only by the rules: the order of its waiting list is the order
    students were placed."""

    def __init__(self, capacity: int):
        self.capacity, self.status, self.placed, self.clock = capacity, {}, {}, 0

    def count(self, status):
        return sum(1 for s in self.status.values() if s == status)

    def apply(self, student: int, move: Move) -> None:
        self.clock += 1
        try:
            new = next_status(self.status.get(student), move, has_room=has_room(self.capacity, self.count(S.MEMBER)))
        except NotAllowed:
            return
        was, self.status[student] = self.status.get(student), new
        if new in (S.MEMBER, S.WAITING) and was not in (S.MEMBER, S.WAITING):
            self.placed[student] = self.clock
        if was == S.MEMBER:
            self.fill()

    def fill(self) -> None:
        waiting = sorted((self.placed[s], s) for s, status in self.status.items() if status == S.WAITING)
        for _, student in waiting[:to_promote(self.capacity, self.count(S.MEMBER), len(waiting))]:
            self.status[student] = S.MEMBER


MOVES = st.lists(st.tuples(st.integers(0, 7), st.sampled_from([Move.ASK, Move.INVITE, Move.ACCEPT, Move.REFUSE,
                                                                 Move.LEAVE])), max_size=60)


@given(capacity=st.integers(4, 6), moves=MOVES)
def test_any_sequence_keeps_the_circle_within_its_size_and_its_list_in_order(capacity, moves):
    circle = Circle(capacity)
    for student, move in moves:
        before = sorted((circle.placed[s], s) for s, status in circle.status.items() if status == S.WAITING)
        circle.apply(student, move)
        assert circle.count(S.MEMBER) <= capacity
        assert circle.count(S.WAITING) == 0 or circle.count(S.MEMBER) == capacity
        after = [s for _, s in sorted((circle.placed[s], s) for s, st_ in circle.status.items() if st_ == S.WAITING)]
        # Whoever left the list went in from its front, or left it themselves.
        still = [s for _, s in before if s in after]
        gone_in = [s for _, s in before if circle.status[s] == S.MEMBER]
        assert after[:len(still)] == still
        assert gone_in == [s for _, s in before][:len(gone_in)]
        assert all(status in LIVE or status in (S.DECLINED, S.LEFT) for status in circle.status.values())
