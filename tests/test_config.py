import multiprocessing
import secrets
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import config
from schoolpeers import create_app


def test_plain_postgres_urls_use_psycopg3():
    assert config.normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert config.normalise_database_url("") is None


def production_app(monkeypatch, **settings):
    """The production app, configured as a deployment would be (tests override one setting each)."""
    values = {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://", "BASE_URL": "https://localhost",
              "TOTP_KEYS": ["dGVzdC1rZXktZm9yLXRvdHAtc2VjcmV0cy0zMmJ5dGU="], **settings}
    for name, value in values.items():
        monkeypatch.setattr(config.ProductionConfig, name, value)
    return create_app("production")


@pytest.mark.parametrize(
    ("setting", "value", "missing"),
    [
        ("SECRET_KEY", None, "SCHOOLPEERS_SECRET_KEY"),
        ("SECRET_KEY", "short", "SCHOOLPEERS_SECRET_KEY"),
        ("SQLALCHEMY_DATABASE_URI", None, "DATABASE_URL"),
        ("BASE_URL", None, "SCHOOLPEERS_BASE_URL"),
        ("BASE_URL", "peers", "SCHOOLPEERS_BASE_URL"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(monkeypatch, setting, value, missing):
    with pytest.raises(RuntimeError, match=missing):
        production_app(monkeypatch, **{setting: value})


def test_production_cookies_are_secure(monkeypatch):
    app = production_app(monkeypatch)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_production_answers_only_for_its_own_hosts(monkeypatch):
    app = production_app(monkeypatch, BASE_URL="https://peers.example.org",
                         EXTRA_TRUSTED_HOSTS=["peers-internal.example.org"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": "peers.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "peers-internal.example.org:8000"}).status_code == 200
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400


def test_setup_links_are_built_on_the_base_url_not_the_host_header(client, users, login_as, make_user, app,
                                                                    monkeypatch):
    import re

    monkeypatch.setitem(app.config, "BASE_URL", "https://peers.example.org/")
    student = make_user("student", password=None)
    from schoolpeers.extensions import db

    db.session.commit()
    login_as(users["admin"])
    page = client.post(f"/admin/users/{student.id}/setup-link")  # the test client's host is "localhost"
    links = re.findall(r"https?://[^\s\"<]+/setup/[^\s\"<]+", page.get_data(as_text=True))
    assert links and all(link.startswith("https://peers.example.org/setup/") for link in links)
    from schoolpeers.web import absolute_url

    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert absolute_url("accounts.setup_code") == "https://peers.example.org/setup/code"


def test_embedded_default_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setattr(config.DevelopmentConfig, "SQLALCHEMY_DATABASE_URI", None)
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/schoolpeers.sqlite")
    assert len(app.config["SECRET_KEY"]) >= 32


def _key_of_a_process_starting_together(path: str) -> str:
    from schoolpeers import kept_key

    return kept_key(Path(path), lambda: secrets.token_urlsafe(48))


def test_processes_starting_together_keep_one_key_and_read_it_whole(tmp_path):
    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(max_workers=8, mp_context=multiprocessing.get_context("spawn")) as pool:
        keys = list(pool.map(_key_of_a_process_starting_together, [str(path)] * 16))
    assert len(set(keys)) == 1 and len(keys[0]) >= 48
    assert path.read_text() == keys[0] and path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no draft left behind
    assert _key_of_a_process_starting_together(str(path)) == keys[0]  # kept, not made again


def test_behind_a_proxy_the_visitor_address_comes_from_its_header():
    from flask import request

    def seen_address(hops):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": hops})
        app.add_url_rule("/ip", "ip", lambda: request.remote_addr)
        return app.test_client().get("/ip", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)

    assert seen_address(1) == "203.0.113.7"
    assert seen_address(0) == "10.0.0.2"  # without a proxy the header is anybody's claim
