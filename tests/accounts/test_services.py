import pytest
from sqlalchemy import func, select

from schoolpeers.accounts import services
from schoolpeers.accounts.models import Interest, Topic, UserInterest
from schoolpeers.extensions import db


def test_new_school_gets_default_catalogues(school):
    assert db.session.scalar(select(func.count()).select_from(Interest).where(Interest.school_id == school.id)) == 30
    assert db.session.scalar(select(func.count()).select_from(Topic).where(Topic.school_id == school.id)) >= 10


def test_usernames_are_case_insensitive_and_suggested(school, make_user):
    make_user("student", username="Ada.Lovelace")
    assert services.username_taken("ada.lovelace")
    assert services.suggest_username("Ada", "Lovelace") == "ada.lovelace2"
    assert services.suggest_username("Zoë", "Müller") == "zoe.muller"


def test_duplicate_email_is_refused(school, make_user):
    make_user("student", email="same@example.org")
    with pytest.raises(services.AccountError, match="already belongs"):
        make_user("student", email="SAME@example.org")


def test_authenticate_by_username_or_email(school, make_user):
    user = make_user("student", username="leo", email="leo@example.org", password="blue giraffe")
    def signed_in(login, password):
        return services.authenticate(login, password, "10.0.0.1").user

    assert signed_in("LEO", "blue giraffe") == user
    assert signed_in("leo@example.org", "blue giraffe") == user
    assert signed_in("leo", "wrong") is None
    assert signed_in("nobody", "blue giraffe") is None
    user.active = False
    assert signed_in("leo", "blue giraffe") is None


def test_set_password_applies_policy_and_ends_other_sessions(school, make_user):
    user = make_user("counselor")
    version = user.session_version
    with pytest.raises(services.AccountError, match="at least 12"):
        services.set_password(user, "too short")
    services.set_password(user, "a much longer passphrase")
    assert user.session_version == version + 1


def test_change_role_and_deactivate_guard_the_acting_admin(school, make_user):
    admin, student = make_user("admin"), make_user("student")
    with pytest.raises(services.AccountError):
        services.change_role(admin, "student", acting_user=admin)
    with pytest.raises(services.AccountError):
        services.set_active(admin, False, acting_user=admin)
    services.change_role(student, "staff", acting_user=admin)
    assert student.role == "staff" and student.grade is None
    services.set_active(student, False, acting_user=admin)
    assert not student.active


def test_interests_carry_the_school_and_stay_in_it(school, other_school, make_user):
    user = make_user("student")
    mine = services.list_interests(school.id)[:3]
    services.set_interests(user, mine + mine[:1])
    assert [i.name for i in user.interests] == sorted(i.name for i in mine)
    assert {link.school_id for link in db.session.scalars(select(UserInterest))} == {school.id}
    with pytest.raises(services.AccountError):
        services.set_interests(user, services.list_interests(other_school.id)[:1])


def test_school_settings_update_refuses_unknown_names(school):
    services.update_school_settings(school, checkin_cadence_days=7)
    assert school.checkin_cadence_days == 7
    with pytest.raises(services.AccountError):
        services.update_school_settings(school, id=99)


def test_a_role_must_fit_the_kind_of_school(school, make_user):
    """A school's people have a school's roles; a district's office holds its admins and analysts only."""
    from tests.factories import make_district

    office = make_district(school, "riverside", with_provider=False)["office"]
    with pytest.raises(services.AccountError):
        services.create_user(school, given_name="Dee", family_name="Director", role="district_admin")
    with pytest.raises(services.AccountError):
        services.create_user(office, given_name="Stu", family_name="Dent", role="student", grade=7)
    analyst = services.create_user(office, given_name="Ana", family_name="Lyst", role="district_analyst")
    admin = make_user("admin")
    with pytest.raises(services.AccountError):
        services.change_role(make_user("staff"), "district_admin", acting_user=admin)
    with pytest.raises(services.AccountError):
        services.change_role(analyst, "counselor", acting_user=admin)
