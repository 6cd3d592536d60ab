"""OneRoster bundles: a district's zip read into users of each school, guardians kept apart, users of
other organisations never created here; the district import, scheduled sync and the upload page."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts import roster_bundles
from schoolpeers.accounts.models import Guardian, RosterUpload, User
from schoolpeers.accounts.roster import apply_import, plan_import
from schoolpeers.accounts.roster_bundles import open_roster
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import roster_upload_id, upload_roster

USERS = ("sourcedId,status,enabledUser,orgSourcedIds,role,username,givenName,familyName,grades,email,"
         "agentSourcedIds,phone\n")
ORGS = "sourcedId,status,name,type,parentSourcedId\n"


def bundle(users: str, orgs: str, users_mode: str = "bulk", extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.csv", f"propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
                                    f"file.orgs,bulk\nfile.users,{users_mode}\nfile.enrollments,absent\n")
        zf.writestr("orgs.csv", ORGS + orgs)
        zf.writestr("users.csv", USERS + users)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
    return buffer.getvalue()


DISTRICT_ORGS = ("d1,,Riverside District,district,\nn1,,North High,school,d1\ns1,,South High,school,d1\n"
                 "w1,,West Middle,school,d1\n")
DISTRICT_USERS = (
    "n-1,,true,n1,student,,Ada,North,7,ada@n.example.org,,\n"
    "n-2,,true,n1,student,,Ben,North,8,,,\n"
    "s-1,,true,s1,student,,Cleo,South,7,,,\n"
    "w-1,,true,w1,student,,Dev,West,6,,,\n"
    "t-1,,true,\"d1,n1\",teacher,,Tess,Both,,tess@d.example.org,,\n"
    "g-1,,true,n1,guardian,,Gina,North,,gina@home.example.org,\"n-1,n-2\",555-0100\n"
    "g-2,,true,,parent,,Sam,South,,,s-1,\n"
)


@pytest.fixture
def north(school):
    school.roster_org_id = "n1"
    db.session.commit()
    return school


def test_a_plain_file_is_no_bundle_and_a_zip_is_read_whole():
    assert not open_roster(b"id,given_name,family_name,role\n").bundle
    source = open_roster(bundle("", DISTRICT_ORGS, "delta", {"classes.csv": "sourcedId\n"}))
    assert source.bundle and source.users_delta and source.unused_files == ["classes.csv"]
    assert [o.name for o in source.schools()] == ["North High", "South High", "West Middle"]


@pytest.mark.parametrize(("data", "message"), [
    (bundle("", "").replace(b"users.csv", b"other.csv"), "no users.csv"),
    (bundle("", DISTRICT_ORGS).replace(b"orgs.csv", b"orgz.csv"), "no orgs.csv"),
    (b"PK\x03\x04" + b"\x00" * 40, "not"),
])
def test_a_zip_that_is_no_bundle_is_refused_with_a_reason(data, message):
    with pytest.raises(RosterFileError, match=message):
        open_roster(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(roster_bundles, "MAX_UNPACKED_BYTES", 100)
    with pytest.raises(RosterFileError, match="more than 200 MB"):
        open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS))


def test_only_this_schools_users_are_imported_and_its_guardians_kept(north):
    plan = plan_import(north, open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS)))
    assert plan.ok and plan.format == "bundle"
    assert sorted(row.roster_id for row in plan.create) == ["n-1", "n-2", "t-1"]
    assert [p.reason for p in plan.skipped] == ["skipped: a user of another organisation (s1)",
                                                "skipped: a user of another organisation (w1)"]
    assert [g.roster_id for g in plan.guardians] == ["g-1"]
    result = apply_import(north, plan)
    db.session.commit()
    assert result.guardians == 1
    guardian = db.session.scalar(select(Guardian))
    assert (guardian.school_id, guardian.email, guardian.phone, guardian.student_roster_ids) == (
        north.id, "gina@home.example.org", "555-0100", ["n-1", "n-2"])
    linked = db.session.scalars(select(User.roster_id).where(User.id.in_([link.student_id for link in guardian.links])))
    assert sorted(linked) == ["n-1", "n-2"] and guardian.source == "roster"  # the family features' links
    assert db.session.scalar(select(func.count()).select_from(User).where(User.roster_id == "s-1")) == 0
    again = plan_import(north, open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS)))
    assert again.changes == 0 and again.guardians == []  # idempotent, guardians too


def test_a_guardian_marked_to_be_deleted_is_removed(north):
    apply_import(north, plan_import(north, open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS))))
    db.session.commit()
    gone = "g-1,tobedeleted,true,n1,guardian,,Gina,North,,,n-1,\n"
    plan = plan_import(north, open_roster(bundle(gone, DISTRICT_ORGS, "delta")))
    assert len(plan.guardians) == 1
    apply_import(north, plan)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Guardian)) == 0


def test_a_school_without_an_org_id_takes_a_bundles_only_school_or_is_told_to_set_it(school):
    with pytest.raises(RosterFileError, match=r"covers 3 schools \(North High, South High, West Middle\)"):
        plan_import(school, open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS)))
    one = "d1,,Riverside District,district,\nn1,,North High,school,d1\n"
    plan = plan_import(school, open_roster(bundle(DISTRICT_USERS, one)))
    assert sorted(row.roster_id for row in plan.create) == ["n-1", "n-2", "t-1"]


def test_another_schools_bundle_is_refused(north):
    with pytest.raises(RosterFileError, match="no org n1"):
        plan_import(north, open_roster(bundle(DISTRICT_USERS, "s1,,South High,school,\n")))


def test_a_users_file_of_several_orgs_needs_the_schools_org_id(school):
    text = USERS + DISTRICT_USERS
    with pytest.raises(RosterFileError, match="several organisations"):
        plan_import(school, text)
    school.roster_org_id = "s1"
    plan = plan_import(school, text)
    assert [row.roster_id for row in plan.create] == ["s-1"] and [g.roster_id for g in plan.guardians] == ["g-2"]


def test_a_delta_manifest_is_never_a_full_sync(north):
    plan = plan_import(north, open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS, "delta")), mode="full")
    assert plan.mode == "delta" and "lists changes only" in plan.notes[0]


def test_the_district_import_gives_each_school_its_own_and_reports_unknown_orgs(runner, north, other_school,
                                                                              tmp_path):
    other_school.roster_org_id = "s1"
    db.session.commit()
    path = tmp_path / "district.zip"
    path.write_bytes(bundle(DISTRICT_USERS, DISTRICT_ORGS))
    dry = runner.invoke(args=["roster", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "North High" not in dry.output and "Test School: 3 to create" in dry.output
    assert "Other School: 1 to create" in dry.output and "1 users of org w1, which is no school here" in dry.output
    done = runner.invoke(args=["roster", "import", str(path)])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    by_school = dict(db.session.execute(select(User.school_id, func.count()).where(User.roster_id.is_not(None))
                                        .group_by(User.school_id)).all())
    assert by_school == {north.id: 3, other_school.id: 1}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "roster.import")) == 2


def test_scheduled_sync_takes_the_newest_bundle_once_and_mails_the_admins(runner, north, users, tmp_path,
                                                                          smtp_inbox):
    older, newer = tmp_path / "2026-12-01.zip", tmp_path / "2026-12-02.zip"
    older.write_bytes(bundle("n-9,,true,n1,student,,Old,File,7,,,\n", DISTRICT_ORGS))
    newer.write_bytes(bundle(DISTRICT_USERS, DISTRICT_ORGS))
    os.utime(older, (1_000_000_000, 1_000_000_000))
    (tmp_path / "notes.txt").write_text("not a bundle")
    first = runner.invoke(args=["roster", "sync", "--from", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "2026-12-02.zip" in first.output and "Test School: 3 created" in first.output
    [message] = smtp_inbox.messages
    assert message.rcpt_tos == [users["admin"].email] and b"3 created" in message.content
    assert b"Ada" not in message.content  # counts only, never names
    second = runner.invoke(args=["roster", "sync", "--from", str(tmp_path)])
    assert second.exit_code == 0 and "imported already" in second.output and len(smtp_inbox.messages) == 1


def test_a_sync_held_by_the_guard_is_tried_again(runner, north, tmp_path):
    apply_import(north, plan_import(north, "".join(
        [USERS] + [f"n-{i},,true,n1,student,,S,N{i},7,,,\n" for i in range(20)])))
    db.session.commit()
    (tmp_path / "b.zip").write_bytes(bundle("n-0,,true,n1,student,,S,N0,7,,,\n", DISTRICT_ORGS))
    held = runner.invoke(args=["roster", "sync", "--from", str(tmp_path), "--mode", "full"])
    assert held.exit_code != 0 and "held: it would deactivate 19 students" in held.output
    done = runner.invoke(args=["roster", "sync", "--from", str(tmp_path), "--mode", "full",
                               "--allow-deactivations", f"{north.slug}=19"])
    assert done.exit_code == 0, done.output
    assert "19 deactivated" in done.output


def test_an_empty_drop_folder_is_nothing_to_do(runner, tmp_path):
    result = runner.invoke(args=["roster", "sync", "--from", str(tmp_path)])
    assert result.exit_code == 0 and "nothing to do" in result.output


def test_the_upload_page_takes_a_bundle_and_keeps_it_only_for_its_admin(client, north, users, login_as,
                                                                        make_user):
    login_as(users["admin"])
    preview = upload_roster(client, bundle(DISTRICT_USERS, DISTRICT_ORGS), "district.zip")
    page = preview.get_data(as_text=True)
    assert "OneRoster 1.1 bundle" in page and "1 guardian kept for family contact" in page
    upload = roster_upload_id(preview)
    second_admin = make_user("admin")
    db.session.commit()
    login_as(second_admin)
    refused = client.post("/admin/roster/apply", data={"upload": upload}, follow_redirects=True)
    assert b"Upload the file again" in refused.data
    login_as(users["admin"])
    done = client.post("/admin/roster/apply", data={"upload": upload}, follow_redirects=True)
    assert b"Roster imported: 3 created" in done.data
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0


def test_birth_dates_come_from_the_bundles_demographics(north):
    from datetime import date

    demographics = ("sourcedId,status,dateLastModified,birthDate,sex\n"
                    "n-1,,,2013-05-02,female\nn-2,,,not a date,male\n")
    apply_import(north, plan_import(north, open_roster(bundle(DISTRICT_USERS, DISTRICT_ORGS,
                                                              extra={"demographics.csv": demographics}))))
    db.session.commit()
    born = dict(db.session.execute(select(User.roster_id, User.birth_date).where(User.school_id == north.id)).all())
    assert born["n-1"] == date(2013, 5, 2) and born["n-2"] is None
