"""Roster imports into one school at the same moment, on PostgreSQL: they take turns, each plans
against what the one before it wrote, and each applies fully (no duplicate users, no lost rows)."""

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import School, User
from schoolpeers.accounts.roster import apply_import, plan_import
from schoolpeers.extensions import db
from tests.parallel import all_at_once

THREADS = 6
HEADER = "id,given_name,family_name,grade,email,role\n"


@pytest.fixture(autouse=True)
def postgres_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL row locks and real parallel transactions (set TEST_DATABASE_URL)")


def roster(numbers) -> str:
    return HEADER + "".join(f"R{n:03},Given{n},Family{n},8,r{n}@example.org,student\n" for n in numbers)


def import_all_at_once(app, school_id: int, files: list[str]) -> list:
    """One import per file at once, as the admin page and the command line do it: plan (as of
    now), apply, commit."""
    def run(text: str):
        school = db.session.get(School, school_id)
        plan = plan_import(school, text, to_apply=True, mode="full")  # each file is the whole roster
        assert plan.ok, plan.problems
        return text, apply_import(school, plan, confirmed=plan.deactivated_students)  # as typed by the admin

    return all_at_once(app, run, [(text,) for text in files])


def roster_users(school_id: int) -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User).where(User.school_id == school_id, User.roster_id.is_not(None))))


def test_the_same_file_imported_at_once_creates_each_user_once(app, school):
    text = roster(range(20))
    outcomes = import_all_at_once(app, school.id, [text] * THREADS)

    results = [result for _, result in outcomes]
    assert all(not isinstance(r, str) for r in results), results
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 20)] * (THREADS - 1) + [(20, 0)]
    users = roster_users(school.id)
    assert sorted(u.roster_id for u in users) == [f"R{n:03}" for n in range(20)]
    assert all(u.active for u in users)


def test_overlapping_files_imported_at_once_end_as_the_last_one_says(app, school):
    first, second = range(0, 15), range(8, 23)
    files = [roster(first), roster(second)] * (THREADS // 2)
    outcomes = import_all_at_once(app, school.id, files)

    assert all(not isinstance(result, str) for _, result in outcomes), outcomes
    users = roster_users(school.id)
    # Nobody twice, nobody lost: everyone either file named has exactly one account.
    assert sorted(u.roster_id for u in users) == [f"R{n:03}" for n in range(23)]
    assert db.session.scalar(select(func.count(func.distinct(User.email))).where(
        User.school_id == school.id)) == len(users)
    # Each import applied fully, in turn: the active accounts are exactly one file's people (the last one's).
    active = sorted(u.roster_id for u in users if u.active)
    assert active in ([f"R{n:03}" for n in first], [f"R{n:03}" for n in second])
