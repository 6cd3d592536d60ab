from schoolpeers.security_headers import CONTENT_SECURITY_POLICY
from tests.test_config import production_app


def test_every_page_sends_protective_headers(client):
    headers = client.get("/login").headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # only behind HTTPS in production


def test_pages_with_personal_data_are_never_cached(client, users, login_as):
    login_as(users["admin"])
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")


def test_production_adds_hsts(monkeypatch):
    app = production_app(monkeypatch)
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
