import pytest

from schoolpeers.accounts import passwords


@pytest.mark.parametrize(
    ("password", "role", "problem"),
    [
        ("short1!", "student", "at least 8"),
        ("elevenchars", "counselor", "at least 12"),
        ("password123", "student", "most common"),
        ("iloveyou2", "student", "most common"),
        ("x" * 257, "student", "at most 256"),
        ("ada.lovelace-rocks", "student", "your name"),
    ],
)
def test_refused_passwords_say_why(password, role, problem):
    assert problem in passwords.password_problem(password, role, personal=("ada.lovelace", "Ada"))


@pytest.mark.parametrize(
    ("password", "role"),
    [("blue giraffe", "student"), ("river stones at dusk", "admin"), ("purple-tigers-9", "staff")],
)
def test_good_passwords_pass(password, role):
    assert passwords.password_problem(password, role) is None


def test_common_list_is_loaded_and_lowercase():
    common = passwords.common_passwords()
    assert len(common) > 5000
    assert "password" + "1" * 3 in common or "password123" in common
    assert all(p == p.lower() for p in list(common)[:100])


def test_hash_and_verify():
    hashed = passwords.hash_password("blue giraffe")
    assert hashed.startswith("scrypt:")
    assert passwords.verify_password(hashed, "blue giraffe")
    assert not passwords.verify_password(hashed, "blue giraffes")
    assert not passwords.verify_password(None, "anything")
