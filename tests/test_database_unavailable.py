"""When the database goes away: a friendly page and a log line, and the app recovers when it is back."""
import logging
import os
import shutil
import subprocess
import time

import pytest

from schoolpeers import create_app
from schoolpeers.extensions import db
from tests.conftest import login

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1


@pytest.fixture
def cut_off_client():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": UNREACHABLE})
    client = app.test_client()
    with client.session_transaction() as session:  # a signed-in person: loading them needs the database
        session.update(_user_id="1:1:1", _fresh=True, auth_at=int(time.time()), seen_at=int(time.time()), mfa_ok=True)
    return client


def test_a_page_says_the_database_is_unreachable_and_nothing_was_saved(cut_off_client, caplog):
    with caplog.at_level(logging.ERROR, logger="schoolpeers.errors"):
        response = cut_off_client.get("/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert b"cannot reach its database" in response.data and b"Nothing was saved" in response.data
    assert b"<header" in response.data  # in the app's layout
    assert any("Database unavailable on GET /" in r.getMessage() for r in caplog.records)


def test_a_form_post_gets_the_same_answer(cut_off_client):
    response = cut_off_client.post("/logout")
    assert response.status_code == 503 and b"Nothing was saved" in response.data


def test_json_clients_get_json(cut_off_client):
    response = cut_off_client.get("/reports/data.json")
    assert response.status_code == 503 and "database" in response.get_json()["error"]


def postgres_cluster() -> tuple[str, str] | None:
    if not shutil.which("pg_ctlcluster") or not os.path.isdir("/etc/postgresql"):
        return None
    versions = os.listdir("/etc/postgresql")
    return (versions[0], "main") if len(versions) == 1 else None


def pg_ctl(action: str, cluster: tuple[str, str]) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True, capture_output=True, timeout=60)


def wait_until_ready(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode != 0:
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.3)


@pytest.mark.skipif(os.environ.get("SCHOOLPEERS_TEST_RESTART_POSTGRES") != "1",
                    reason="stops and restarts the local PostgreSQL server; .ci/run enables it")
def test_the_app_recovers_when_postgresql_comes_back(app, client, users, caplog):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (TEST_DATABASE_URL)")
    cluster = postgres_cluster()
    if cluster is None:
        pytest.skip("needs pg_ctlcluster and one local PostgreSQL cluster")
    login(client, users["counselor"])
    assert client.get("/").status_code == 200
    db.session.remove()
    pg_ctl("stop", cluster)
    try:
        with caplog.at_level(logging.ERROR, logger="schoolpeers.errors"):
            down = client.get("/")
        assert down.status_code == 503 and b"cannot reach its database" in down.data
        assert any("Database unavailable" in r.getMessage() for r in caplog.records)
    finally:
        pg_ctl("start", cluster)
        wait_until_ready()
    assert client.get("/").status_code == 200  # stale pooled connections are replaced, the session still holds
