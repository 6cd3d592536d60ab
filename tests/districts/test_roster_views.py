"""District roster sync: a bundle goes to the district's own open schools only, after a dry run."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import RosterUpload, School, User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.factories import UserFactory, make_district

ORGS = ("sourcedId,status,name,type,parentSourcedId\nd1,,Riverside,district,\nn1,,Test School,school,d1\n"
        "o1,,Other School,school,d9\n")
USERS = ("sourcedId,status,enabledUser,orgSourcedIds,role,username,givenName,familyName,grades,email\n"
         "n-1,,true,n1,student,,Ada,North,7,\nn-2,,true,n1,student,,Ben,North,8,\n"
         "o-1,,true,o1,student,,Cleo,Other,7,\n")


def bundle(users: str = USERS, orgs: str = ORGS) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("manifest.csv", "propertyName,value\nfile.orgs,bulk\nfile.users,bulk\n")
        zf.writestr("orgs.csv", orgs)
        zf.writestr("users.csv", users)
    return buffer.getvalue()


@pytest.fixture
def admin_client(client, school, other_school, login_as):
    ours = make_district(school, "riverside")
    make_district(other_school, "lakeside")
    school.roster_org_id, other_school.roster_org_id = "n1", "o1"
    db.session.commit()
    return login_as(ours["district_admin"])


def students(school) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.school_id == school.id))


def upload(client, data: bytes, name: str = "district.zip"):
    return client.post("/district/roster/", data={"file": (io.BytesIO(data), name), "mode": "delta"},
                       content_type="multipart/form-data")


def test_a_dry_run_then_the_import_touch_only_the_districts_schools(admin_client, school, other_school):
    assert admin_client.get("/district/roster/").status_code == 200
    page = upload(admin_client, bundle()).get_data(as_text=True)
    assert "Test School: 2 to create, 0 to update, 0 students to deactivate (dry run)" in page
    assert "1 users of org o1, which is no school here: not created" in page
    assert "Other School:" not in page and students(school) == 0
    upload_id = re.search(r'name="upload"[^>]*value="([^"]+)"', page).group(1)
    page = admin_client.post("/district/roster/apply", data={"upload": upload_id, "mode": "delta"}).get_data(
        as_text=True)
    assert "Test School: 2 created" in page
    assert students(school) == 2 and students(other_school) == 0
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "district.roster_import"))
    assert event.detail["imported"] == [school.id]
    # The upload went with the import: sending it again asks for the file.
    response = admin_client.post("/district/roster/apply", data={"upload": upload_id, "mode": "delta"},
                                 follow_redirects=True)
    assert "Upload the bundle again" in response.get_data(as_text=True)


def test_an_archived_school_takes_nothing(admin_client, school):
    from schoolpeers.timeutil import utcnow

    school.archived_at = utcnow()
    db.session.commit()
    page = upload(admin_client, bundle()).get_data(as_text=True)
    assert "No school of the district has a OneRoster org id" in page and students(school) == 0


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"id,given_name,family_name,role\n", "plain.zip", "needs a OneRoster bundle"),
    (b"not a zip", "x.csv", "as a .zip file"),
    (bundle(orgs="sourcedId,status,name,type,parentSourcedId\no1,,Other School,school,\n"), "d.zip",
     "lists none of the district&#39;s schools"),
    (b"PK\x03\x04" + b"\x00" * 40, "broken.zip", "cannot be read"),
])
def test_a_file_that_is_no_district_bundle_is_refused_next_to_the_field(admin_client, data, name, message):
    response = upload(admin_client, data, name)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0


def test_rows_to_fix_are_shown_and_nothing_is_kept(admin_client, school):
    bad = USERS + "n-3,,true,n1,student,,Dee,North,99,\n"
    page = upload(admin_client, bundle(bad)).get_data(as_text=True)
    assert "Test School: not imported: 1 rows to fix" in page and 'name="upload"' not in page
    assert db.session.scalar(select(func.count()).select_from(RosterUpload)) == 0


def test_someone_elses_upload_is_not_applied(admin_client, client, school, login_as):
    page = upload(admin_client, bundle()).get_data(as_text=True)
    upload_id = re.search(r'name="upload"[^>]*value="([^"]+)"', page).group(1)
    office = db.session.scalar(select(School).where(School.slug == "riverside-office"))
    colleague = UserFactory(office)("district_admin")  # of the same district, but not who checked the file
    db.session.commit()
    login_as(colleague)
    response = client.post("/district/roster/apply", data={"upload": upload_id, "mode": "delta"})
    assert response.status_code == 302 and students(school) == 0
