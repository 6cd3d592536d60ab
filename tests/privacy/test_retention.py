from datetime import date

from sqlalchemy import func, select

from schoolpeers.audit import AuditEvent
from schoolpeers.circles.personal_data import RETENTION_KINDS as CIRCLE_RETENTION_KINDS
from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors.models import CheckIn, CheckInRevision, MenteeFeedback, MentorshipEvent
from schoolpeers.oversight.append_only import REDACTED_AFTER_RETENTION
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.privacy.retention import purge_school
from schoolpeers.programme.personal_data import RETENTION_KINDS
from schoolpeers.timeutil import utcnow
from tests.privacy.conftest import worrying_checkin

FIXED = {"check-in notes": 1, "check-in corrections": 1, "feedback comments": 1, "students' own notes": 1,
         "mentorship notes": 2,
         "request notes": 1, "families of students who left": 0, "mails": 0,
         **dict.fromkeys(RETENTION_KINDS, 0),  # the programme's: tests/privacy/test_programme_retention.py
         **dict.fromkeys(CIRCLE_RETENTION_KINDS, 0)}  # circles': tests/privacy/test_circles_privacy.py


def expected() -> dict[str, int]:
    """What a purge of the old mentorship removes. How many concerns its check-in raised is
    screening's business, not retention's; each has three notes: raised, noted, resolved."""
    concerns = db.session.scalar(select(func.count()).select_from(Concern))
    return {**FIXED, "concerns": concerns, "concern notes": 3 * concerns}


def texts(model, column, mentorship_id=None):
    query = select(column)
    if mentorship_id is not None:
        query = query.where(model.mentorship_id == mentorship_id)
    return sorted(v for v in db.session.scalars(query) if v)


def test_dry_run_counts_what_the_real_run_removes_and_a_second_run_finds_nothing(school, old_mentorship):
    dry = purge_school(school, utcnow(), dry_run=True)
    assert dry.counts == expected() and dry.counts["concerns"] >= 2
    db.session.rollback()
    assert texts(CheckIn, CheckIn.notes) == ["She said she feels low."]
    real = purge_school(school, utcnow())
    db.session.commit()
    assert real.counts == dry.counts
    again = purge_school(school, utcnow())
    assert again.total == 0


def test_text_goes_and_what_reports_need_stays(school, old_mentorship):
    purge_school(school, utcnow())
    db.session.commit()
    db.session.expire_all()
    checkin = db.session.scalar(select(CheckIn))
    assert (checkin.notes, checkin.worry_reason) == (None, None)
    assert (checkin.wellbeing, checkin.occurred_on, checkin.worried, checkin.worry_severity) == (
        2, date.today(), True, "high")
    [revision] = db.session.scalars(select(CheckInRevision))
    assert revision.previous["notes"] is None and revision.previous["worry_reason"] is None
    assert revision.previous["wellbeing"] == 2
    assert texts(MenteeFeedback, MenteeFeedback.comment) == []
    assert db.session.scalar(select(MenteeFeedback.rating)) == "okay"
    assert texts(MentorshipEvent, MentorshipEvent.note) == []
    assert texts(MentorRequest, MentorRequest.note) == []
    concerns = db.session.scalars(select(Concern)).all()
    assert {(c.summary, c.status, c.outcome) for c in concerns} == {
        (REDACTED_AFTER_RETENTION, "resolved", "support_given")}
    assert all(c.redacted_at is not None for c in concerns)
    assert set(texts(ConcernEvent, ConcernEvent.note)) == {REDACTED_AFTER_RETENTION}


def test_recent_and_open_records_keep_their_text(school, users, mentorship, old_mentorship):
    """The active mentorship and an unresolved concern are untouched; so is a school with a long period."""
    want = expected()  # before the recent check-in raises concerns of its own
    worrying_checkin(mentorship, notes="He is being bullied.")
    db.session.commit()
    result = purge_school(school, utcnow())
    db.session.commit()
    assert result.counts == want
    assert texts(CheckIn, CheckIn.notes, mentorship.id) == ["He is being bullied."]
    open_ones = db.session.scalars(select(Concern).where(Concern.status != "resolved")).all()
    assert open_ones and all(c.redacted_at is None and c.summary != REDACTED_AFTER_RETENTION for c in open_ones)


def test_the_schools_period_decides(school, old_mentorship):
    school.retention_days = 500
    assert purge_school(school, utcnow(), dry_run=True).total == 0


def test_a_note_added_to_a_redacted_concern_is_removed_by_the_next_run(school, users, old_mentorship):
    from schoolpeers.oversight import services

    purge_school(school, utcnow())
    db.session.commit()
    services.add_note(db.session.scalar(select(Concern)), users["counselor"], "Checked again with Noor.")
    db.session.commit()
    assert purge_school(school, utcnow()).counts["concern notes"] == 1
    assert "Checked again with Noor." not in texts(ConcernEvent, ConcernEvent.note)


def test_command_prints_counts_per_kind_and_is_idempotent(runner, school, other_school, old_mentorship):
    want = expected()
    dry = runner.invoke(args=["retention", "purge", "--school", school.slug, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 check-in notes" in dry.output and f"{want['concerns']} concerns" in dry.output and "Dry run" in dry.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    real = runner.invoke(args=["retention", "purge"])
    assert real.exit_code == 0, real.output
    assert dry.output.splitlines()[0] in real.output and f"{other_school.slug} (closed before" in real.output
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "retention.purge" and event.detail["counts"] == want
    again = runner.invoke(args=["retention", "purge", "--school", school.slug])
    assert "0 check-in notes" in again.output and "0 concern notes" in again.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
    assert "No school" in runner.invoke(args=["retention", "purge", "--school", "nope"]).output



def test_the_daily_run_removes_roster_files_checked_but_never_imported(runner, school, users):
    from datetime import timedelta

    from schoolpeers.accounts import roster_uploads
    from schoolpeers.accounts.models import RosterUpload
    from schoolpeers.accounts.roster import RosterPlan

    old = roster_uploads.keep(users["admin"], "old.csv", b"id,given_name\n", RosterPlan(format="plain"))
    roster_uploads.keep(users["admin"], "new.csv", b"id,given_name\n", RosterPlan(format="plain"))
    old.created_at = utcnow() - roster_uploads.KEPT_FOR - timedelta(minutes=1)
    db.session.commit()
    result = runner.invoke(args=["retention", "purge"])
    assert "Roster files checked but never imported, removed: 1." in result.output
    assert [u.filename for u in db.session.scalars(select(RosterUpload))] == ["new.csv"]


def test_the_families_of_students_who_left_long_ago_and_old_sent_mail_go(school, users, make_user, app):
    from datetime import timedelta

    from schoolpeers.accounts.models import Guardian
    from schoolpeers.families import asking, services
    from schoolpeers.families.models import ConsentEvent, ConsentRequest
    from schoolpeers.outbox import MailStatus, OutboxMail

    long_ago = utcnow() - timedelta(days=school.retention_days + 30)
    left, staying = make_user("student", grade=8), make_user("student", grade=8)
    for student in (left, staying):
        guardian = services.add_guardian(student, given_name="Ana", family_name="Ruiz", relationship="parent",
                                         email="ana@example.org", phone=None)
        services.record_answer(student, guardian, decision="given", channel="paper", note="", actor=None)
        with app.test_request_context():
            asking.ask([student], None, long_ago)
    for event in db.session.scalars(select(ConsentEvent)):
        db.session.connection().execute(ConsentEvent.__table__.update().where(ConsentEvent.id == event.id)
                                        .values(recorded_at=long_ago))  # as if recorded then
    db.session.execute(OutboxMail.__table__.update().values(status=MailStatus.SENT, created_at=long_ago))
    left.active = False
    db.session.flush()
    left.deactivated_at = long_ago
    db.session.commit()
    result = purge_school(school, utcnow())
    db.session.commit()
    assert (result.counts["families of students who left"], result.counts["mails"]) == (1, 2)
    assert {e.student_id for e in db.session.scalars(select(ConsentEvent))} == {staying.id}
    assert {r.student_id for r in db.session.scalars(select(ConsentRequest))} == {staying.id}
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 1
    assert purge_school(school, utcnow()).total == 0


def test_a_student_who_left_recently_keeps_their_familys_records(school, make_user):
    from datetime import timedelta

    from schoolpeers.families import services
    from schoolpeers.families.models import ConsentEvent

    student = make_user("student", grade=8)
    services.record_answer(student, None, decision="given", channel="paper", note="", actor=None)
    db.session.connection().execute(ConsentEvent.__table__.update().values(
        recorded_at=utcnow() - timedelta(days=school.retention_days + 30)))  # consent given long ago
    student.active = False  # left yesterday
    db.session.commit()
    assert student.deactivated_at is not None
    assert purge_school(school, utcnow()).counts["families of students who left"] == 0
    student.active = True
    db.session.commit()
    assert student.deactivated_at is None
