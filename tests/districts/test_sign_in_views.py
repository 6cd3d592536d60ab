"""The district admin's pages for single sign-on providers: list, add, edit."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from schoolpeers.accounts import sso
from schoolpeers.accounts.sso_models import SignInProvider
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import make_district

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
GOOGLE = {"kind": "google", "label": "Riverside Google", "client_id": "app.apps.googleusercontent.com",
          "client_secret": "very-secret-value", "allowed_domains": "Riverside.org\nstudents.riverside.org",
          "enabled": "y"}


@pytest.fixture
def districts(school, other_school):
    ours = make_district(school, "riverside", with_provider=False)
    theirs = make_district(other_school, "hillside", with_provider=False)
    db.session.commit()
    return ours, theirs


@pytest.fixture
def admin_client(client, login_as, districts):
    return login_as(districts[0]["district_admin"])


def providers() -> list[SignInProvider]:
    return list(db.session.scalars(select(SignInProvider).order_by(SignInProvider.id)))


def page(response) -> str:
    return response.get_data(as_text=True)


def test_a_google_provider_is_added_with_its_secret_sealed_and_audited(admin_client, districts):
    response = admin_client.post("/district/sign-in/new", data=GOOGLE)
    assert response.status_code == 302, page(response)
    (provider,) = providers()
    assert provider.district_id == districts[0]["district"].id and provider.issuer == sso.GOOGLE_ISSUER
    assert provider.allowed_domains == ["riverside.org", "students.riverside.org"] and provider.enabled
    assert "very-secret-value" not in provider.client_secret_sealed
    assert sso.client_secret(provider) == "very-secret-value"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "district.sign_in_provider.create"))
    assert event.record_id == provider.id and "very-secret-value" not in str(event.detail)
    listing = page(admin_client.get("/district/sign-in/"))
    assert "Riverside Google" in listing and "students.riverside.org" in listing and "/sign-in/callback" in listing


def test_a_microsoft_provider_takes_its_issuer_from_the_tenant(admin_client):
    data = GOOGLE | {"kind": "microsoft", "label": "Riverside Microsoft", "tenant_id": TENANT.upper()}
    assert admin_client.post("/district/sign-in/new", data=data).status_code == 302
    assert providers()[0].issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "microsoft", "tenant_id": "riverside.onmicrosoft.com"}, "Enter the tenant id"),
    ({"kind": "oidc", "issuer": "http://login.riverside.org"}, "must start with https://"),
    ({"allowed_domains": "riverside"}, "is not an email domain"),
    ({"allowed_domains": ""}, "Enter at least one email domain"),
    ({"client_secret": ""}, "Enter the client secret"),
    ({"roster_id_claim": "employee id"}, "Use letters, digits"),
    ({"label": ""}, "Give the provider a name"),
])
def test_bad_settings_are_shown_next_to_their_field_and_nothing_is_saved(admin_client, changes, message):
    response = admin_client.post("/district/sign-in/new", data=GOOGLE | changes)
    assert response.status_code == 200 and message in page(response)
    assert providers() == []


def test_a_domain_of_another_district_is_refused(admin_client, districts):
    db.session.add(SignInProvider(district_id=districts[1]["district"].id, kind="oidc", label="Hillside",
                                  issuer="https://login.hillside.org", client_id="c", client_secret_sealed="x",
                                  allowed_domains=["students.riverside.org"]))
    db.session.commit()
    response = admin_client.post("/district/sign-in/new", data=GOOGLE)
    assert "students.riverside.org already signs in with another district" in page(response)
    assert len(providers()) == 1


def test_editing_keeps_the_secret_when_left_empty_and_never_shows_it(admin_client):
    admin_client.post("/district/sign-in/new", data=GOOGLE)
    provider = providers()[0]
    sealed = provider.client_secret_sealed
    form = page(admin_client.get(f"/district/sign-in/{provider.id}"))
    assert "very-secret-value" not in form and sealed not in form and "riverside.org\nstudents.riverside.org" in form
    response = admin_client.post(f"/district/sign-in/{provider.id}", data=GOOGLE | {
        "client_secret": "", "label": "Google accounts", "trust_provider_mfa": "y"})
    assert response.status_code == 302
    db.session.refresh(provider)
    assert provider.client_secret_sealed == sealed and provider.label == "Google accounts"
    assert provider.trust_provider_mfa
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "district.sign_in_provider.update"))
    assert set(event.detail["changed"]) == {"label", "trust_provider_mfa"}


def test_turning_a_provider_off(admin_client):
    admin_client.post("/district/sign-in/new", data=GOOGLE)
    provider = providers()[0]
    data = {k: v for k, v in GOOGLE.items() if k != "enabled"}
    assert admin_client.post(f"/district/sign-in/{provider.id}", data=data).status_code == 302
    db.session.refresh(provider)
    assert not provider.enabled and sso.provider_for_address("ada@riverside.org") is None


def test_another_district_s_provider_is_not_found(client, login_as, districts):
    provider = SignInProvider(district_id=districts[1]["district"].id, kind="google", label="Hillside",
                              issuer=sso.GOOGLE_ISSUER, client_id="c", client_secret_sealed="x",
                              allowed_domains=["hillside.org"])
    db.session.add(provider)
    db.session.commit()
    login_as(districts[0]["district_admin"])
    assert client.get(f"/district/sign-in/{provider.id}").status_code == 404
    assert client.post(f"/district/sign-in/{provider.id}", data=GOOGLE).status_code == 404
    assert "Hillside" not in page(client.get("/district/sign-in/"))
    assert db.session.scalar(select(func.count()).select_from(SignInProvider)) == 1


def test_an_analyst_may_not_change_providers(client, login_as, districts):
    login_as(districts[0]["district_analyst"])
    assert client.get("/district/sign-in/").status_code == 403
    assert client.post("/district/sign-in/new", data=GOOGLE).status_code == 403


FIELDS = ("kind", "label", "tenant_id", "issuer", "client_id", "client_secret", "allowed_domains",
          "roster_id_claim", "trust_provider_mfa", "enabled")
JUNK = st.one_of(st.text(max_size=40), st.sampled_from(["google", "microsoft", "oidc", "riverside.org", TENANT,
                                                        "https://login.example.org", "y", "x" * 600, "\x00"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, JUNK)))
def test_any_input_is_saved_whole_or_refused_without_a_write(admin_client, data):
    before = len(providers())
    response = admin_client.post("/district/sign-in/new", data=data)
    assert response.status_code < 500  # 400: the request guard refuses control characters
    assert len(providers()) == before + (response.status_code == 302)
