"""Pages of the programme cycle: outcomes. A mentee's well-being questionnaire at the start and the
end of a mentorship, and the outcomes report for counselors and staff (with its CSV): of a school
year that has ended only, as first published (`outcomes.published_report`)."""
from __future__ import annotations

import csv
import io
import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import role_required
from schoolpeers.extensions import limit_exports_per_person
from schoolpeers.programme import outcomes, scales
from schoolpeers.programme.outcome_forms import questionnaire_form
from schoolpeers.programme.outcomes import OutcomesReport
from schoolpeers.reports import yearly_views
from schoolpeers.reports.export_jobs import REPORT_ROLES
from schoolpeers.reports.privacy import CellStatus, explain
from schoolpeers.reports.yearly_views import figure_cell
from schoolpeers.spreadsheet import defused
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, school_today

bp = Blueprint("outcomes", __name__, template_folder="templates")
log = logging.getLogger(__name__)
LOW_SCORE_THANKS = ("Thank you for answering. It sounds like things have been hard lately: a school counselor "
                    "will find you for a chat. If you need someone now, go to a counselor or a teacher you trust.")


@bp.route("/me/questionnaire", methods=["GET", "POST"])
@role_required("student")
def questionnaire():
    today = school_today()
    waiting = outcomes.questionnaires_due(current_user, today)
    if not waiting:
        return render_template("programme/questionnaire.html", form=None, scale=scales.CURRENT, due=None)
    due = waiting[0]
    form = questionnaire_form(scales.CURRENT)
    if not form.is_submitted():
        form.mentorship.data, form.occasion.data = str(due.mentorship.id), due.occasion
    if form.validate_on_submit():
        mentorship_id = form.mentorship_id() or 0  # no mentorship: not waiting, refused below
        with change(outcomes.QuestionnaireError, flash_refusal=False) as outcome:
            measure, concern = outcomes.record_answers(current_user, mentorship_id, form.occasion.data or "",
                                                       form.answers(), today, utcnow())
            audit("questionnaire.answer", record_type="outcome_measure", record_id=measure.id,
                  detail={"occasion": measure.occasion, "concern": concern is not None})
            outcome.success = LOW_SCORE_THANKS if concern else "Thank you for answering!"
        if not outcome.refused:
            return redirect(url_for("home.index"))
        if outcome.refusal.field in form.item_names:
            form[outcome.refusal.field].errors.append(str(outcome.refusal))
        else:
            flash(str(outcome.refusal), "info")
            return redirect(url_for("home.index"))
    return render_template("programme/questionnaire.html", form=form, scale=scales.CURRENT, due=due)


# --- the outcomes report -------------------------------------------------------------------------


@bp.get("/reports/outcomes")
@role_required(*REPORT_ROLES)
def report():
    asked = yearly_views.year_asked(outcomes)
    found = yearly_views.published(outcomes, asked)
    return render_template("programme/outcomes_report.html", report=found, year=asked.year, years=asked.years,
                           unpublished=asked.reason, hidden_note=explain(CellStatus.HIDDEN, found.k) if found else "")


@bp.get("/reports/outcomes.csv")
@role_required(*REPORT_ROLES)
@limit_exports_per_person()
def report_csv():
    return yearly_views.csv_download(outcomes, page="outcomes.report", action="outcomes.export",
                                     prefix="outcomes", to_text=report_csv_text)


def report_csv_text(found: OutcomesReport) -> str:
    """The report's protected figures as one CSV: the same strings the page shows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "group", "students", "mean at start", "mean at end", "mean change"])
    change_tables = found.change
    for table, rows in (("all", (change_tables.total,)), ("grade band", change_tables.bands),
                        ("goal area", change_tables.areas)):
        for row in rows:
            writer.writerow([figure_cell(c) for c in (table, row.label, row.students, row.start, row.end, row.change)])
    writer.writerow([])
    writer.writerow(["side", "respondents", "got on (1-5)", "helped (1-5)", "would recommend or mentor again",
                     *(option for option, _ in found.surveys[0].what_helped)] if found.surveys else [])
    for side in found.surveys:
        writer.writerow([figure_cell(c) for c in (side.side, side.respondents, side.got_on, side.helped, side.recommend,
                                            *(share for _, share in side.what_helped))])
    writer.writerow([])
    writer.writerow([defused(f"School year {found.year.label}. Figures rest on at least {found.k} students; "
                             "hidden ones would not, or would let one be worked out. Counts carry a little noise.")])
    writer.writerow([defused(f"{found.scale.name}. {found.scale.citation} {found.scale.licence}")])
    return out.getvalue()

