"""Fixed values written into a statement's SQL instead of bound as parameters."""
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.oversight.models import Concern
from schoolpeers.oversight.statuses import UNRESOLVED, ConcernStatus
from schoolpeers.sql_constants import constant
from schoolpeers.timeutil import utcnow


def test_statuses_are_written_into_the_sql_even_in_a_list(app):
    statement = select(Concern.id).where(Concern.status.in_([constant(s) for s in UNRESOLVED]),
                                         Concern.severity == constant("high"))
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    assert "IN ('open', 'acknowledged')" in str(compiled) and "= 'high'" in str(compiled)
    assert compiled.params == {}  # nothing of them is bound


def test_a_statement_with_them_finds_what_it_names(school, users):
    now = utcnow()
    concern = services.raise_concern(school, users["student"], source="manual", severity="high", summary="x",
                                     raised_by=None, now=now)
    db.session.commit()
    unresolved = select(Concern.id).where(Concern.school_id == school.id,
                                          Concern.status.in_([constant(s) for s in UNRESOLVED]))
    assert db.session.scalars(unresolved).all() == [concern.id]
    assert db.session.scalars(unresolved.where(Concern.status == constant(ConcernStatus.RESOLVED))).all() == []
