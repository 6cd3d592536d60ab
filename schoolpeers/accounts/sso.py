"""Sign-in with a district's OpenID Connect provider (Google Workspace, Microsoft Entra ID, another).

The code flow with `state`, `nonce` and PKCE (S256); the ID token is checked against the provider's
published keys, issuer, audience, lifetime and nonce before any claim is believed. A person is found
by the subject bound on an earlier sign-in, else by verified email, else by the roster id claim, in
the provider's district only; an account is never created here. The provider settings a district
admin keeps are saved here too. Plain functions: callers commit.

Verified email: Google sends `email_verified`, and `hd` (the Workspace domain) must be the address's
domain, so a personal Google account carrying a school address is refused. Microsoft Entra sends no
`email_verified`: its `xms_edov` claim (the email's domain is verified by the tenant) stands for it;
an unverified `preferred_username` never does.
"""
from __future__ import annotations

import ipaddress
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import current_app
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts import secret_box
from schoolpeers.accounts.models import School, User
from schoolpeers.accounts.sso_models import PROVIDER_KINDS, SignInProvider, SsoIdentity
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import utcnow

GOOGLE_ISSUER = "https://accounts.google.com"
MICROSOFT_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SCOPE = "openid email profile"
HTTP_TIMEOUT = (3.05, 10)  # connect, read: a slow provider must not hold a worker for long
MAX_DOCUMENT_BYTES = 512 * 1024
LEEWAY_SECONDS = 60  # clock skew allowed on exp and iat
PENDING_SECONDS = 600  # from leaving for the provider to coming back
# Asymmetric algorithms only: "none" and the HMAC ones (keyed with the client secret) are refused.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
MAX_DOMAINS = 50

UNREACHABLE = "We could not reach {label} just now. Please try again in a few minutes."
START_AGAIN = "That sign-in took too long or was already used. Please start again."
CANCELLED = "Signing in with {label} was cancelled, so you are not signed in. You can try again."
NOT_CHECKED = "We could not check the answer from {label}, so you are not signed in. Please try again."
NOT_VERIFIED = ("{label} did not confirm that this email address is yours, so we cannot sign you in with it. "
                "Ask your school's IT team.")
WRONG_DOMAIN = "Addresses at {domain} cannot sign in with {label} here."
UNKNOWN = ("{email} does not match an active account here. Signing in never creates an account: ask your "
           "school's admin to add you.")
OTHER_SUBJECT = ("Your account is already linked to a different {label} sign-in. Ask your school's admin "
                 "to unlink it (on your page under Users), then sign in again.")
PROVIDER_OFF = "Signing in with this school account is not available. Sign in with your password instead."
PASSWORDS_OFF = ("Your school signs in with school accounts only: use “Sign in with your school account” "
                 "below.")


class SsoRefusal(Exception):
    """A sign-in refused: `message` is for the person, `reason` a short code for the audit log."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SignedIn:
    user: User
    # The provider asserted a multi-factor sign-in, and the district trusts it to stand for ours.
    second_factor_passed: bool
    matched_by: str  # "subject", "email" or "roster id"


# --- the provider's published configuration --------------------------------------------------------

_cache: dict[str, tuple[float, dict]] = {}
_cache_lock = threading.Lock()


def forget_cached() -> None:
    """Drop what discovery cached (a provider's settings changed)."""
    with _cache_lock:
        _cache.clear()


def local_issuers_allowed() -> bool:
    return bool(current_app.config.get("SSO_ALLOW_LOCAL_ISSUERS"))


def url_problem(url: str, *, allow_local: bool) -> str | None:
    """Why this issuer or endpoint URL cannot be used (None when it can): HTTPS, a name rather than a
    numeric address, and this computer only while testing or developing."""
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        host = None
    if not host or parts.username or parts.password or parts.fragment or any(c.isspace() for c in url):
        return "Enter the provider's address, such as https://accounts.google.com."
    if host in ("localhost", "127.0.0.1"):
        if allow_local and parts.scheme in ("http", "https"):
            return None
        return "A provider on this computer can only be used while testing."
    if parts.scheme != "https":
        return "The provider's address must start with https://."
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return "Use the provider's name, not a numeric address."


def _get_json(url: str) -> dict:
    """A JSON document from the provider: no redirects (the address was checked, where it leads was
    not), a size limit, and a time limit."""
    with requests.get(url, timeout=HTTP_TIMEOUT, allow_redirects=False, stream=True,
                      headers={"Accept": "application/json"}) as response:
        response.raise_for_status()
        body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ValueError("document too large")
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


def _cached(key: str, fetch, *, force: bool = False) -> dict:
    ttl = current_app.config.get("SSO_DISCOVERY_TTL", 3600)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit and not force and now - hit[0] < ttl:
        return hit[1]
    document = fetch()
    with _cache_lock:
        _cache[key] = (now, document)
    return document


def provider_metadata(provider: SignInProvider) -> dict:
    """The provider's discovery document (cached), checked: its issuer is the one configured, and its
    endpoints are addresses we may call. Raises SsoRefusal when it cannot be had."""
    allow_local = local_issuers_allowed()
    if url_problem(provider.issuer, allow_local=allow_local):
        raise SsoRefusal(UNREACHABLE.format(label=provider.label), "issuer_refused")

    def fetch() -> dict:
        document = _get_json(provider.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != provider.issuer:
            raise ValueError("issuer differs")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str) or url_problem(document[name], allow_local=allow_local):
                raise ValueError(f"bad {name}")
        return document

    try:
        return _cached(provider.issuer, fetch)
    except (requests.RequestException, ValueError, TypeError):
        raise SsoRefusal(UNREACHABLE.format(label=provider.label), "discovery_failed") from None


def _key_set(metadata: dict, *, force: bool = False) -> KeySet:
    return KeySet.import_key_set(_cached("jwks " + metadata["jwks_uri"], lambda: _get_json(metadata["jwks_uri"]),
                                         force=force))


# --- going to the provider -------------------------------------------------------------------------

def authorization_request(provider: SignInProvider, redirect_uri: str, *,
                          login_hint: str | None = None) -> tuple[str, dict]:
    """The address to send the person to, and what to keep in the signed session until they are back."""
    if not provider.enabled:
        raise SsoRefusal(PROVIDER_OFF, "provider_disabled")
    metadata = provider_metadata(provider)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    client = OAuth2Session(provider.client_id, scope=SCOPE, redirect_uri=redirect_uri, code_challenge_method="S256")
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state, code_verifier=verifier,
                                             nonce=nonce, **extra)
    return url, {"provider": provider.id, "state": state, "nonce": nonce, "verifier": verifier,
                 "at": int(time.time())}


def provider_of(pending) -> SignInProvider | None:
    """The provider a sign-in under way (kept in the session by `authorization_request`) is with."""
    if not isinstance(pending, dict) or not isinstance(pending.get("provider"), int):
        return None
    return db.session.get(SignInProvider, pending["provider"])


def check_return(provider: SignInProvider | None, pending, state: str | None, *, now: float | None = None) -> None:
    """A callback is ours when a sign-in is under way, its `state` is the one we sent, it came back in
    time, and the provider is still on. Raises SsoRefusal otherwise."""
    now = time.time() if now is None else now
    if provider is None:
        raise SsoRefusal(START_AGAIN, "no_pending_sign_in")
    if not isinstance(state, str) or not secrets.compare_digest(state.encode(), str(pending.get("state")).encode()):
        raise SsoRefusal(START_AGAIN, "state_mismatch")
    if not isinstance(pending.get("at"), int) or now - pending["at"] > PENDING_SECONDS:
        raise SsoRefusal(START_AGAIN, "too_slow")
    if not provider.enabled:
        raise SsoRefusal(PROVIDER_OFF, "provider_disabled")


# --- coming back -----------------------------------------------------------------------------------

def client_secret(provider: SignInProvider) -> str:
    return secret_box.open_sealed(provider.client_secret_sealed, current_app.config["TOTP_KEYS"])


def exchange_code(provider: SignInProvider, code: str, verifier: str, redirect_uri: str) -> dict:
    """The token response for an authorization code (client_secret_basic, or _post when that is all the
    provider takes)."""
    metadata = provider_metadata(provider)
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_post" if "client_secret_basic" not in methods and "client_secret_post" in methods \
        else "client_secret_basic"
    try:
        client = OAuth2Session(provider.client_id, client_secret(provider), redirect_uri=redirect_uri,
                               token_endpoint_auth_method=method)
        with client:
            token = client.fetch_token(metadata["token_endpoint"], grant_type="authorization_code", code=code,
                                       code_verifier=verifier, timeout=HTTP_TIMEOUT, allow_redirects=False)
    except secret_box.SecretKeyError:
        raise SsoRefusal(NOT_CHECKED.format(label=provider.label), "client_secret_unreadable") from None
    except (requests.RequestException, AuthlibBaseError, ValueError, TypeError, KeyError):
        raise SsoRefusal(NOT_CHECKED.format(label=provider.label), "code_exchange_failed") from None
    if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
        raise SsoRefusal(NOT_CHECKED.format(label=provider.label), "no_id_token")
    return dict(token)


def verify_id_token(provider: SignInProvider, id_token: str, nonce: str, *, access_token: str | None = None,
                    now: int | None = None) -> dict:
    """The ID token's claims, once its signature (the provider's published keys), issuer, audience
    (with `azp` when there are several), lifetime and nonce are right. Raises SsoRefusal."""
    metadata = provider_metadata(provider)
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [a for a in offered if a in SIGNING_ALGORITHMS] if isinstance(offered, list) else []
    refused = SsoRefusal(NOT_CHECKED.format(label=provider.label), "id_token_invalid")
    if not algorithms:
        raise refused
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        try:
            token = jwt.decode(id_token, _key_set(metadata), registry=registry)
        except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
            token = jwt.decode(id_token, _key_set(metadata, force=True), registry=registry)
        claims = CodeIDToken(token.claims, token.header, options={
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "sub": {"essential": True},
        }, params={"nonce": nonce, "client_id": provider.client_id, "access_token": access_token})
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
    except (JoseError, requests.RequestException, ValueError, TypeError, KeyError) as exc:
        what = ":".join(str(part) for part in (getattr(exc, "error", type(exc).__name__), getattr(exc, "claim", ""))
                        if part)
        refused.reason = f"id_token_invalid:{what}"[:60]
        raise refused from None
    return dict(claims)


def _true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def verified_address(kind: str, claims: dict, allowed_domains, label: str) -> str:
    """The person's email address (lower case) when the provider vouches for it and its domain is one
    the provider is allowed for. Raises SsoRefusal."""
    email = claims.get("email")
    if not isinstance(email, str) or email.count("@") != 1 or len(email) > 254:
        raise SsoRefusal(NOT_VERIFIED.format(label=label), "no_email")
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    verified = _true(claims.get("email_verified"))
    if kind == "microsoft":
        verified = verified or _true(claims.get("xms_edov")) or claims.get("xms_edov") in (1, "1")
    if not verified:
        raise SsoRefusal(NOT_VERIFIED.format(label=label), "email_not_verified")
    if domain not in set(allowed_domains or ()):
        raise SsoRefusal(WRONG_DOMAIN.format(domain=domain, label=label), "domain_not_allowed")
    if kind == "google" and claims.get("hd") != domain:  # a personal account, not the school's Workspace
        raise SsoRefusal(WRONG_DOMAIN.format(domain=domain, label=label), "not_workspace_account")
    return email


def provider_asserts_mfa(provider: SignInProvider, claims: dict) -> bool:
    amr = claims.get("amr")
    return bool(provider.trust_provider_mfa) and isinstance(amr, list) and "mfa" in amr


def _district_school_ids(district_id: int):
    return select(School.id).where(School.district_id == district_id)  # its schools and its office


def find_account(provider: SignInProvider, subject: str, email: str, claims: dict) -> tuple[User | None, str]:
    """The account this sign-in is for, and how it was found: the bound subject first, then the
    address, then the roster id claim; only among the provider's district's schools and office."""
    schools = _district_school_ids(provider.district_id)
    identity = db.session.scalar(select(SsoIdentity).where(
        SsoIdentity.district_id == provider.district_id, SsoIdentity.provider_id == provider.id,
        SsoIdentity.subject == subject))
    if identity is not None:
        bound = select(User).where(User.id == identity.user_id, User.school_id.in_(schools))
        return db.session.scalar(bound), "subject"
    user = db.session.scalar(select(User).where(User.email == email, User.school_id.in_(schools)))
    if user is not None:
        return user, "email"
    roster_id = claims.get(provider.roster_id_claim) if provider.roster_id_claim else None
    if isinstance(roster_id, str | int) and not isinstance(roster_id, bool) and str(roster_id).strip():
        found = list(db.session.scalars(select(User).where(
            User.roster_id == str(roster_id).strip(), User.school_id.in_(schools)).limit(2)))
        if len(found) == 1:  # the same roster id in two schools of the district: never guess
            return found[0], "roster id"
    return None, ""


def _bind(provider: SignInProvider, subject: str, user: User) -> None:
    """The subject is bound to the account on its first sign-in; later sign-ins follow it."""
    other = db.session.scalar(select(SsoIdentity.id).where(
        SsoIdentity.district_id == provider.district_id, SsoIdentity.provider_id == provider.id,
        SsoIdentity.user_id == user.id))
    if other is not None:
        raise SsoRefusal(OTHER_SUBJECT.format(label=provider.label), "bound_to_other_subject")
    try:
        with db.session.begin_nested():
            db.session.add(SsoIdentity(district_id=provider.district_id, school_id=user.school_id,
                                       provider_id=provider.id, subject=subject, user_id=user.id,
                                       last_used_at=utcnow()))
    except IntegrityError:  # the same first sign-in, twice at once: the other one bound it
        raise SsoRefusal(START_AGAIN, "bound_concurrently") from None


def complete_sign_in(provider: SignInProvider, pending: dict, args, redirect_uri: str, *,
                     now: int | None = None) -> SignedIn:
    """The callback's work once `check_return` accepted it: the code exchanged, the ID token
    checked, the person found (never created) and the subject bound. Raises SsoRefusal."""
    if args.get("error"):
        raise SsoRefusal(CANCELLED.format(label=provider.label), f"provider_error:{str(args.get('error'))[:40]}")
    code = args.get("code")
    if not isinstance(code, str) or not code or len(code) > 2000:
        raise SsoRefusal(START_AGAIN, "no_code")
    token = exchange_code(provider, code, str(pending.get("verifier", "")), redirect_uri)
    claims = verify_id_token(provider, token["id_token"], str(pending.get("nonce", "")),
                             access_token=token.get("access_token"), now=now)
    if not isinstance(claims.get("sub"), str) or len(claims["sub"]) > 255:
        raise SsoRefusal(NOT_CHECKED.format(label=provider.label), "bad_subject")
    email = verified_address(provider.kind, claims, provider.allowed_domains, provider.label)
    user, matched_by = find_account(provider, claims["sub"], email, claims)
    if user is None or not user.active or user.erased_at is not None:
        raise SsoRefusal(UNKNOWN.format(email=email), "unknown_person" if user is None else "inactive_person")
    if matched_by == "subject":
        db.session.execute(SsoIdentity.__table__.update().where(
            SsoIdentity.provider_id == provider.id, SsoIdentity.subject == claims["sub"]).values(last_used_at=utcnow()))
    else:
        _bind(provider, claims["sub"], user)
    user.last_login_at = utcnow()
    db.session.flush()
    return SignedIn(user, provider_asserts_mfa(provider, claims), matched_by)


# --- finding a provider, and passwords ----------------------------------------------------------------

def provider_for_address(email: str) -> SignInProvider | None:
    """The enabled provider whose allowed domains hold this address (a domain belongs to one district;
    within it, the first provider added)."""
    domain = (email or "").strip().lower().rpartition("@")[2]
    if not domain:
        return None
    providers = db.session.scalars(select(SignInProvider).where(SignInProvider.enabled.is_(True))
                                   .order_by(SignInProvider.id))
    return next((p for p in providers if domain in (p.allowed_domains or ())), None)


def office_of(district_id: int) -> School | None:
    return db.session.scalar(select(School).where(School.district_id == district_id,
                                                  School.kind == "district_office"))


# --- provider settings (district admins) -------------------------------------------------------------

def reseal_client_secrets(keys: list[str]) -> int:
    """Seal every provider's client secret with the first key (after a key rotation, like
    `two_factor.reseal_all`; installation-wide, so across districts); flushes. How many."""
    providers = list(db.session.scalars(select(SignInProvider).where(SignInProvider.client_secret_sealed != "")))
    for provider in providers:
        provider.client_secret_sealed = secret_box.reseal(provider.client_secret_sealed, keys)
    db.session.flush()
    return len(providers)


def parse_domains(text: str) -> list[str]:
    """Domains typed one per line (commas and spaces too), lower-cased, without "@"; FieldRefusal for a
    line that is not a domain."""
    found: list[str] = []
    for piece in re.split(r"[\s,;]+", text or ""):
        domain = piece.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            raise FieldRefusal("allowed_domains", f"“{piece[:60]}” is not an email domain such as school.org.")
        if domain not in found:
            found.append(domain)
    if not found:
        raise FieldRefusal("allowed_domains", "Enter at least one email domain, such as school.org.")
    if len(found) > MAX_DOMAINS:
        raise FieldRefusal("allowed_domains", f"Enter at most {MAX_DOMAINS} domains.")
    return found


def issuer_for(kind: str, *, tenant_id: str | None = None, issuer: str | None = None) -> str:
    if kind == "google":
        return GOOGLE_ISSUER
    if kind == "microsoft":
        tenant = (tenant_id or "").strip().lower()
        if not TENANT_ID.match(tenant):
            raise FieldRefusal("tenant_id", "Enter the tenant id: 36 characters such as "
                                            "72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin centre, Overview).")
        return MICROSOFT_ISSUER.format(tenant=tenant)
    issuer = (issuer or "").strip().rstrip("/")
    if problem := url_problem(issuer, allow_local=local_issuers_allowed()):
        raise FieldRefusal("issuer", problem)
    return issuer


def tenant_of(provider: SignInProvider) -> str:
    prefix, suffix = MICROSOFT_ISSUER.split("{tenant}")
    issuer = provider.issuer or ""
    return issuer[len(prefix):-len(suffix)] if issuer.startswith(prefix) and issuer.endswith(suffix) else ""


def list_providers(district_id: int) -> list[SignInProvider]:
    return list(db.session.scalars(select(SignInProvider).where(SignInProvider.district_id == district_id)
                                   .order_by(SignInProvider.id)))


def school_accounts_of(user: User) -> list[tuple[SsoIdentity, SignInProvider]]:
    """The providers' sign-ins linked to the person's account, each with its provider."""
    identities = list(db.session.scalars(select(SsoIdentity).where(
        SsoIdentity.school_id == user.school_id, SsoIdentity.user_id == user.id).order_by(SsoIdentity.id)))
    if not identities:
        return []
    providers = {p.id: p for p in list_providers(identities[0].district_id)}
    return [(identity, providers[identity.provider_id]) for identity in identities]


def unlink_school_accounts(user: User) -> int:
    """Forget which provider sign-ins are the person's: their next school-account sign-in finds them again
    by verified address (or roster id) and links what they signed in with. How many were unlinked."""
    return db.session.execute(delete(SsoIdentity).where(
        SsoIdentity.school_id == user.school_id, SsoIdentity.user_id == user.id)).rowcount


def linked_accounts(provider: SignInProvider) -> int:
    return db.session.scalar(select(func.count()).select_from(SsoIdentity).where(
        SsoIdentity.district_id == provider.district_id, SsoIdentity.provider_id == provider.id)) or 0


def save_provider(district_id: int, provider: SignInProvider | None, *, kind: str, label: str, client_id: str,
                  client_secret: str | None, domains_text: str, tenant_id: str | None = None,
                  issuer: str | None = None, roster_id_claim: str | None = None, trust_provider_mfa: bool = False,
                  enabled: bool = True) -> tuple[SignInProvider, list[str]]:
    """Add (provider None) or change a provider of the district; returns it and the names of the
    settings that changed. A blank secret keeps the one saved. FieldRefusal for bad settings."""
    if kind not in PROVIDER_KINDS:
        raise FieldRefusal("kind", "Choose Google, Microsoft or another provider.")
    issuer_url = issuer_for(kind, tenant_id=tenant_id, issuer=issuer)
    domains = parse_domains(domains_text)
    others = db.session.scalars(select(SignInProvider).where(SignInProvider.district_id != district_id))
    for other in others:
        if taken := sorted(set(domains) & set(other.allowed_domains or ())):
            raise FieldRefusal("allowed_domains", f"{taken[0]} already signs in with another district's provider.")
    same_issuer = select(SignInProvider.id).where(SignInProvider.district_id == district_id,
                                                  SignInProvider.issuer == issuer_url)
    if provider is not None:
        same_issuer = same_issuer.where(SignInProvider.id != provider.id)
    if db.session.scalar(same_issuer) is not None:
        raise FieldRefusal("issuer" if kind == "oidc" else "kind", "The district already has a provider with "
                                                                   "this issuer: change that one instead.")
    secret = (client_secret or "").strip()
    if provider is None and not secret:
        raise FieldRefusal("client_secret", "Enter the client secret the provider gave you.")
    values = {"kind": kind, "label": label.strip(), "issuer": issuer_url, "client_id": client_id.strip(),
              "allowed_domains": domains, "roster_id_claim": (roster_id_claim or "").strip() or None,
              "trust_provider_mfa": bool(trust_provider_mfa), "enabled": bool(enabled)}
    if provider is None:
        provider = SignInProvider(district_id=district_id, client_secret_sealed="")
        db.session.add(provider)
    changed = [name for name, value in values.items() if getattr(provider, name) != value]
    for name, value in values.items():
        setattr(provider, name, value)
    if secret:
        provider.client_secret_sealed = secret_box.seal(secret, current_app.config["TOTP_KEYS"])
        changed.append("client_secret")
    db.session.flush()
    forget_cached()
    return provider, changed
