"""The report filter: one form for the page, the exports, the chart JSON and the command line.

It offers exactly what the lattice publishes (see `lattice`): a level of periods, a grouping, one
grade, one band or all grades, and dates that are widened to whole periods.
"""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, SelectField, ValidationError
from wtforms.validators import Optional

from schoolpeers.accounts.models import School
from schoolpeers.forms_common import choices
from schoolpeers.reports.differential import RELEASE_LEVELS
from schoolpeers.reports.report import ALL_GRADES, GROUPINGS, PERIODS, SOURCES, ReportParams
from schoolpeers.reports.services import grade_choices, uses_differential_privacy

EARLIEST = date(2000, 1, 1)  # bounds keep the dates sensible


class PeriodRangeForm(Form):
    """A range of dates, widened to whole periods by the report: both optional, within sensible bounds,
    the end not before the start. A GET form (a filter changes nothing, so it needs no CSRF token)."""

    date_from = DateField("From (its whole period)", validators=[Optional()])
    date_to = DateField("To (its whole period)", validators=[Optional()])

    latest: date = date.max

    def validate_date_from(self, field) -> None:
        self._in_range(field)

    def validate_date_to(self, field) -> None:
        self._in_range(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")

    def _in_range(self, field) -> None:
        # Unreadable input leaves no date (its error is already there).
        if field.data is not None and not EARLIEST <= field.data <= self.latest:
            raise ValidationError(f"Choose a date from {EARLIEST:%Y-%m-%d} to {self.latest:%Y-%m-%d}.")


class ReportFilterForm(PeriodRangeForm):
    """A school report's filter."""

    source = SelectField("Check-ins", choices=choices(SOURCES.items()), default="mentors")
    period = SelectField("Period", choices=choices(PERIODS.items()), default="month")
    group = SelectField("Group by", choices=choices(GROUPINGS.items()), default="grade")
    grades = SelectField("Grades", default=ALL_GRADES)

    differential_privacy: bool = False

    def validate_source(self, field) -> None:
        if self.differential_privacy and field.data == "students":
            raise ValidationError("Under differential privacy the school's yearly budget is spent on the mentors' "
                                  "check-ins; the students' own are reported under cell keys only.")

    def args(self) -> dict[str, str]:
        """The valid choices as query arguments, for the export and data links."""
        args = {"period": self.period.data, "group": self.group.data, "grades": self.grades.data}
        for name in ("date_from", "date_to"):
            if self[name].data:
                args[name] = self[name].data.isoformat()
        return args | {"source": self.source.data}

    def params(self) -> ReportParams:
        return ReportParams(period=self.period.data, group=self.group.data, grades=self.grades.data,
                            date_from=self.date_from.data, date_to=self.date_to.data, source=self.source.data)


def report_filter_form(school: School, today: date, formdata: MultiDict) -> ReportFilterForm:
    """The form for this school's grades, filled from a query string (or the command line's options)."""
    form = ReportFilterForm(formdata)
    form.grades.choices = choices(grade_choices(school))
    if uses_differential_privacy(school):  # releases cover closed terms and school years only
        form.differential_privacy = True
        form.period.choices = choices((p, PERIODS[p]) for p in RELEASE_LEVELS)
        if "period" not in formdata:
            form.period.data = RELEASE_LEVELS[0]
    form.latest = date(today.year + 1, 12, 31)
    return form
