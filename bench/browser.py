"""A minimal HTTP client that signs in through the real forms, as a person's browser would.

Production cookies are `Secure`, and a standard cookie jar never sends those over plain http;
behind the proxy that ends TLS the app server speaks http, so this client keeps the cookies from
Set-Cookie itself and sends them back whatever the scheme.
"""
from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pyotp

USER_AGENT = "schoolpeers-bench/1"  # the load generator sends the same one with the session cookie
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class SignInError(RuntimeError):
    pass


@dataclass
class Reply:
    status: int
    location: str
    body: str


class Browser:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> Reply:
        return self._send("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Reply:
        return self._send("POST", path, urlencode(fields))

    def submit(self, path: str, fields: dict[str, str]) -> Reply:
        """GET the form for its CSRF token, then POST it with these fields."""
        token = CSRF_FIELD.search(self.get(path).body)
        return self.post(path, {**({"csrf_token": token.group(1)} if token else {}), **fields})

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _send(self, method: str, path: str, body: str | None = None) -> Reply:
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            return Reply(response.status, urlsplit(response.headers.get("Location", "")).path, text)
        finally:
            connection.close()

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            expired = morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0"
            if expired or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def sign_in(browser: Browser, login: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in with the password, and with a code when the account asks for one; raise if refused."""
    reply = browser.submit("/login", {"login": login, "password": password})
    if reply.status != 302:
        raise SignInError(f"{login}: the password step answered {reply.status}")
    if reply.location == "/login/code":
        if totp_secret is None:
            raise SignInError(f"{login}: a code was asked for, but the account has no secret here")
        reply = submit_code(browser, totp_secret)
    elif reply.location.startswith("/account/two-factor/setup"):
        raise SignInError(f"{login}: must enrol an authenticator first (no TOTP secret in the database)")
    if reply.status != 302:
        raise SignInError(f"{login}: the code step answered {reply.status}")
    home = browser.get("/")
    if home.status != 200:
        raise SignInError(f"{login}: the home page answered {home.status} after signing in")


def submit_code(browser: Browser, secret: str) -> Reply:
    """The current code; a code is accepted once, so if this step was used already, wait for the next."""
    totp = pyotp.TOTP(secret)
    reply = browser.submit("/login/code", {"code": totp.now()})
    if reply.status != 302:
        time.sleep(totp.interval - time.time() % totp.interval + 0.5)
        reply = browser.submit("/login/code", {"code": totp.now()})
    return reply
