"""Roster sync a school can trust: delta by default, a full sync held past the school's limit until the
admin confirms the number, empty files refused, and no admin deactivated by their own import."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import User
from schoolpeers.accounts.roster import apply_import, plan_import
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.extensions import db
from tests.factories import roster_upload_id, upload_roster

HEADER = "id,given_name,family_name,grade,email,role\n"
ONEROSTER = "sourcedId,status,enabledUser,role,username,givenName,familyName,grades,email\n"


def roster_of(count: int) -> str:
    return HEADER + "".join(f"S{i},Student,Number{i},7,,student\n" for i in range(count))


@pytest.fixture
def forty(school):
    plan = plan_import(school, roster_of(40))
    apply_import(school, plan)
    db.session.commit()
    return school


def active_students(school) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.school_id == school.id, User.role == "student", User.active.is_(True)))


def test_a_partial_file_is_a_delta_and_deactivates_nobody(forty):
    plan = plan_import(forty, roster_of(4))
    assert plan.mode == "delta" and plan.deactivate == [] and plan.changes == 0
    assert active_students(forty) == 40


def test_a_full_sync_past_the_limit_waits_for_the_number(forty):
    plan = plan_import(forty, roster_of(4), mode="full")
    assert plan.deactivation_limit == 4 and plan.deactivated_students == 36 and plan.needs_confirmation()
    with pytest.raises(ValueError, match="confirmation"):
        apply_import(forty, plan)
    with pytest.raises(ValueError, match="confirmation"):
        apply_import(forty, plan, confirmed=35)
    db.session.rollback()
    plan = plan_import(forty, roster_of(4), mode="full")
    assert apply_import(forty, plan, confirmed=36).deactivated == 36
    db.session.commit()
    assert active_students(forty) == 4


def test_a_full_sync_within_the_limit_needs_no_confirmation(forty):
    plan = plan_import(forty, roster_of(37), mode="full")
    assert plan.deactivated_students == 3 and not plan.needs_confirmation()
    assert apply_import(forty, plan).deactivated == 3


def test_a_header_only_file_is_refused(forty):
    with pytest.raises(RosterFileError, match="no rows"):
        plan_import(forty, HEADER, mode="full")


def test_oneroster_inactive_disabled_and_deleted_rows_deactivate_in_a_delta(school):
    rows = "".join(f"u{i},active,true,student,,Ann,Row{i},07,\n" for i in range(4))
    apply_import(school, plan_import(school, ONEROSTER + rows))
    db.session.commit()
    delta = (ONEROSTER + "u0,inactive,true,student,,Ann,Row0,07,\nu1,active,false,student,,Ann,Row1,07,\n"
             "u2,tobedeleted,true,student,,Ann,Row2,07,\n")
    plan = plan_import(school, delta)
    assert sorted(u.roster_id for u, _row, d in plan.update if "deactivated" in d) == ["u0", "u1", "u2"]
    assert plan.deactivate == [] and plan.deactivated_students == 3


def test_an_admin_cannot_deactivate_their_own_account_by_import(school, make_user):
    admin = make_user("admin")
    admin.roster_id = "ADM"
    db.session.commit()
    plan = plan_import(school, HEADER + "S1,Sam,Stone,7,,student\n", mode="full", acting_user=admin)
    assert not plan.ok and "your own account" in plan.problems[0].reason


# --- the page and the command line -------------------------------------------------------------


def test_the_page_asks_for_the_number_before_a_large_deactivation(client, users, login_as, forty):
    login_as(users["admin"])
    before = active_students(forty)  # the roster's 40 and the app's own student
    preview = upload_roster(client, roster_of(4), mode="full").get_data(as_text=True)
    assert "This file would deactivate 36 students" in preview and 'name="confirm_deactivations"' in preview
    apply = {"upload": roster_upload_id(upload_roster(client, roster_of(4), mode="full")), "mode": "full"}
    wrong = client.post("/admin/roster/apply", data={**apply, "confirm_deactivations": "30"})
    assert wrong.status_code == 200 and "Type 36 to deactivate 36 students." in wrong.get_data(as_text=True)
    assert active_students(forty) == before
    done = client.post("/admin/roster/apply", data={**apply, "confirm_deactivations": "36"}, follow_redirects=True)
    assert "36 deactivated" in done.get_data(as_text=True) and active_students(forty) == before - 36
    delta = upload_roster(client, roster_of(2), mode="delta").get_data(as_text=True)
    assert "only the people in the file" in delta and "would deactivate" not in delta


def test_the_command_line_holds_a_large_deactivation_until_allowed(runner, forty, tmp_path):
    path = tmp_path / "partial.csv"
    path.write_text(roster_of(4))
    args = ["roster", "import", str(path), "--school", forty.slug, "--mode", "full"]
    held = runner.invoke(args=args)
    assert held.exit_code != 0 and "--allow-deactivations 36" in held.output
    assert active_students(forty) == 40
    done = runner.invoke(args=[*args, "--allow-deactivations", "36"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert active_students(forty) == 4


def test_a_generated_username_never_clashes_with_a_later_rows_own(school):
    text = (ONEROSTER + "a1,active,true,student,,Ada,Lovelace,07,\n"
            "a2,active,true,student,ada.lovelace,Ada,King,07,\n")
    plan = plan_import(school, text)
    assert plan.ok and [row.username for row in plan.create] == ["ada.lovelace2", "ada.lovelace"]
    assert apply_import(school, plan).created == 2  # what the dry run showed, without error


@pytest.mark.parametrize(("given", "family", "username"), [
    ("محمد", "العلي", "mhmd.lly"), ("小龙", "李", "xiaolong.li"), ("Zoë", "Đặng", "zoe.dang"), ("-", "—", "user"),
])
def test_names_in_any_script_get_readable_usernames(school, given, family, username):
    plan = plan_import(school, HEADER + f"X1,{given},{family},7,,student\n")
    assert plan.ok and plan.create[0].username == username


def test_an_account_an_admin_deactivated_stays_inactive_through_imports(forty, users):
    from schoolpeers.accounts import services

    student = db.session.scalar(select(User).where(User.roster_id == "S1"))
    services.set_active(student, False, acting_user=users["admin"])
    db.session.commit()
    plan = plan_import(forty, roster_of(40))
    assert plan.changes == 0 and plan.kept == [(student, "deactivated by an admin: stays inactive")]
    apply_import(forty, plan)
    db.session.commit()
    assert not student.active
    services.set_active(student, True, acting_user=users["admin"])  # by hand: the decision is lifted
    db.session.commit()
    assert not student.deactivated_by_admin and plan_import(forty, roster_of(40)).kept == []


def test_new_roster_ids_for_the_same_people_re_key_them_instead_of_duplicating(school):
    apply_import(school, plan_import(school, HEADER + "OLD1,Ada,Lovelace,7,ada@x.org,student\n"
                                                      "OLD2,Bob,Byron,8,bob@x.org,student\n"))
    db.session.commit()
    moved = HEADER + "NEW1,Ada,Lovelace,7,ada@x.org,student\nNEW2,Bob,Byron,8,bob@x.org,student\n"
    plan = plan_import(school, moved, mode="full")
    assert plan.ok and plan.create == [] and plan.deactivate == []
    assert sorted(d for _u, _row, diffs in plan.update for d in diffs) == ["re-keyed", "re-keyed"]
    apply_import(school, plan)
    db.session.commit()
    ids = db.session.scalars(select(User.roster_id).where(User.school_id == school.id,
                                                          User.roster_id.is_not(None))).all()
    assert sorted(ids) == ["NEW1", "NEW2"]
    assert plan_import(school, moved, mode="full").changes == 0  # idempotent under the new ids


def test_names_are_stored_in_one_unicode_form_and_found_in_either(client, school, users, login_as, make_user):
    decomposed = "Chloe\u0301"
    plan = plan_import(school, HEADER + f"C1,{decomposed},Martin,7,,student\n")
    assert plan.create[0].given_name == "Chlo\u00e9"  # composed
    older = make_user("student", given_name=decomposed, family_name="Older")  # as an earlier import stored it
    db.session.commit()
    login_as(users["admin"])
    page = client.get("/admin/users", query_string={"q": "Chlo\u00e9"}).get_data(as_text=True)
    assert "Older" in page and older.given_name == decomposed


def test_a_role_an_admin_set_stays_unless_the_admin_confirms_the_file(forty, users):
    from schoolpeers.accounts import services

    student = db.session.scalar(select(User).where(User.roster_id == "S2"))
    services.change_role(student, "staff", acting_user=users["admin"])
    services.set_active(db.session.scalar(select(User).where(User.roster_id == "S3")), False,
                        acting_user=users["admin"])
    db.session.commit()
    plan = plan_import(forty, roster_of(40))
    assert plan.changes == 0 and [why for _u, why in plan.kept] == [
        "role set to staff by an admin: stays (the file says student)", "deactivated by an admin: stays inactive"]
    overridden = plan_import(forty, roster_of(40), override_admin=True)
    assert sorted(d for _u, _row, diffs in overridden.update for d in diffs) == ["grade", "reactivated", "role"]
    apply_import(forty, overridden)
    db.session.commit()
    assert student.role == "student" and not student.role_set_by_admin
    assert plan_import(forty, roster_of(40)).changes == 0 and plan_import(forty, roster_of(40)).kept == []


def test_the_page_shows_conflicts_and_applies_them_only_when_ticked(client, users, login_as, forty):
    from schoolpeers.accounts import services

    student = db.session.scalar(select(User).where(User.roster_id == "S2"))
    services.change_role(student, "staff", acting_user=users["admin"])
    db.session.commit()
    login_as(users["admin"])
    preview = upload_roster(client, roster_of(40))
    assert "Left as an admin decided (1)" in preview.get_data(as_text=True)
    client.post("/admin/roster/apply", data={"upload": roster_upload_id(preview)})
    db.session.refresh(student)
    assert student.role == "staff"
    preview = upload_roster(client, roster_of(40))
    client.post("/admin/roster/apply", data={"upload": roster_upload_id(preview), "override_admin": "y"})
    db.session.refresh(student)
    assert student.role == "student"


def test_a_long_list_of_changes_is_shortened_on_the_page(client, users, login_as, school):
    apply_import(school, plan_import(school, roster_of(520)))
    db.session.commit()
    login_as(users["admin"])
    renamed = HEADER + "".join(f"S{i},Student,Renamed{i},7,,student\n" for i in range(520))
    page = upload_roster(client, renamed).get_data(as_text=True)
    assert page.count(": name</li>") == 500 and "and 20 more: the first 500 of each kind are listed." in page


def test_an_import_refuses_in_its_job_what_no_longer_holds(client, users, login_as, forty):
    """Checked with 36 to deactivate; by the time the job runs, another import changed that."""
    login_as(users["admin"])
    preview = upload_roster(client, roster_of(4), mode="full")
    apply_import(forty, plan_import(forty, roster_of(20), mode="full"), confirmed=20)  # 20 left meanwhile
    db.session.commit()
    page = client.post("/admin/roster/apply", data={"upload": roster_upload_id(preview), "mode": "full",
                                                    "confirm_deactivations": "36"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "would now deactivate 16 students, not the number you confirmed" in text
    assert active_students(forty) == 21  # the 20 left, and the app's own student
    assert "Nothing was imported" in text


def test_the_job_page_waits_then_shows_the_end(client, users, login_as, school):
    from schoolpeers import jobs
    from schoolpeers.accounts import roster_jobs

    job = jobs.start(roster_jobs.KIND, users["admin"], {"upload": "x"})
    db.session.commit()
    login_as(users["admin"])
    waiting = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting and "Waiting for its turn" in waiting
    jobs.enqueue(job)
    done = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "no longer kept" in done


def test_a_roster_cannot_squat_another_schools_staff_email_as_a_username(school, other_school, client):
    from tests.factories import PASSWORD, UserFactory

    owner = UserFactory(other_school)("staff", email="grace@other.example.org", password=PASSWORD)
    db.session.commit()
    text = ONEROSTER + "q1,active,true,student,grace@other.example.org,Quinn,Squat,07,\n"
    plan = plan_import(school, text)
    assert not plan.ok and "no @ or spaces" in plan.problems[0].reason
    from schoolpeers.accounts import services

    with pytest.raises(services.AccountError, match="no @"):
        services.create_user(school, given_name="Q", family_name="S", role="student", grade=7,
                             username="grace@other.example.org")
    signed = client.post("/login", data={"login": "Grace@Other.example.org", "password": PASSWORD})
    assert signed.status_code == 302 and services.find_user_for_login("GRACE@other.example.org") == owner
