"""A page of a list with its total counted in the same statement."""
from sqlalchemy import bindparam, event, select

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.paging import counted_page
from tests.factories import UserFactory


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


def test_a_list_counted_empty_already_is_not_asked_for(users, school):
    statement = people(school)
    page, seen = statements_during(lambda: counted_page(statement, 1, 5, total=0))
    assert page.items == [] and page.rows == [] and page.total == 0 and seen == []
    counted = counted_page(statement, 1, 2, total=len(users))  # a count above zero: the list is read
    assert len(counted.items) == 2 and counted.total == len(users)


def test_a_statement_built_once_is_paged_with_its_values_by_one_paged_form(users, school, other_school):
    from schoolpeers.paging import _paged

    built_once = select(User).where(User.school_id == bindparam("school_id")).order_by(User.id)
    everyone = list(db.session.scalars(people(school)))
    page, seen = statements_during(lambda: counted_page(built_once, 2, 2, school_id=school.id))
    assert len(seen) == 1 and page.items == everyone[2:4] and page.total == len(everyone)
    assert _paged(built_once) is _paged(built_once)  # made once, kept with the statement
    past_the_end = counted_page(built_once, 50, 2, school_id=school.id)
    assert past_the_end.items == [] and past_the_end.total == len(everyone)
    UserFactory(other_school)("student")
    db.session.commit()
    elsewhere = counted_page(built_once, 1, 50, school_id=other_school.id)
    assert elsewhere.items == list(db.session.scalars(people(other_school))) and elsewhere.total == 1
