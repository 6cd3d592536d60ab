"""The pure two-factor core: codes for the right step only, never twice, recovery codes."""
from datetime import datetime, timedelta, timezone

import pyotp
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.accounts import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"
NOW = datetime(2026, 11, 22, 9, 0, 15, tzinfo=timezone.utc)
STEP = int(NOW.timestamp()) // 30


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(SECRET).at(moment)


def test_the_current_code_is_accepted_with_its_step():
    assert totp.accepted_step(SECRET, code_at(NOW), None, NOW) == STEP


def test_spaces_are_ignored():
    code = code_at(NOW)
    assert totp.accepted_step(SECRET, f" {code[:3]} {code[3:]} ", None, NOW) == STEP


def test_one_step_of_clock_drift_either_way_is_tolerated():
    assert totp.accepted_step(SECRET, code_at(NOW - timedelta(seconds=30)), None, NOW) == STEP - 1
    assert totp.accepted_step(SECRET, code_at(NOW + timedelta(seconds=30)), None, NOW) == STEP + 1


def test_an_old_code_is_refused():
    assert totp.accepted_step(SECRET, code_at(NOW - timedelta(minutes=2)), None, NOW) is None


def test_a_code_is_never_accepted_twice():
    step = totp.accepted_step(SECRET, code_at(NOW), None, NOW)
    assert totp.accepted_step(SECRET, code_at(NOW), step, NOW) is None
    # Nor an earlier step's code after a later one was used.
    assert totp.accepted_step(SECRET, code_at(NOW - timedelta(seconds=30)), step, NOW) is None


@given(st.text(max_size=40))
def test_anything_that_is_not_the_code_is_refused(text):
    if totp.normalise(text) != code_at(NOW) and totp.normalise(text) not in {
            code_at(NOW - timedelta(seconds=30)), code_at(NOW + timedelta(seconds=30))}:
        assert totp.accepted_step(SECRET, text, None, NOW) is None


def test_recovery_codes_are_distinct_long_and_hash_whatever_the_spacing():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == totp.RECOVERY_CODE_COUNT
    for code in codes:
        assert totp.looks_like_recovery_code(code)
        assert totp.hash_recovery_code(code) == totp.hash_recovery_code(code.upper().replace("-", " "))
    assert not totp.looks_like_recovery_code("123456")


def test_the_provisioning_uri_names_the_account_and_issuer():
    uri = totp.provisioning_uri(SECRET, "maya", "schoolpeers")
    assert uri.startswith("otpauth://totp/schoolpeers:maya?") and f"secret={SECRET}" in uri


def test_the_secret_is_grouped_for_typing():
    assert totp.grouped(SECRET) == ["JBSW", "Y3DP", "EHPK", "3PXP", "JBSW", "Y3DP", "EHPK", "3PXQ"]
