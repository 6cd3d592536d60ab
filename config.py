"""Configuration from environment variables.

`create_app()` picks a class by `SCHOOLPEERS_ENV` (development, testing, production);
everything a deployment changes is an environment variable read here and nowhere else.
"""
from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit

from schoolpeers.accounts.sign_in_delays import DelayRule


def normalise_database_url(url: str | None) -> str | None:
    """Point plain PostgreSQL URLs at psycopg 3, the driver we ship."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    SECRET_KEY = os.environ.get("SCHOOLPEERS_SECRET_KEY")
    # None means: the embedded SQLite file under instance/ (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL"))
    # hide_parameters: a failed statement's log line must never carry a student's notes.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    MAIL_SERVER = os.environ.get("SCHOOLPEERS_SMTP_HOST")
    MAIL_PORT = env_int("SCHOOLPEERS_SMTP_PORT", 25)
    MAIL_USERNAME = os.environ.get("SCHOOLPEERS_SMTP_USER")
    MAIL_PASSWORD = os.environ.get("SCHOOLPEERS_SMTP_PASSWORD")
    MAIL_USE_TLS = os.environ.get("SCHOOLPEERS_SMTP_STARTTLS", "0") == "1"
    MAIL_SENDER = os.environ.get("SCHOOLPEERS_MAIL_FROM", "schoolpeers@localhost")
    # Links in mail (sent outside any request, e.g. by the escalation command) start with this.
    BASE_URL = os.environ.get("SCHOOLPEERS_BASE_URL", "http://127.0.0.1:5000")
    # A family's consent link works this many days; unanswered requests are reminded once a week,
    # twice at most.
    CONSENT_LINK_DAYS = env_int("SCHOOLPEERS_CONSENT_LINK_DAYS", 30)
    CONSENT_REMINDER_DAYS = env_int("SCHOOLPEERS_CONSENT_REMINDER_DAYS", 7)
    CONSENT_REMINDERS = 2

    # Sign-in guessing: a ceiling of failed sign-ins per address, shared through Redis when REDIS_URL is
    # set. Generous, since a whole school may sign in from behind one address; guessing one account
    # is slowed by the delays below.
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Installations sharing one Redis keep apart by their prefix.
    RATELIMIT_KEY_PREFIX = os.environ.get("SCHOOLPEERS_RATELIMIT_KEY_PREFIX", "schoolpeers")
    # Redis unreachable: count in each process instead (logged), rather than refuse every sign-in.
    # Per-process limits are looser (one count per app server) but still stop a guessing run, and
    # a school whose Redis restarts can still sign in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("SCHOOLPEERS_LOGIN_LIMIT_PER_ADDRESS", "300 per 10 minutes")
    # Downloads of reports and of the audit log, per person; reports of more cells (periods × groups)
    # than the next setting are made in the background and offered on a page when ready.
    EXPORT_LIMIT_PER_PERSON = os.environ.get("SCHOOLPEERS_EXPORT_LIMIT_PER_PERSON", "20 per 10 minutes")
    REPORT_EXPORT_INLINE_CELLS = env_int("SCHOOLPEERS_REPORT_EXPORT_INLINE_CELLS", 400)
    # Growing waits instead of a lock (accounts/throttles.py). One address guessing one account waits
    # up to 15 minutes (a school's pupils may share the owner's address, so no longer); failures from
    # anywhere make the account wait at most five minutes, so strangers cannot keep its owner out for
    # long; a wrong second-step code is only possible with the password.
    SIGN_IN_DELAYS = {
        "pair": DelayRule(free=5, first_seconds=2, max_seconds=900),
        "account": DelayRule(free=10, first_seconds=1, max_seconds=300),
        "code": DelayRule(free=5, first_seconds=30, max_seconds=900),
    }

    # Fernet keys sealing authenticator secrets at rest: the first encrypts, all decrypt (rotation).
    TOTP_KEYS = [k.strip() for k in os.environ.get("SCHOOLPEERS_TOTP_KEYS", "").split(",") if k.strip()]
    # Single sign-on: client secrets are sealed with TOTP_KEYS too. A provider's discovery document and
    # keys are kept this many seconds; a provider on this computer (http://localhost) only in
    # development and testing.
    SSO_DISCOVERY_TTL = env_int("SCHOOLPEERS_SSO_DISCOVERY_TTL", 3600)
    SSO_ALLOW_LOCAL_ISSUERS = False
    # Roles that must use an authenticator app; anyone else may choose to.
    TWO_FACTOR_ROLES = frozenset(
        r.strip() for r in os.environ.get("SCHOOLPEERS_TWO_FACTOR_ROLES", "counselor,admin,district_admin").split(",")
        if r.strip()
    )
    # Sessions end after this long without a request, and in any case SCHOOLPEERS_SESSION_HOURS after sign-in.
    IDLE_MINUTES_ADULT = env_int("SCHOOLPEERS_IDLE_MINUTES", 30)
    IDLE_MINUTES_STUDENT = env_int("SCHOOLPEERS_STUDENT_IDLE_MINUTES", 60)

    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are trusted (0: none).
    PROXY_HOPS = env_int("SCHOOLPEERS_PROXY_HOPS", 0)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=env_int("SCHOOLPEERS_SESSION_HOURS", 12))
    SETUP_LINK_MAX_AGE = timedelta(days=7)
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # roster files (50,000 users are about 6 MB); larger is refused with 413
    # Long work (a roster import) runs in the job consumer (`flask jobs work`);
    # True runs it inside the request instead, as the tests and the browser journeys do.
    JOBS_RUN_INLINE = os.environ.get("SCHOOLPEERS_JOBS_INLINE", "0") == "1"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so a long form never expires
    USERS_PER_PAGE = 25


class DevelopmentConfig(Config):
    DEBUG = False  # the dev server still reloads with `flask run --debug`
    SSO_ALLOW_LOCAL_ISSUERS = True


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False  # one test turns it back on to prove the refusal
    RATELIMIT_ENABLED = False  # tests sign in hundreds of times from one address; limiter tests enable it
    SECRET_KEY = "test-secret-key-not-for-production"
    JOBS_RUN_INLINE = True
    SSO_ALLOW_LOCAL_ISSUERS = True
    TOTP_KEYS = ["dGVzdC1rZXktZm9yLXRvdHAtc2VjcmV0cy0zMmJ5dGU="]  # a fixed Fernet key, for tests only
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL"))


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    # __Host-: the browser keeps it only if Secure, for this host alone and path /: no subdomain can set it.
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # Every absolute link (setup links, letters, mail) starts with it, never with a request's Host header.
    BASE_URL = os.environ.get("SCHOOLPEERS_BASE_URL")
    # Requests for any other host are refused (400): the host of BASE_URL, and these (comma-separated).
    EXTRA_TRUSTED_HOSTS = [h.strip() for h in os.environ.get("SCHOOLPEERS_TRUSTED_HOSTS", "").split(",") if h.strip()]

    @classmethod
    def check(cls) -> None:
        """Refuse to start without what production cannot guess."""
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("SCHOOLPEERS_SECRET_KEY is missing or shorter than 32 characters")
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError("DATABASE_URL is missing")
        if not cls.TOTP_KEYS:
            raise RuntimeError("SCHOOLPEERS_TOTP_KEYS is missing (a Fernet key: python -c \"from cryptography."
                               "fernet import Fernet; print(Fernet.generate_key().decode())\")")
        if not cls.BASE_URL or not urlsplit(cls.BASE_URL).hostname:
            raise RuntimeError("SCHOOLPEERS_BASE_URL is missing (the address people use, e.g. https://peers.example.org)")

    @classmethod
    def trusted_hosts(cls) -> list[str]:
        return [urlsplit(cls.BASE_URL).hostname, *cls.EXTRA_TRUSTED_HOSTS]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
