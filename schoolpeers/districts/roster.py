"""District roster sync: one OneRoster bundle imported into the district's own schools only. Orgs of
schools of other districts are left out before the import sees them, so they are reported as not
imported; archived schools are read-only and take nothing either."""
from __future__ import annotations

import secrets
from dataclasses import replace

from sqlalchemy import select

from schoolpeers.accounts.models import District, RosterUpload, School, User
from schoolpeers.accounts.roster_bundles import RosterSource, open_roster
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.accounts.roster_sync import DistrictRun, import_district
from schoolpeers.accounts.roster_uploads import discard_stale
from schoolpeers.extensions import db


def district_orgs(district: District) -> set[str]:
    """The org ids of the district's schools that are open (not archived)."""
    return set(db.session.scalars(select(School.roster_org_id).where(
        School.district_id == district.id, School.kind == "school", School.archived_at.is_(None),
        School.roster_org_id.is_not(None))))


def for_district(source: RosterSource, district: District) -> RosterSource:
    """The bundle as the district may import it: its orgs narrowed to the district's schools."""
    if not source.bundle:
        raise RosterFileError("A district import needs a OneRoster bundle (a zip with orgs.csv).")
    ours = district_orgs(district)
    if not ours:
        raise RosterFileError("No school of the district has a OneRoster org id: set one on each school's page "
                              "(its admin's settings) first.")
    kept = {org_id: org for org_id, org in source.orgs.items() if org_id in ours or org.type != "school"}
    if not ours.intersection(kept):
        raise RosterFileError("This bundle lists none of the district's schools (by their OneRoster org ids).")
    return replace(source, orgs=kept)


def run_district(district: District, content: bytes, *, mode: str, dry_run: bool) -> DistrictRun:
    """The dry run (or the import, each school committed on its own) of a bundle for the district."""
    return import_district(for_district(open_roster(content), district), mode=mode, dry_run=dry_run)


def keep(admin: User, filename: str, content: bytes) -> RosterUpload:
    """Keep a checked bundle for its admin between the check and the import, like a school's upload."""
    discard_stale()
    upload = RosterUpload(id=secrets.token_urlsafe(32), school_id=admin.school_id, user_id=admin.id,
                          filename=filename[:200], content=content, deactivations=0, confirmation_needed=False)
    db.session.add(upload)
    db.session.flush()
    return upload
