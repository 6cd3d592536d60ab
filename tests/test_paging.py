"""A page of a list with its total counted in the same statement."""
from sqlalchemy import event, select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.paging import counted_page


def statements_during(action):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, seen


def people(school):
    return select(User).where(User.school_id == school.id).order_by(User.id)


def test_a_page_and_its_total_in_one_statement(users, school):
    statement = people(school)
    everyone = list(db.session.scalars(statement))
    page, seen = statements_during(lambda: counted_page(statement, 2, 2))
    assert len(seen) == 1
    assert page.items == everyone[2:4] and page.total == len(everyone)
    assert page.pages == (len(everyone) + 1) // 2 and page.has_prev and page.prev_num == 1


def test_extra_columns_come_with_each_row(users, school):
    page = counted_page(people(school).add_columns(User.username), 1, 3)
    assert [(user, user.username) for user in page.items] == page.rows and page.total == len(users)


def test_a_page_past_the_end_still_knows_the_total(users, school):
    statement = people(school)
    page, seen = statements_during(lambda: counted_page(statement, 50, 2))
    assert page.items == [] and page.total == len(users) and len(seen) == 2


def test_an_empty_list_needs_no_count(school):
    statement = people(school).where(User.id < 0)
    page, seen = statements_during(lambda: counted_page(statement, 1, 5))
    assert page.items == [] and page.total == 0 and page.pages == 0 and len(seen) == 1
