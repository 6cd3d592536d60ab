from pathlib import Path

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import User
from schoolpeers.accounts.roster import apply_import, plan_import
from schoolpeers.extensions import db

DATA = Path(__file__).parent.parent / "data"
HEADER = "id,given_name,family_name,grade,email,role\n"


def import_text(school, text):
    plan = plan_import(school, text)
    assert plan.ok, plan.problems
    result = apply_import(school, plan)
    db.session.commit()
    return result


def roster_users(school):
    return {u.roster_id: u for u in db.session.scalars(
        select(User).where(User.school_id == school.id, User.roster_id.is_not(None)))}


def test_plain_import_is_idempotent(school):
    text = (DATA / "plain_roster.csv").read_text()
    first = import_text(school, text)
    assert (first.created, first.updated, first.deactivated) == (41, 0, 0)
    second = import_text(school, text)
    assert (second.created, second.updated, second.deactivated, second.unchanged) == (0, 0, 0, 41)


def test_oneroster_import_of_a_few_hundred_users(school):
    text = (DATA / "oneroster_users.csv").read_text()
    assert import_text(school, text).created == 341
    users = roster_users(school)
    assert users["stu-1000"].grade == 6 and users["tch-0"].role == "staff"
    assert users["adm-1"].role == "staff"  # administrators are staff unless mapped
    assert import_text(school, text).unchanged == 341


def test_a_plain_files_guardian_is_linked_to_their_student(school):
    from schoolpeers.families.services import guardians_of

    text = ("id,given_name,family_name,grade,role,guardian name,guardian email\n"
            "S1,Mia,Ruiz,7,student,Ana Ruiz,ana@x.org\n")
    apply_import(school, plan_import(school, text))
    db.session.commit()
    mia = db.session.scalar(select(User).where(User.roster_id == "S1"))
    assert [(g.display_name, g.email, g.source) for g in guardians_of(mia)] == [("Ana Ruiz", "ana@x.org", "roster")]
    assert plan_import(school, text).guardians == []  # nothing changed: idempotent
    # Another name is another person: the earlier contact goes, the new one has no answers of theirs.
    apply_import(school, plan_import(school, text.replace("Ana Ruiz,ana@x.org", "Luis Ruiz,luis@x.org")))
    db.session.commit()
    assert [g.display_name for g in guardians_of(mia)] == ["Luis Ruiz"]
    long_id = "S" * 100  # the longest roster id still gives a key that fits
    apply_import(school, plan_import(school, text.replace("S1,", f"{long_id},")))
    db.session.commit()


def test_a_birth_date_is_stored_and_updated_but_never_cleared_by_a_file_without_it(school):
    from datetime import date

    header = "id,given_name,family_name,grade,role,birth_date\n"
    apply_import(school, plan_import(school, header + "S1,Mia,Ruiz,7,student,2014-03-09\n"))
    db.session.commit()
    mia = db.session.scalar(select(User).where(User.roster_id == "S1"))
    assert mia.birth_date == date(2014, 3, 9)
    plan = plan_import(school, header + "S1,Mia,Ruiz,7,student,2014-03-10\n")
    assert [d for _u, _r, d in plan.update] == [["birth date"]]
    apply_import(school, plan)
    db.session.commit()
    assert mia.birth_date == date(2014, 3, 10)
    assert plan_import(school, "id,given_name,family_name,grade,role\nS1,Mia,Ruiz,7,student\n").changes == 0


def test_changes_and_departures_are_planned_then_applied(school, make_user):
    import_text(school, HEADER + "A1,Ada,Lovelace,7,ada@x.org,student\nA2,Bob,Byron,8,,student\n"
                               "A3,Cy,Clark,9,,student\n")
    manual = make_user("counselor")  # created in the app: never touched by imports
    text = HEADER + "A1,Ada,King,8,ada@x.org,student\nA3,Cy,Clark,9,,student\n"
    delta = plan_import(school, text)  # the default: only the people in the file change
    assert [(u.roster_id, diffs) for u, _row, diffs in delta.update] == [("A1", ["name", "grade"])]
    assert delta.deactivate == []
    plan = plan_import(school, text, mode="full")
    assert [u.roster_id for u in plan.deactivate] == ["A2"]
    school.roster_deactivation_limit_percent = 50  # one of three: within the limit
    plan = plan_import(school, text, mode="full")
    apply_import(school, plan)
    db.session.commit()
    users = roster_users(school)
    assert users["A1"].family_name == "King" and users["A1"].grade == 8
    assert not users["A2"].active and users["A3"].active and manual.active


def test_roles_granted_in_the_app_survive_a_reimport(school, make_user):
    import_text(school, HEADER + "T1,Maya,Rivera,,maya@x.org,staff\n")
    maya = roster_users(school)["T1"]
    maya.role = "counselor"
    db.session.commit()
    assert import_text(school, HEADER + "T1,Maya,Rivera,,maya@x.org,staff\n").unchanged == 1
    assert maya.role == "counselor"


def test_clashes_with_other_accounts_are_bad_rows_and_nothing_is_written(school, other_school):
    from tests.factories import UserFactory

    UserFactory(other_school)("student", email="taken@x.org", username="taken")
    db.session.commit()
    text = HEADER + "A1,Ada,Lovelace,7,ada@x.org,student\nA2,Bob,Byron,8,taken@x.org,student\n"
    plan = plan_import(school, text)
    assert not plan.ok and plan.problems[0].line == 3 and "belongs to another account" in plan.problems[0].reason
    with pytest.raises(ValueError):
        apply_import(school, plan)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.school_id == school.id)) == 0


def test_same_roster_id_in_two_schools_are_two_people(school, other_school):
    import_text(school, HEADER + "A1,Ada,Lovelace,7,,student\n")
    import_text(other_school, HEADER + "A1,Zed,Zimmer,7,,student\n")
    assert roster_users(school)["A1"].given_name == "Ada"
    assert roster_users(other_school)["A1"].given_name == "Zed"
