"""A district's roster in one go: a OneRoster bundle imported into every school of this installation
whose org it lists, each school in its own transaction with its own guard, and a summary per school.
Users of orgs that are no school here are reported, never created. `sync_from` takes the newest
bundle in a drop folder (where a school information system delivers over SFTP) and skips a bundle it
has already imported, so a scheduled run is idempotent."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from schoolpeers.accounts.models import School, User
from schoolpeers.accounts.roster import ImportResult, RosterPlan, apply_import, audit_import, plan_import
from schoolpeers.accounts.roster_bundles import RosterSource, open_roster
from schoolpeers.accounts.roster_files import RosterFileError, parse_roster
from schoolpeers.audit import AuditEvent, record_event
from schoolpeers.extensions import db


@dataclass
class SchoolRun:
    school: School
    plan: RosterPlan | None = None
    result: ImportResult | None = None
    error: str | None = None  # the file could not be planned for this school

    def summary(self) -> str:
        if self.error:
            return f"{self.school.name}: not imported: {self.error}"
        plan = self.plan
        if not plan.ok:
            return f"{self.school.name}: not imported: {len(plan.problems)} rows to fix"
        if self.result is None:
            state = (f"held: it would deactivate {plan.deactivated_students} students, more than the limit of "
                     f"{plan.deactivation_limit}" if plan.needs_confirmation() else "dry run")
            return (f"{self.school.name}: {len(plan.create)} to create, {len(plan.update)} to update, "
                    f"{plan.deactivated_students} students to deactivate ({state})")
        r = self.result
        return (f"{self.school.name}: {r.created} created, {r.updated} updated, {r.deactivated} deactivated, "
                f"{r.unchanged} unchanged, {r.guardians} guardians")


@dataclass
class DistrictRun:
    schools: list[SchoolRun] = field(default_factory=list)
    unknown_orgs: dict[str, int] = field(default_factory=dict)  # org -> users of it not created anywhere

    def lines(self) -> list[str]:
        lines = [run.summary() for run in self.schools]
        lines += [f"{count} users of org {org}, which is no school here: not created"
                  for org, count in sorted(self.unknown_orgs.items())]
        return lines


def import_district(source: RosterSource, *, mode: str = "delta", dry_run: bool = False,
                    allowed: dict[str, int] | None = None, role_map: dict[str, str] | None = None) -> DistrictRun:
    """Plan (and unless `dry_run`, apply and commit) the bundle for each school it lists, one by one.
    `allowed`: school slug -> the number of deactivations its admin confirmed."""
    if not source.bundle:
        raise RosterFileError("A district import needs a OneRoster bundle (a zip with orgs.csv).")
    schools = list(db.session.scalars(select(School).where(School.roster_org_id.in_(list(source.orgs)))
                                      .order_by(School.name)))
    if not schools:
        raise RosterFileError("No school here has a OneRoster org id from this bundle's orgs.csv: "
                              "set each school's org id in its settings.")
    run = DistrictRun(unknown_orgs=_users_of_unknown_orgs(source, {s.roster_org_id for s in schools}))
    for school in schools:
        one = SchoolRun(school)
        run.schools.append(one)
        try:
            one.plan = plan_import(school, source, role_map, to_apply=not dry_run, mode=mode)
        except RosterFileError as exc:
            one.error = str(exc)
            db.session.rollback()
            continue
        confirmed = (allowed or {}).get(school.slug)
        if dry_run or not one.plan.ok or not one.plan.confirmed_by(confirmed):
            db.session.rollback()  # releases the school's lock
            continue
        one.result = apply_import(school, one.plan, confirmed=confirmed)
        audit_import(school, one.plan, one.result, "district bundle")
        db.session.commit()
    return run


def _users_of_unknown_orgs(source: RosterSource, ours: set[str]) -> dict[str, int]:
    rows = parse_roster(source.users_text, (0, 99)).rows  # any grade: only the orgs are counted here
    return dict(Counter(org for row in rows if row.orgs and not ours.intersection(row.orgs) for org in row.orgs))


def newest_bundle(folder: Path) -> Path | None:
    """The most recently delivered zip in the drop folder (by modification time, then name)."""
    bundles = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".zip"]
    return max(bundles, key=lambda p: (p.stat().st_mtime, p.name), default=None)


@dataclass
class SyncOutcome:
    bundle: Path | None
    digest: str = ""
    already_synced: bool = False
    run: DistrictRun | None = None


def sync_from(folder: Path, *, mode: str = "delta", allowed: dict[str, int] | None = None) -> SyncOutcome:
    """Import the newest bundle of the drop folder unless the last sync imported exactly it."""
    bundle = newest_bundle(folder)
    if bundle is None:
        return SyncOutcome(None)
    data = bundle.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in _synced_digests():
        return SyncOutcome(bundle, digest, already_synced=True)
    run = import_district(open_roster(data), mode=mode, allowed=allowed)
    if all(one.result is not None for one in run.schools):  # held or refused schools: try again next time
        record_event("roster.sync", school_id=None, detail={"bundle": bundle.name[:200], "sha256": digest})
        db.session.commit()
    return SyncOutcome(bundle, digest, run=run)


def _synced_digests() -> set[str]:
    details = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "roster.sync", AuditEvent.school_id.is_(None)).order_by(AuditEvent.id.desc()).limit(50))
    return {d.get("sha256") for d in details if isinstance(d, dict)}


def admins_to_tell(school: School) -> list[str]:
    return list(db.session.scalars(select(User.email).where(
        User.school_id == school.id, User.role == "admin", User.active.is_(True), User.email.is_not(None))))

