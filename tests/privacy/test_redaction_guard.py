"""The one sanctioned change to a concern: its text replaced by a placeholder, once; nothing else."""
import pytest
from sqlalchemy import delete, select, update

from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.oversight.append_only import REDACTED_AFTER_RETENTION, REDACTED_ON_ERASURE, AppendOnlyError
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.timeutil import utcnow


@pytest.fixture
def concern(school, users):
    raised = services.raise_concern(school, users["student"], source="manual", severity="high",
                                    summary="Told me about trouble at home.", raised_by=users["counselor"],
                                    now=utcnow())
    services.add_note(raised, users["counselor"], "Called the parents.")
    db.session.commit()
    return raised


def refused(change, match=None):
    change()
    with pytest.raises(AppendOnlyError, match=match):
        db.session.flush()
    db.session.rollback()


def test_summary_and_notes_can_be_replaced_by_a_placeholder_once(concern):
    concern.summary, concern.redacted_at = REDACTED_AFTER_RETENTION, utcnow()
    for event in concern.events:
        event.note = REDACTED_AFTER_RETENTION
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(Concern.summary)) == REDACTED_AFTER_RETENTION
    assert set(db.session.scalars(select(ConcernEvent.note))) == {REDACTED_AFTER_RETENTION}
    # Redacted once: the summary cannot be redacted again, even to another placeholder.
    refused(lambda: setattr(concern, "summary", REDACTED_ON_ERASURE) or setattr(concern, "redacted_at", utcnow()))


def set_values(target, **values):
    def change():
        for name, value in values.items():
            setattr(target, name, value)
    return change


@pytest.mark.parametrize("values", [
    {"summary": "A new wording.", "redacted_at": utcnow()},  # not a placeholder
    {"summary": REDACTED_ON_ERASURE},  # without redacted_at
    {"redacted_at": utcnow()},  # without the summary
    {"summary": REDACTED_ON_ERASURE, "redacted_at": utcnow(), "severity": "low"},  # another fact with it
    {"summary": REDACTED_ON_ERASURE, "redacted_at": None},
])
def test_every_other_change_of_a_concern_is_still_refused(concern, values):
    refused(set_values(concern, **values), "facts never change")
    assert db.session.get(Concern, concern.id).redacted_at is None


@pytest.mark.parametrize("values", [
    {"note": "Rewritten."},
    {"note": REDACTED_ON_ERASURE, "kind": "resolved"},
    {"kind": "note"},
])
def test_event_changes_other_than_the_placeholder_are_refused(concern, values):
    event = concern.events[-1]
    refused(set_values(event, **values), "append-only")


def test_deletes_and_bulk_statements_are_still_refused(concern):
    refused(lambda: db.session.delete(concern))  # refused at its events first: they would lose their concern
    refused(lambda: db.session.delete(concern.events[0]), "never deleted")
    for statement in (update(Concern).values(summary=REDACTED_ON_ERASURE, redacted_at=utcnow()),
                      update(ConcernEvent).values(note=REDACTED_ON_ERASURE), delete(Concern)):
        with pytest.raises(AppendOnlyError):
            db.session.execute(statement)
        db.session.rollback()
