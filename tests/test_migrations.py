"""The session's database was built by the migrations alone: it must match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from schoolpeers.extensions import db


def test_migrations_reach_head_and_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() is not None
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_empty_and_back(app):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata) == []


def test_the_rosters_guardians_move_into_guardians_with_links_to_their_students(app):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, text

    from schoolpeers.accounts import services
    from schoolpeers.accounts.models import Guardian, GuardianStudent
    from tests.factories import UserFactory

    school = services.create_school("M", "m")
    students = [UserFactory(school)("student", roster_id=rid) for rid in ("S1", "S2")]
    db.session.flush()
    school_id, first_student = school.id, students[0].id
    db.session.commit()
    db.session.close()  # no transaction of ours may hold the tables the downgrade alters
    downgrade(revision="0011_checkins_school_id")
    try:
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO roster_guardians (id, school_id, roster_id, relationship_kind, given_name, family_name, "
                "student_roster_ids, updated_at) VALUES (5, :school, 'G1', 'parent', 'Ana', 'Ruiz', "
                "'[\"S1\", \"S9\"]', '2026-01-01')"), {"school": school_id})
    finally:
        upgrade()
    guardian = db.session.scalar(select(Guardian))
    assert (guardian.id, guardian.source, guardian.roster_id, guardian.student_roster_ids) == (5, "roster", "G1",
                                                                                             ["S1", "S9"])
    assert [link.student_id for link in db.session.scalars(select(GuardianStudent))] == [first_student]
    added = Guardian(school_id=school_id, source="staff", relationship_kind="carer", given_name="C", family_name="D",
                     student_roster_ids=[])
    db.session.add(added)
    db.session.flush()
    assert added.id > 5  # the id sequence goes on after the copied ids
