"""The circles report's tables and their protection (pure): no shown row counts fewer than k students,
hiding is all or nothing and the same in every table, and nothing hidden can be worked out from what
is shown, by students, by their parts in circles, or by the anonymous answers."""
from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from schoolpeers.circles.report_rules import (
    ALL_SESSIONS,
    MIXED_GRADES,
    OPEN_SESSIONS,
    Attendee,
    HeldSession,
    band_holding,
    band_of_grade,
    circle_tables,
)
from schoolpeers.reports.privacy import EMPTY, HIDDEN, CellStatus
from schoolpeers.reports.trends import DEFAULT_GRADE_BANDS
from tests.reports.test_groups import in_row_space, small_sets_derivable

K = 5
TOPICS = ["Exam stress", "Friendships", "Grief and change"]
BANDS = ["Grades 6–8", "Grades 9–10", "Grades 11–12"]
DAY = date(2025, 3, 3)


def attendee(student, band=BANDS[0], present=True):
    return Attendee(student=student, key=student * 7919, band=band, present=present)


def session(number, circle, topic, students, band=BANDS[0], *, absent=(), moods=(), feedback=(), student_band=None):
    return HeldSession(session=number, circle=circle, topic=topic, band=band, day=DAY + timedelta(days=number),
                       attendees=tuple(attendee(s, student_band or band, s not in absent) for s in students),
                       moods=tuple(moods), feedback=tuple(feedback))


def tables_of(sessions, k=K):
    return circle_tables(sessions, [*TOPICS, OPEN_SESSIONS], BANDS, k)


def by_label(rows):
    return {row.label: row for row in rows}


# --- worked examples -----------------------------------------------------------------------------


def a_year():
    """Exam stress: a circle of 7 (grades 6-8) meeting three times; Friendships: a circle of 3 and
    one of 6 (grades 9-10); an open session for everyone that the seven of Exam stress and six
    students of grades 11-12 came to."""
    sessions = [session(n, 1, "Exam stress", range(7), absent={n} if n < 2 else (),
                        moods=[(4, 5), (5, 2)], feedback=[("helped", 4), ("not_sure", 2)]) for n in range(3)]
    sessions += [session(10 + n, 2, "Friendships", range(20, 23), BANDS[1], moods=[(2, 3)],
                         feedback=[("didnt_help", 3)]) for n in range(2)]
    sessions += [session(20 + n, 3, "Friendships", range(30, 36), BANDS[1], moods=[(3, 6)],
                         feedback=[("helped", 6)]) for n in range(2)]
    open_session = session(40, None, OPEN_SESSIONS, range(40, 46), MIXED_GRADES, absent={45},
                           feedback=[("helped", 8), ("not_sure", 4)], student_band=BANDS[2])
    sessions.append(replace(open_session, attendees=(*(attendee(s) for s in range(7)), *open_session.attendees)))
    return sessions


def test_participation_by_topic_and_band_with_attendance_rates():
    tables = tables_of(a_year())
    topics = by_label(tables.by_topic)
    assert [row.label for row in tables.by_topic] == [ALL_SESSIONS, *TOPICS, OPEN_SESSIONS]
    exam = topics["Exam stress"]
    assert (exam.sessions, exam.status) == ("3", CellStatus.SHOWN)
    assert abs(int(exam.students) - 7) <= 2 and abs(int(exam.attendances) - 19) <= 2  # 21 less two absences
    assert exam.attendance_rate == "90%"  # five came to all 3, two to 2 of 3: (5 + 2 * 2/3) / 7
    assert topics["Friendships"].status == CellStatus.SHOWN  # nine students in two circles
    assert topics["Grief and change"] == type(exam)("Grief and change", "0", "0", "0", EMPTY, CellStatus.EMPTY)
    assert topics[OPEN_SESSIONS].sessions == "1" and topics[OPEN_SESSIONS].attendance_rate == "≥95%"
    assert tables.by_band[0] == tables.by_topic[0]  # one total, the same figures in both tables


def test_mood_and_feedback_by_topic_and_by_the_circles_band():
    tables = tables_of(a_year())
    topics = by_label(tables.feelings_by_topic)
    assert topics["Exam stress"].mood == "4.3"  # (5*4 + 2*5) / 7
    assert topics["Exam stress"].helped == "67%"  # 12 of 18
    assert topics[OPEN_SESSIONS].mood == EMPTY and topics[OPEN_SESSIONS].mood_status == CellStatus.EMPTY
    assert [row.label for row in tables.feelings_by_band] == [*BANDS, MIXED_GRADES]


def test_a_circle_of_fewer_than_k_is_never_shown_alone():
    small = [session(n, 9, "Grief and change", range(50, 53), BANDS[2]) for n in range(50, 53)]
    tables = tables_of([*a_year(), *small])
    assert by_label(tables.by_topic)["Grief and change"].students == HIDDEN
    assert by_label(tables.feelings_by_topic)["Grief and change"].mood == HIDDEN
    assert by_label(tables.feelings_by_band)[BANDS[2]].students == HIDDEN  # the band of that one circle
    assert by_label(tables.by_band)[BANDS[2]].students == HIDDEN
    # The total less the other topics would give it: another topic is hidden too.
    shown_topics = [row for row in tables.by_topic[1:] if row.status == CellStatus.SHOWN]
    assert tables.by_topic[0].status == CellStatus.SHOWN and len(shown_topics) < 3


def test_a_small_circle_inside_a_bigger_topic_is_not_left_to_subtraction():
    # Every student of the small circle is also in the big one: by students, the topic and the total
    # are the same seven; by the sessions, the total less the topic is the small circle.
    big = [session(n, 1, "Exam stress", range(7), moods=[(4, 7)]) for n in range(3)]
    small = [session(10 + n, 2, "Friendships", range(4), moods=[(1, 4)]) for n in range(3)]
    tables = tables_of([*big, *small])
    topics = by_label(tables.feelings_by_topic)
    assert HIDDEN in (topics["Exam stress"].mood, tables.feelings_by_topic[0].mood)
    assert topics["Friendships"].mood == HIDDEN


def test_feedback_that_nobody_or_few_gave_otherwise_is_hidden():
    everyone_helped = [session(n, 1, "Exam stress", range(8), feedback=[("helped", 8)]) for n in range(2)]
    one_did_not = [session(10 + n, 2, "Friendships", range(10, 18), BANDS[1],
                           feedback=[("helped", 7), ("didnt_help", 1)]) for n in range(1)]
    tables = tables_of([*everyone_helped, *one_did_not])
    topics = by_label(tables.feelings_by_topic)
    assert topics["Exam stress"].helped == "≥95%"  # all of them: shown as a range, tells no one apart
    assert topics["Friendships"].helped == HIDDEN  # one said otherwise
    nobody = tables_of([session(1, 1, "Exam stress", range(8), feedback=[("not_sure", 8)])])
    assert by_label(nobody.feelings_by_topic)["Exam stress"].helped == HIDDEN


def test_a_circle_band_and_a_students_band():
    assert band_holding(6, 8, DEFAULT_GRADE_BANDS) == "Grades 6–8"
    assert band_holding(7, 7, DEFAULT_GRADE_BANDS) == "Grades 6–8"
    assert band_holding(8, 9, DEFAULT_GRADE_BANDS) == MIXED_GRADES
    assert band_of_grade(10, DEFAULT_GRADE_BANDS) == "Grades 9–10"
    assert band_of_grade(None, DEFAULT_GRADE_BANDS) is None and band_of_grade(3, DEFAULT_GRADE_BANDS) is None


@pytest.mark.parametrize("bad", [
    [session(1, 1, "Exam stress", range(5)), session(1, 1, "Exam stress", range(5))],
    [HeldSession(1, 1, "Exam stress", BANDS[0], DAY, (attendee(1), attendee(1)))],
    [session(1, 1, "Exam stress", range(5), moods=[(6, 1)])],
    [session(1, 1, "Exam stress", range(5), feedback=[("loved_it", 1)])],
])
def test_rows_that_cannot_be_true_are_refused(bad):
    with pytest.raises(ValueError):
        tables_of(bad)


def test_k_below_five_is_refused():
    with pytest.raises(ValueError):
        tables_of(a_year(), k=4)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def years(draw, extra_small_circle=False):
    """A small school's year: up to four circles of up to ten students, and up to two open sessions."""
    students = list(range(draw(st.integers(0, 20))))
    band_of = {s: draw(st.sampled_from([*BANDS, None])) for s in students}
    sessions, number = [], 0

    def held(circle, topic, band, expected):
        nonlocal number
        number += 1
        came = draw(st.sets(st.sampled_from(expected), max_size=len(expected))) if expected else set()
        moods = draw(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 3)), max_size=3, unique_by=lambda m: m[0]))
        feedback = draw(st.lists(st.tuples(st.sampled_from(["helped", "not_sure", "didnt_help"]), st.integers(0, 3)),
                                 max_size=3, unique_by=lambda f: f[0]))
        return HeldSession(number, circle, topic, band, DAY + timedelta(days=number),
                           tuple(Attendee(s, s * 7919, band_of[s], s in came) for s in expected), tuple(moods),
                           tuple(feedback))

    for circle in range(draw(st.integers(0, 4))):
        members = sorted(draw(st.sets(st.sampled_from(students), max_size=10))) if students else []
        topic, band = draw(st.sampled_from(TOPICS[:2])), draw(st.sampled_from([*BANDS, MIXED_GRADES]))
        sessions += [held(circle, topic, band, members) for _ in range(draw(st.integers(1, 2)))]
    for _ in range(draw(st.integers(0, 2))):
        signed_up = sorted(draw(st.sets(st.sampled_from(students), max_size=10))) if students else []
        sessions.append(held(None, OPEN_SESSIONS, draw(st.sampled_from([*BANDS, MIXED_GRADES])), signed_up))
    if extra_small_circle:  # its own topic: a circle of 1 to k-1 students, all of whom come
        few = [100 + s for s in range(draw(st.integers(1, K - 1)))]
        band_of.update({s: BANDS[2] for s in few})
        sessions += [HeldSession(1000 + n, 99, TOPICS[2], MIXED_GRADES, DAY, tuple(Attendee(s, s, BANDS[2], True)
                                                                                   for s in few)) for n in range(2)]
    return sessions


def groups_of(sessions, topics=(*TOPICS, OPEN_SESSIONS), bands=BANDS):
    """What each row of every table counts, worked out here from the sessions: (students, their
    parts in circles, mood taps, feedback answers, those that said it helped), keyed like `published`."""
    def row(chosen, band=None):
        came = [(s, a) for s in chosen for a in s.attendees if a.present and (band is None or a.band == band)]
        def unit(s):
            return ("circle", s.circle) if s.circle is not None else ("open", s.session)

        def answers(kind, keep=lambda _: True):
            return frozenset((kind, s.session, answer, i) for s in chosen for answer, many in getattr(s, kind)
                             if keep(answer) for i in range(many))

        return (frozenset(a.student for _, a in came), frozenset((a.student, unit(s)) for s, a in came),
                answers("moods"), answers("feedback"), answers("feedback", lambda answer: answer == "helped"))

    return {
        "total": row(sessions),
        **{("topic", t): row([s for s in sessions if s.topic == t]) for t in topics},
        **{("band", b): row(sessions, b) for b in bands},
        **{("circle band", b): row([s for s in sessions if s.band == b]) for b in [*bands, MIXED_GRADES]},
    }


def published(tables):
    """The same keys as `groups_of`, each with its published participation row or feelings row."""
    return {
        "total": (tables.by_topic[0], tables.feelings_by_topic[0]),
        **{("topic", row.label): (row, feeling) for row, feeling in zip(tables.by_topic[1:],
                                                                         tables.feelings_by_topic[1:], strict=True)},
        **{("band", row.label): (row, None) for row in tables.by_band[1:]},
        **{("circle band", row.label): (None, row) for row in tables.feelings_by_band},
    }


@settings(max_examples=120, deadline=None)
@given(years(), st.integers(K, 6))
def test_no_shown_row_has_fewer_than_k_students(sessions, k):
    tables = tables_of(sessions, k)
    truth = groups_of(sessions)
    for key, rows in published(tables).items():
        for row in filter(None, rows):
            if row.status == CellStatus.SHOWN:
                assert len(truth[key][0]) >= k, key
            elif row.status == CellStatus.EMPTY:
                assert not truth[key][0], key


@settings(max_examples=120, deadline=None)
@given(years(), st.integers(K, 6))
def test_hiding_is_all_or_nothing_and_the_same_in_every_table(sessions, k):
    tables = tables_of(sessions, k)
    for participation, feeling in published(tables).values():
        if participation and participation.status == CellStatus.HIDDEN:
            assert {participation.students, participation.sessions, participation.attendances,
                    participation.attendance_rate} == {HIDDEN}
        if feeling and feeling.status != CellStatus.SHOWN:  # no mood or feedback on a row not shown
            assert feeling.mood_status == feeling.helped_status == feeling.status
        if participation and feeling:
            assert (participation.students, participation.status) == (feeling.students, feeling.status)
    assert tables.by_band[0] == tables.by_topic[0]


@settings(max_examples=80, deadline=None)
@given(years(extra_small_circle=True), st.integers(K, 6))
def test_whatever_else_the_year_holds_a_small_circle_never_makes_a_row_alone(sessions, k):
    tables = tables_of(sessions, k)
    assert by_label(tables.by_topic)[TOPICS[2]].students == HIDDEN
    assert by_label(tables.feelings_by_topic)[TOPICS[2]].mood == HIDDEN


@settings(max_examples=120, deadline=None)
@given(st.one_of(years(), years(extra_small_circle=True)), st.integers(K, 6))
def test_totals_less_what_is_shown_never_pin_a_hidden_row_below_k(sessions, k):
    tables = tables_of(sessions, k)
    assert_nothing_small_can_be_worked_out(tables, groups_of(sessions), k)
    assert bounds_a_reader_can_work_out(sessions, tables, [*TOPICS, OPEN_SESSIONS], BANDS, k) == []


def assert_nothing_small_can_be_worked_out(tables, truth, k):
    """An attacker's check of published tables against what their rows count (`groups_of`): no sum of
    shown rows covers 1 to k-1 students, by students, by their parts in circles, or by anonymous answers."""
    rows = published(tables)
    shown_rows = [key for key, (p, f) in rows.items() if (p or f).status == CellStatus.SHOWN]
    hidden_rows = [key for key, (p, f) in rows.items() if (p or f).status == CellStatus.HIDDEN]
    for part, person in ((0, lambda s: s), (1, lambda p: p[0])):
        shown = [truth[key][part] for key in shown_rows]
        members = sorted(set().union(*(g[part] for g in truth.values())), key=repr)
        assert small_sets_derivable(shown, members, k, person) == []
        for key in hidden_rows:  # a hidden row of fewer than k students is never given by the others
            if 0 < len({person(m) for m in truth[key][part]}) < k:
                assert not in_row_space(shown, truth[key][part], members), key
    # The anonymous answers: moods, and feedback with the answers that said it helped.
    feelings = {key: f for key, (_, f) in rows.items() if f is not None}
    moods = [truth[key][2] for key, f in feelings.items() if f.mood_status not in (CellStatus.HIDDEN, CellStatus.EMPTY)]
    helped = [truth[key][i] for key, f in feelings.items()
              if f.helped_status not in (CellStatus.HIDDEN, CellStatus.EMPTY) for i in (3, 4)]
    for shown in (moods, helped):
        assert all(len(group) >= k for group in shown if group)
        members = sorted(set().union(*shown), key=repr) if shown else []
        assert small_sets_derivable(shown, members, k) == []


def bounds_a_reader_can_work_out(sessions, tables, topics, bands, k):
    """An attack by linear programming, like the reports' auditor: a reader who knows which circles and
    open sessions there were (their topics and bands) but not who was in them, and every shown count
    exactly (stronger than the noisy counts published), works out how many students each hidden row
    can have at most. Unknowns: students per set of circles they came to and per band, attendances per
    circle and band (at least one per student there). The rows it narrows into 1..k-1 are returned."""
    units = sorted({s.unit for s in sessions}, key=repr)
    topic_of, band_of_unit = {s.unit: s.topic for s in sessions}, {s.unit: s.band for s in sessions}
    options = [*bands, None]
    students = [(frozenset(c), b) for n in range(1, len(units) + 1) for c in combinations(units, n) for b in options]
    attendances = [(u, b) for u in units for b in options]
    size = len(students) + len(attendances)

    def of_row(key):
        """Which unknowns a row adds up: students, then attendances."""
        if key == "total":
            return lambda _: True, lambda _: True
        kind, label = key
        if kind == "band":
            return lambda b: b == label, lambda b: b == label
        unit_in = (lambda u: topic_of[u] == label) if kind == "topic" else (lambda u: band_of_unit[u] == label)
        return unit_in, None

    def indicator(key, measure):
        unit_in, band_is = of_row(key)
        row = np.zeros(size)
        for i, (circles, b) in enumerate(students if measure == "students" else []):
            row[i] = (band_is(b) if band_is else any(unit_in(u) for u in circles))
        for j, (u, b) in enumerate(attendances if measure == "attendances" else []):
            row[len(students) + j] = band_is(b) if band_is else unit_in(u)
        return row

    def counted(key):
        came = [(s, a) for s in sessions for a in s.attendees if a.present]
        if key != "total":
            kind, label = key
            came = [(s, a) for s, a in came if (a.band if kind == "band" else s.topic if kind == "topic"
                                                else s.band) == label]
        return {"students": len({a.student for _, a in came}), "attendances": len(came)}

    equal, equal_to, at_most, at_most_this = [], [], [], []
    rows = published(tables)
    for key, (participation, feeling) in rows.items():
        status = (participation or feeling).status
        for measure, value in counted(key).items():
            if measure == "attendances" and participation is None:
                continue  # the circles' bands publish no attendances
            if status == CellStatus.HIDDEN:
                at_most.append(-indicator(key, measure))
                at_most_this.append(-1)
            else:
                equal.append(indicator(key, measure))
                equal_to.append(value)
    for j, (u, b) in enumerate(attendances):  # a student there has at least one attendance there
        link = np.array([float(u in circles and b == band) for circles, band in students] + [0.0] * len(attendances))
        link[len(students) + j] = -1
        at_most.append(link)
        at_most_this.append(0)
    found = []
    for key, (participation, feeling) in rows.items():
        if (participation or feeling).status != CellStatus.HIDDEN:
            continue
        result = linprog(-indicator(key, "students"), A_ub=np.array(at_most), b_ub=np.array(at_most_this),
                         A_eq=np.array(equal) if equal else None, b_eq=np.array(equal_to) if equal else None,
                         bounds=(0, 10**7), method="highs")
        assert result.status == 0, result.message
        if -result.fun < k - 1e-6:
            found.append((key, -result.fun))
    return found
