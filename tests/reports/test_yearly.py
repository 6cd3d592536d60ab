"""Reports published once per ended school year: the years offered, why a year is not published, and a
release stored once, whoever asks first."""
from datetime import date

from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.programme.models import OutcomeRelease
from schoolpeers.reports import yearly
from schoolpeers.reports.trends import DEFAULT_TERMS

REPORT = yearly.YearlyReport("outcomes report", "new answer")


def test_the_years_run_from_the_first_figure_to_this_one_newest_first():
    years = yearly.years_since(date(2023, 10, 1), date(2025, 9, 3))
    assert [y.label for y in years] == [DEFAULT_TERMS.year_containing(d).label
                                        for d in (date(2025, 9, 3), date(2024, 9, 3), date(2023, 10, 1))]
    assert len(yearly.years_since(None, date(2025, 9, 3))) == 1


def test_a_year_is_published_once_it_has_ended(school):
    year = DEFAULT_TERMS.year_containing(date(2024, 1, 10))
    assert "has not ended yet" in REPORT.unpublished_reason(school, year, year.end)
    assert REPORT.unpublished_reason(school, year, year.end.replace(year=year.end.year + 1)) is None


def test_a_release_made_meanwhile_by_another_request_stands(school, monkeypatch):
    year = DEFAULT_TERMS.year_containing(date(2024, 1, 10))
    first = yearly.stored_release(OutcomeRelease, school, year, lambda: (5, {"made": "first"}))
    db.session.commit()
    stored, calls = yearly._stored, []

    def not_seen_first(*args):  # the other request stored it between this one's look and its insert
        calls.append(args)
        return None if len(calls) == 1 else stored(*args)

    monkeypatch.setattr(yearly, "_stored", not_seen_first)
    again = yearly.stored_release(OutcomeRelease, school, year, lambda: (7, {"made": "second"}))
    assert again.id == first.id and again.content == {"made": "first"} and len(calls) == 2
    assert len(db.session.scalars(select(OutcomeRelease)).all()) == 1
