"""The page of a circle's debriefs: a counselor records a debrief with its leaders (a supervision
session: it counts toward their supervision) and sees the earlier ones. Its route is on the
`circles` blueprint; `schoolpeers.create_app` imports this module before registering it."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import role_required
from schoolpeers.circles import access, debriefs, queries
from schoolpeers.circles.circle_views import bp
from schoolpeers.circles.debrief_forms import DebriefForm
from schoolpeers.forms_common import choices
from schoolpeers.programme import supervision
from schoolpeers.programme.models import SUPERVISION_KINDS, SUPERVISION_THEMES
from schoolpeers.web import audit, change, school_today, show_refusal


@bp.route("/circles/<int:circle_id>/debrief", methods=["GET", "POST"])
@role_required("counselor")
def debrief(circle_id: int):
    circle = access.circle_or_404(circle_id)
    today = school_today()
    leaders = queries.leaders(circle)
    form = DebriefForm()
    form.attendees.choices = choices((leader.id, leader.display_name) for leader in leaders)
    if not form.is_submitted():
        form.held_on.data, form.minutes.data = today, 30
        form.themes.data, form.attendees.data = list(debriefs.DEFAULT_THEMES), [leader.id for leader in leaders]
    if form.validate_on_submit():
        data = debriefs.DebriefData(held_on=form.held_on.data, minutes=form.minutes.data,
                                    themes=form.themes.data or [], leader_ids=form.attendees.data or [])
        with change(supervision.SupervisionError, flash_refusal=False) as outcome:
            session = debriefs.record_debrief(circle, data, current_user, today)
            audit("circle.debrief", record_type="supervision_session", record_id=session.id,
                  detail={"circle_id": circle.id, "attendees": len(session.attendance), "themes": session.themes})
            outcome.success = f"Debrief of {session.held_on:%d %B %Y} recorded: it counts as the leaders' supervision."
        if not outcome.refused:
            return redirect(url_for("circles.debrief", circle_id=circle.id))
        show_refusal(form, outcome.refusal)
    past = debriefs.debriefs_of(circle)
    return render_template(
        "circles/debrief.html", circle=circle, form=form, has_leaders=bool(leaders), debriefs=past,
        attendees=supervision.attendees_by_session(circle.school_id, [s.id for s in past]),
        kinds=SUPERVISION_KINDS, themes=SUPERVISION_THEMES,
    ), (400 if form.errors else 200)
