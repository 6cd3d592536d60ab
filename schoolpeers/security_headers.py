"""Response headers that protect every page: no foreign scripts, no framing, no caching of personal data."""
from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

from schoolpeers.accounts.sessions import SESSIONLESS_ENDPOINTS

# Everything the app serves comes from itself: no inline script, no CDN, no framing.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


def register(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.endpoint not in SESSIONLESS_ENDPOINTS and current_user.is_authenticated:
            # Pages of a signed-in person carry personal data: never keep them in a cache.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
