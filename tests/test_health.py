"""GET /healthz: the load balancer's check, answered without the database or a session."""
import pytest
from sqlalchemy import event

from schoolpeers.extensions import db


def test_healthz_answers_ok_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/static/style.css"])
def test_healthz_and_static_files_run_no_statement(client, users, login_as, path):
    login_as(users["counselor"])  # even with a session cookie, nothing is looked up
    db.session.expunge_all()  # a lookup of the person would have to ask the database
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
