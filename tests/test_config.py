import pytest

import config
from schoolpeers import create_app


def test_plain_postgres_urls_use_psycopg3():
    assert config.normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert config.normalise_database_url("") is None


@pytest.mark.parametrize(
    ("secret", "url", "missing"),
    [
        (None, "postgresql+psycopg://db/x", "SCHOOLPEERS_SECRET_KEY"),
        ("short", "postgresql+psycopg://db/x", "SCHOOLPEERS_SECRET_KEY"),
        ("k" * 40, None, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(monkeypatch, secret, url, missing):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secret)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", url)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production")


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "k" * 40)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_embedded_default_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setattr(config.DevelopmentConfig, "SQLALCHEMY_DATABASE_URI", None)
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/schoolpeers.sqlite")
    assert len(app.config["SECRET_KEY"]) >= 32


def test_behind_a_proxy_the_visitor_address_comes_from_its_header():
    from flask import request

    def seen_address(hops):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": hops})
        app.add_url_rule("/ip", "ip", lambda: request.remote_addr)
        return app.test_client().get("/ip", headers={"X-Forwarded-For": "203.0.113.7"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)

    assert seen_address(1) == "203.0.113.7"
    assert seen_address(0) == "10.0.0.2"  # without a proxy the header is anybody's claim
