"""Authenticator secrets sealed at rest: Fernet with rotation, secrets from before encryption still
read and sealed by the reseal command, and production refusing to start without a key."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.accounts import secret_box, two_factor
from schoolpeers.accounts.secret_box import SecretKeyError, new_key, open_sealed, reseal, seal
from schoolpeers.extensions import db
from tests.factories import make_district

OLD, NEW = new_key(), new_key()


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=64))
def test_a_sealed_secret_opens_with_any_configured_key_and_never_shows(secret):
    sealed = seal(secret, [OLD])
    assert secret not in sealed and open_sealed(sealed, [OLD]) == secret
    assert open_sealed(sealed, [NEW, OLD]) == secret  # rotation: the old key still opens it
    moved = reseal(sealed, [NEW, OLD])
    assert open_sealed(moved, [NEW]) == secret  # after resealing, the old key can go


def test_a_secret_sealed_with_a_dropped_key_is_an_error_not_a_wrong_code():
    with pytest.raises(SecretKeyError):
        open_sealed(seal("JBSWY3DPEHPK3PXP", [OLD]), [NEW])
    with pytest.raises(SecretKeyError):
        seal("JBSWY3DPEHPK3PXP", [])


def test_the_reseal_command_encrypts_old_plain_secrets_and_rotates(app, runner, school, make_user, monkeypatch):
    provider = make_district(school, "rotating")["provider"]
    provider.client_secret_sealed = seal("client secret", app.config["TOTP_KEYS"])
    plain = make_user("counselor")
    plain.totp_secret = "JBSWY3DPEHPK3PXP"  # stored before encryption
    sealed = make_user("counselor")
    sealed.totp_secret = seal("KRSXG5CTMVRXEZLU", app.config["TOTP_KEYS"])
    db.session.commit()
    assert two_factor.secret_of(plain) == "JBSWY3DPEHPK3PXP"  # still reads
    monkeypatch.setitem(app.config, "TOTP_KEYS", [NEW, *app.config["TOTP_KEYS"]])
    result = runner.invoke(args=["accounts", "reseal-secrets"])
    assert result.exit_code == 0 and "2 authenticator secrets and 1 sign-in provider secrets sealed" in result.output
    db.session.expire_all()
    for user, secret in ((plain, "JBSWY3DPEHPK3PXP"), (sealed, "KRSXG5CTMVRXEZLU")):
        assert secret_box.is_sealed(user.totp_secret) and open_sealed(user.totp_secret, [NEW]) == secret
    assert open_sealed(provider.client_secret_sealed, [NEW]) == "client secret"


def test_production_needs_a_key(monkeypatch):
    from tests.test_config import production_app

    with pytest.raises(RuntimeError, match="SCHOOLPEERS_TOTP_KEYS"):
        production_app(monkeypatch, TOTP_KEYS=[])
