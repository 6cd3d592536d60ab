"""The counselor's dashboard and a student's timeline (their access is in tests/oversight/test_views.py
with the other counselor pages, and in the permission matrix)."""
from datetime import timedelta

from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.timeutil import utcnow


def test_dashboard_orders_overdue_first(client, users, school, login_as, make_user):
    old = services.raise_concern(school, make_user("student", family_name="Overdueperson"), source="manual",
                                 severity="high", summary="x", raised_by=None, now=utcnow() - timedelta(hours=3))
    services.raise_concern(school, make_user("student", family_name="Newerperson"), source="manual",
                           severity="high", summary="y", raised_by=None, now=utcnow())
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/oversight").data
    assert page.index(b"Overdueperson") < page.index(b"Newerperson") and b"overdue" in page
    assert old.id
