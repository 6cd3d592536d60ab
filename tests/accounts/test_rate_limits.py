"""A ceiling of failed sign-ins per address; Redis shares the counts between servers."""
import uuid

import pytest
import redis

from schoolpeers import create_app
from schoolpeers.extensions import db
from tests.factories import PASSWORD


def limited_app(app, **config):
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "LOGIN_LIMIT_PER_ADDRESS": "6 per 10 minutes"}
    settings.update(config)
    return create_app("testing", settings)


def attempt(client, login, password="wrong password"):
    return client.post("/login", data={"login": login, "password": password})


@pytest.fixture
def leo(make_user):
    user = make_user("student", username="leo", password=PASSWORD)
    db.session.commit()
    return user


def test_successful_sign_ins_do_not_count(app, leo):
    client = limited_app(app).test_client()
    for _ in range(5):
        assert attempt(client, "leo", PASSWORD).status_code == 302
        client.post("/logout")


def test_one_address_trying_many_accounts_is_slowed(app, leo):
    client = limited_app(app).test_client()
    codes = [attempt(client, f"user{n}").status_code for n in range(7)]
    assert codes[:6] == [200] * 6 and codes[6] == 429


def redis_url() -> str:
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("needs a Redis server on 127.0.0.1:6379 (.ci/run has one)")
    return url


def test_two_app_servers_share_the_limits_through_redis(app, leo):
    shared = {"RATELIMIT_STORAGE_URI": redis_url(), "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = limited_app(app, **shared).test_client(), limited_app(app, **shared).test_client()
    assert [attempt(client, f"user{n}").status_code for n, client in enumerate([first, second] * 3)] == [200] * 6
    assert attempt(first, "leo", PASSWORD).status_code == 429  # six failures between them: the ceiling


def test_guessing_setup_codes_is_slowed_per_address(app):
    client = limited_app(app).test_client()
    answers = [client.post("/setup/code", data={"code": f"ABCDE-FGH{c}"}).status_code for c in "JKMNPQR"]
    assert answers == [200] * 6 + [429]


def test_with_redis_down_sign_in_works_and_is_still_limited_per_process(app, leo, caplog):
    down = limited_app(app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    assert attempt(down.test_client(), "leo", PASSWORD).status_code == 302  # signs in: no 500
    client = down.test_client()
    answers = [attempt(client, f"user{n}").status_code for n in range(7)]
    assert answers[-1] == 429  # the address's ceiling, counted in this process while Redis is away
    assert "rate limit" in caplog.text.lower() or "storage" in caplog.text.lower()
