"""Single sign-on, the service: ID tokens from a real OpenID Connect provider run on localhost
(oidc-provider-mock, built on Authlib's server), the claims we believe, finding the account, and the
provider settings a district admin keeps."""
from __future__ import annotations

import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import current_app
from hypothesis import given, settings
from hypothesis import strategies as st
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import func, select

from schoolpeers.accounts import secret_box, sso
from schoolpeers.accounts.sso_models import SignInProvider
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from tests.factories import UserFactory, make_district

CLIENT_ID = "schoolpeers-test"
REDIRECT_URI = "http://127.0.0.1:5000/sign-in/callback"


# --- the provider, shared by the tests of a module ---------------------------------------------------

@pytest.fixture(scope="module")
def idp():
    """The issuer address of a real OpenID Connect provider running in a thread."""
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def put_user(issuer: str, sub: str, **claims) -> None:
    """The provider's account `sub` with these claims (in the ID token when the scope allows)."""
    requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()


def authorize(authorization_url: str, sub: str) -> str:
    """The person `sub` approves at the provider; the address it sends them back to."""
    response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text[:300]
    return response.headers["location"]


def issued_id_token(issuer: str, sub: str, *, client_id: str = CLIENT_ID, nonce: str = "nonce-1") -> str:
    """A real ID token the provider issues to `client_id` for `sub`."""
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI,
              "scope": sso.SCOPE, "state": "s", "nonce": nonce}
    back = authorize(f"{issuer}/oauth2/authorize?" + requests.compat.urlencode(params), sub)
    code = parse_qs(urlsplit(back).query)["code"][0]
    token = requests.post(f"{issuer}/oauth2/token", timeout=5, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": client_id,
        "client_secret": "anything"}).json()
    return token["id_token"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def add_provider(district, issuer: str, *, domains=("riverside.org",), kind: str = "oidc", **values) -> SignInProvider:
    provider = SignInProvider(district_id=district.id, kind=kind, label=values.pop("label", "Riverside accounts"),
                              issuer=issuer, client_id=CLIENT_ID,
                              client_secret_sealed=secret_box.seal("shh", current_app.config["TOTP_KEYS"]),
                              allowed_domains=list(domains), **values)
    db.session.add(provider)
    db.session.flush()
    return provider


@pytest.fixture
def riverside(school, other_school, idp):
    """`school` in district Riverside with a provider on the local issuer; `other_school` in Hillside."""
    ours = make_district(school, "riverside", with_provider=False)
    theirs = make_district(other_school, "hillside", with_provider=False)
    provider = add_provider(ours["district"], idp)
    db.session.commit()
    sso.forget_cached()
    return {"ours": ours, "theirs": theirs, "provider": provider}


# --- the ID token --------------------------------------------------------------------------------------

def test_a_real_id_token_is_accepted_with_its_claims(riverside, idp):
    put_user(idp, "ada-1", email="Ada@Riverside.org", email_verified=True, amr=["pwd", "mfa"])
    claims = sso.verify_id_token(riverside["provider"], issued_id_token(idp, "ada-1"), "nonce-1")
    assert claims["sub"] == "ada-1" and claims["email"] == "Ada@Riverside.org" and claims["iss"] == idp


def test_a_token_issued_to_another_client_is_refused(riverside, idp):
    """The provider signs it, the issuer and nonce are right: only the audience is someone else's."""
    put_user(idp, "ada-2", email="ada@riverside.org", email_verified=True)
    token = issued_id_token(idp, "ada-2", client_id="another-app")
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.verify_id_token(riverside["provider"], token, "nonce-1")
    assert refused.value.reason.startswith("id_token_invalid") and "aud" in refused.value.reason


def test_an_expired_token_is_refused(riverside, idp):
    put_user(idp, "ada-3", email="ada@riverside.org", email_verified=True)
    token = issued_id_token(idp, "ada-3")
    provider = riverside["provider"]
    assert sso.verify_id_token(provider, token, "nonce-1", now=int(time.time()) + 3000)  # an hour's token
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.verify_id_token(provider, token, "nonce-1", now=int(time.time()) + 3600 + sso.LEEWAY_SECONDS + 5)
    assert "exp" in refused.value.reason


def test_a_token_of_the_future_is_refused(riverside, idp):
    put_user(idp, "ada-4", email="ada@riverside.org", email_verified=True)
    with pytest.raises(sso.SsoRefusal):
        sso.verify_id_token(riverside["provider"], issued_id_token(idp, "ada-4"), "nonce-1",
                            now=int(time.time()) - 600)


def test_a_replayed_token_fails_on_its_nonce(riverside, idp):
    put_user(idp, "ada-5", email="ada@riverside.org", email_verified=True)
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.verify_id_token(riverside["provider"], issued_id_token(idp, "ada-5", nonce="old"), "nonce-1")
    assert "nonce" in refused.value.reason


def test_a_changed_token_fails_on_its_signature(riverside, idp):
    put_user(idp, "ada-6", email="ada@riverside.org", email_verified=True)
    header, payload, signature = issued_id_token(idp, "ada-6").split(".")
    forged = f"{header}.{payload}.{signature[:-6]}AAAAAA"
    with pytest.raises(sso.SsoRefusal):
        sso.verify_id_token(riverside["provider"], forged, "nonce-1")


def test_a_token_of_another_provider_is_refused(riverside, idp):
    """Another real provider (its own keys, its own issuer) for the same client id."""
    with run_server_in_thread() as other:
        issuer = f"http://localhost:{other.server_port}"
        put_user(issuer, "ada-7", email="ada@riverside.org", email_verified=True)
        token = issued_id_token(issuer, "ada-7")
    with pytest.raises(sso.SsoRefusal):
        sso.verify_id_token(riverside["provider"], token, "nonce-1")


def test_an_unsigned_token_is_refused(riverside, idp):
    import base64
    import json

    def part(document):
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    now = int(time.time())
    token = part({"alg": "none"}) + "." + part({"iss": idp, "aud": CLIENT_ID, "sub": "x", "exp": now + 60,
                                                "iat": now, "nonce": "nonce-1"}) + "."
    with pytest.raises(sso.SsoRefusal):
        sso.verify_id_token(riverside["provider"], token, "nonce-1")


# --- discovery ----------------------------------------------------------------------------------------

def test_discovery_is_cached_until_its_time_is_up(app, riverside, monkeypatch):
    fetched = []
    real = sso._get_json
    monkeypatch.setattr(sso, "_get_json", lambda url: fetched.append(url) or real(url))
    provider = riverside["provider"]
    sso.provider_metadata(provider)
    sso.provider_metadata(provider)
    assert len(fetched) == 1
    monkeypatch.setitem(app.config, "SSO_DISCOVERY_TTL", 0)
    sso.provider_metadata(provider)
    assert len(fetched) == 2


def test_a_provider_that_is_down_is_refused_with_a_message(riverside):
    provider = riverside["provider"]
    provider.issuer = f"http://localhost:{closed_port()}"
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.provider_metadata(provider)
    assert refused.value.reason == "discovery_failed" and "could not reach" in str(refused.value)


def test_a_discovery_document_naming_another_issuer_is_refused(riverside, monkeypatch):
    """The provider's real document, its issuer changed on the way (a look-alike provider)."""
    real = sso._get_json
    monkeypatch.setattr(sso, "_get_json", lambda url: {**real(url), "issuer": "https://elsewhere.example"})
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.provider_metadata(riverside["provider"])
    assert refused.value.reason == "discovery_failed"


@pytest.mark.parametrize(("url", "allow_local", "ok"), [
    ("https://accounts.google.com", False, True),
    ("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", False, True),
    ("http://login.example.org", True, False),
    ("http://localhost:8080", True, True),
    ("http://127.0.0.1:8080", True, True),
    ("http://localhost:8080", False, False),
    ("https://10.0.0.5", False, False),
    ("https://[::1]/", True, False),
    ("https://user:pw@example.org", False, False),
    ("https://example.org:99999", False, False),
    ("not a url", False, False),
    ("", False, False),
])
def test_only_https_named_issuers_outside_testing(url, allow_local, ok):
    assert (sso.url_problem(url, allow_local=allow_local) is None) is ok


# --- the claims we believe -----------------------------------------------------------------------------

DOMAINS = ["riverside.org"]


@pytest.mark.parametrize(("kind", "claims", "reason"), [
    ("oidc", {"email": "ada@riverside.org", "email_verified": False}, "email_not_verified"),
    ("oidc", {"email": "ada@riverside.org"}, "email_not_verified"),
    ("oidc", {"email_verified": True}, "no_email"),
    ("oidc", {"email": "ada@hillside.org", "email_verified": True}, "domain_not_allowed"),
    ("oidc", {"email": "ada@sub.riverside.org", "email_verified": True}, "domain_not_allowed"),
    ("google", {"email": "ada@riverside.org", "email_verified": True}, "not_workspace_account"),
    ("google", {"email": "ada@riverside.org", "email_verified": True, "hd": "other.org"}, "not_workspace_account"),
    ("microsoft", {"email": "ada@riverside.org", "preferred_username": "ada@riverside.org"}, "email_not_verified"),
    ("microsoft", {"email": "ada@riverside.org", "xms_edov": False}, "email_not_verified"),
])
def test_addresses_the_provider_does_not_vouch_for_are_refused(kind, claims, reason):
    with pytest.raises(sso.SsoRefusal) as refused:
        sso.verified_address(kind, claims, DOMAINS, "Riverside")
    assert refused.value.reason == reason


@pytest.mark.parametrize(("kind", "claims"), [
    ("oidc", {"email": "Ada@Riverside.ORG", "email_verified": True}),
    ("oidc", {"email": "ada@riverside.org", "email_verified": "true"}),
    ("google", {"email": "ada@riverside.org", "email_verified": True, "hd": "riverside.org"}),
    ("microsoft", {"email": "ada@riverside.org", "xms_edov": True}),
    ("microsoft", {"email": "ada@riverside.org", "xms_edov": "1"}),
])
def test_addresses_the_provider_vouches_for_are_taken_in_lower_case(kind, claims):
    assert sso.verified_address(kind, claims, DOMAINS, "Riverside") == "ada@riverside.org"


@settings(max_examples=40)
@given(local=st.from_regex(r"[a-z0-9._-]{1,20}", fullmatch=True),
       domain=st.from_regex(r"([a-z0-9]{1,10}\.){1,3}[a-z]{2,6}", fullmatch=True),
       allowed=st.lists(st.from_regex(r"([a-z0-9]{1,10}\.){1,2}[a-z]{2,6}", fullmatch=True), max_size=4),
       verified=st.sampled_from([True, False, None, "true", "false", "1", "yes"]))
def test_an_address_is_accepted_only_when_verified_and_of_an_allowed_domain(local, domain, allowed, verified):
    claims = {"email": f"{local}@{domain}", "email_verified": verified}
    try:
        email = sso.verified_address("oidc", claims, allowed, "Riverside")
    except sso.SsoRefusal:
        assert verified not in (True, "true") or domain not in allowed
    else:
        assert verified in (True, "true") and domain in allowed and email == f"{local}@{domain}"


@given(st.text(max_size=200))
def test_domains_typed_are_domains_or_refused(text):
    try:
        domains = sso.parse_domains(text)
    except FieldRefusal as refusal:
        assert refusal.field == "allowed_domains"
    else:
        assert domains and len(set(domains)) == len(domains)
        assert all(sso.DOMAIN.match(d) and d == d.lower() and "@" not in d for d in domains)


def test_domains_are_read_one_per_line_lower_cased_without_at():
    assert sso.parse_domains("Riverside.org\n@students.riverside.org, riverside.org\n\n") == [
        "riverside.org", "students.riverside.org"]
    for bad in ("", "riverside", "river side.org", "a@b.org", "-x.org", "riverside.org/x"):
        with pytest.raises(FieldRefusal):
            sso.parse_domains(bad)


def test_only_a_trusted_provider_asserting_mfa_stands_for_the_second_factor(riverside):
    provider = riverside["provider"]
    assert not sso.provider_asserts_mfa(provider, {"amr": ["mfa"]})
    provider.trust_provider_mfa = True
    assert sso.provider_asserts_mfa(provider, {"amr": ["pwd", "mfa"]})
    assert not sso.provider_asserts_mfa(provider, {"amr": ["pwd"]})
    assert not sso.provider_asserts_mfa(provider, {"amr": "mfa"})
    assert not sso.provider_asserts_mfa(provider, {"acr": "mfa"})


# --- finding the account -------------------------------------------------------------------------------

def test_the_account_is_found_by_address_then_roster_id_in_the_district_only(riverside, school, other_school):
    provider = riverside["provider"]
    ada = UserFactory(school)("student", email="ada@riverside.org", roster_id="S-1")
    office_admin = riverside["ours"]["district_admin"]
    UserFactory(other_school)("student", email="bo@riverside.org", roster_id="S-2")  # Hillside's
    db.session.commit()
    assert sso.find_account(provider, "sub-a", "ada@riverside.org", {}) == (ada, "email")
    assert sso.find_account(provider, "sub-o", office_admin.email, {}) == (office_admin, "email")
    assert sso.find_account(provider, "sub-b", "bo@riverside.org", {}) == (None, "")
    provider.roster_id_claim = "employeeId"
    assert sso.find_account(provider, "sub-c", "x@riverside.org", {"employeeId": "S-1"}) == (ada, "roster id")
    assert sso.find_account(provider, "sub-d", "x@riverside.org", {"employeeId": "S-2"}) == (None, "")
    assert sso.find_account(provider, "sub-e", "x@riverside.org", {"employeeId": True}) == (None, "")


def test_a_roster_id_in_two_schools_of_the_district_matches_nobody(riverside, school):
    from schoolpeers.accounts.services import create_school

    second = create_school("Riverside High", "riverside-high", district_id=riverside["ours"]["district"].id)
    UserFactory(school)("student", roster_id="S-9")
    UserFactory(second)("student", roster_id="S-9")
    provider = riverside["provider"]
    provider.roster_id_claim = "employeeId"
    db.session.commit()
    assert sso.find_account(provider, "sub", "x@riverside.org", {"employeeId": "S-9"}) == (None, "")


# --- provider settings ---------------------------------------------------------------------------------

def test_a_provider_is_saved_with_its_secret_sealed(riverside):
    district = riverside["ours"]["district"]
    provider, changed = sso.save_provider(
        district.id, None, kind="microsoft", label="Riverside Microsoft", client_id=" app-1 ",
        client_secret="s3cret", domains_text="Staff.Riverside.org", tenant_id="72F988BF-86F1-41AF-91AB-2D7CD011DB47")
    assert provider.issuer == "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
    assert sso.tenant_of(provider) == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert provider.client_id == "app-1" and provider.allowed_domains == ["staff.riverside.org"]
    assert "s3cret" not in provider.client_secret_sealed and sso.client_secret(provider) == "s3cret"
    assert "client_secret" in changed
    sealed = provider.client_secret_sealed
    _, changed = sso.save_provider(district.id, provider, kind="microsoft", label="Riverside Microsoft",
                                   client_id="app-1", client_secret="", domains_text="staff.riverside.org",
                                   tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47")
    assert provider.client_secret_sealed == sealed and changed == []


@pytest.mark.parametrize(("values", "field"), [
    ({"kind": "microsoft", "tenant_id": "riverside.onmicrosoft.com"}, "tenant_id"),
    ({"kind": "oidc", "issuer": "http://login.example.org"}, "issuer"),
    ({"kind": "oidc", "issuer": ""}, "issuer"),
    ({"kind": "google", "client_secret": ""}, "client_secret"),
    ({"kind": "google", "domains_text": "hillside.org"}, "allowed_domains"),  # Hillside's already
    ({"kind": "google", "domains_text": "not a domain"}, "allowed_domains"),
    ({"kind": "saml"}, "kind"),
])
def test_bad_provider_settings_are_refused_next_to_their_field(riverside, values, field):
    add_provider(riverside["theirs"]["district"], "https://login.hillside.org", domains=("hillside.org",))
    before = db.session.scalar(select(func.count()).select_from(SignInProvider))
    arguments = {"label": "Google", "client_id": "c", "client_secret": "s", "domains_text": "riverside.org"} | values
    with pytest.raises(FieldRefusal) as refused:
        sso.save_provider(riverside["ours"]["district"].id, None, **arguments)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(SignInProvider)) == before


def test_a_second_provider_with_the_same_issuer_is_refused(riverside, idp):
    with pytest.raises(FieldRefusal):
        sso.save_provider(riverside["ours"]["district"].id, None, kind="oidc", label="Again", client_id="c",
                          client_secret="s", domains_text="riverside.org", issuer=idp)


def test_the_provider_for_an_address_is_the_enabled_one_of_its_domain(riverside):
    provider = riverside["provider"]
    assert sso.provider_for_address("Ada@RIVERSIDE.org") == provider
    assert sso.provider_for_address("ada@hillside.org") is None
    assert sso.provider_for_address("nobody") is None
    provider.enabled = False
    assert sso.provider_for_address("ada@riverside.org") is None


def test_client_secrets_are_sealed_again_with_a_new_first_key(app, riverside):
    new_key = secret_box.new_key()
    keys = [new_key, *app.config["TOTP_KEYS"]]
    assert sso.reseal_client_secrets(keys) == 1
    provider = riverside["provider"]
    assert secret_box.open_sealed(provider.client_secret_sealed, [new_key]) == "shh"
