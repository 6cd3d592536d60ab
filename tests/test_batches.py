"""Statements over long lists of values, a batch at a time."""
from sqlalchemy import bindparam, select

from schoolpeers import batches
from schoolpeers.accounts.models import User


def test_a_statement_built_once_reads_every_batch_with_its_other_parameters(users, school, other_school, monkeypatch):
    monkeypatch.setattr(batches, "BATCH", 2)
    built_once = select(User.id).where(User.school_id == bindparam("school_id"), batches.in_values(User.id))
    ids = sorted(user.id for user in users.values())
    found = [user_id for (user_id,) in batches.rows_of_values(built_once, ids + ids[:1], school_id=school.id)]
    assert sorted(found) == ids  # every batch read, each value once
    assert list(batches.rows_of_values(built_once, ids, school_id=other_school.id)) == []
    assert list(batches.rows_of_values(built_once, [], school_id=school.id)) == []


def test_rows_where_in_is_the_same_for_a_statement_built_per_call(users, school):
    ids = [user.id for user in users.values()]
    rows = batches.rows_where_in(select(User.username).where(User.school_id == school.id), User.id, ids)
    assert sorted(name for (name,) in rows) == sorted(user.username for user in users.values())
