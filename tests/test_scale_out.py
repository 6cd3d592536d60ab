"""Two app servers behind one balancer: same PostgreSQL, same Redis, nothing kept in a process.

A session signed in on one server is accepted by the other (signed cookies, no server-side
session store), and failed sign-ins on both count against the same ceiling per address (Redis).
"""
from __future__ import annotations

import os
import uuid

import pytest
import redis

from bench.browser import Browser, sign_in
from bench.server import gunicorn_servers, production_env
from schoolpeers.extensions import db
from tests.factories import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/0"
ADDRESS_LIMIT = 3


def skip_reason() -> str | None:
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return "needs PostgreSQL shared by two servers (set TEST_DATABASE_URL)"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return f"needs Redis at {REDIS_URL}"
    return None


pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


@pytest.fixture(scope="module")
def servers(app, tmp_path_factory):
    """Two gunicorn servers (one worker each) with one secret key, one database and one Redis."""
    env = production_env(
        app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL,
        SCHOOLPEERS_LOGIN_LIMIT_PER_ADDRESS=f"{ADDRESS_LIMIT} per 15 minutes",
        SCHOOLPEERS_RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",  # counts of earlier runs stay apart
    )
    logs = tmp_path_factory.mktemp("gunicorn")
    with gunicorn_servers(env, [logs / "a.log", logs / "b.log"], workers=1) as both:
        yield both


def test_a_session_signed_in_on_one_server_is_accepted_by_the_other(servers, make_user):
    a, b = servers
    student = make_user("student", password=PASSWORD)
    db.session.commit()
    on_a = Browser("127.0.0.1", a.port)
    sign_in(on_a, student.username, PASSWORD)

    stranger = Browser("127.0.0.1", b.port)
    assert stranger.get("/").location == "/login"
    on_b = Browser("127.0.0.1", b.port)
    on_b.cookies = dict(on_a.cookies)
    home = on_b.get("/")
    assert home.status == 200
    assert student.given_name in home.body


def failed_sign_in(server, login: str) -> int:
    return Browser("127.0.0.1", server.port).submit("/login", {"login": login, "password": "wrong password"}).status


def test_failed_sign_ins_on_both_servers_reach_one_limit(servers):
    a, b = servers
    logins = [f"nobody-{uuid.uuid4().hex}" for _ in range(ADDRESS_LIMIT + 2)]  # no account's own wait starts
    answers = [failed_sign_in(server, login) for server, login in zip((a, b, a), logins[:3], strict=True)]
    assert answers == [200] * ADDRESS_LIMIT
    # Neither server saw more than two failures, but together they reached the ceiling.
    assert failed_sign_in(b, logins[-2]) == 429
    assert failed_sign_in(a, logins[-1]) == 429
