"""Roster import against the database: a plan (what would change), then applying it.

Keyed on the roster's id within the school, so re-importing the same file changes nothing.
Nothing is written while any row has a problem; a clean plan is applied in the caller's
single transaction. Users created in the app (no roster id) are never touched; roles granted
in the app (counselor, admin) are kept when the roster says staff.

A OneRoster bundle (a zip) or a users file listing orgSourcedIds imports only this school's users:
those of the org set in its settings (or of a bundle's only school); users of other orgs are skipped.
Guardians are stored for family contact, without accounts.

Two modes. A delta file (the default) changes only the people it lists: a row marked inactive,
disabled or to be deleted deactivates that person. A full sync, chosen by the admin, also
deactivates everyone of the school's roster who is missing from the file. Either way a run that
would deactivate more students than the school's limit (a share of its active students) is held
until the admin confirms the exact number, and no import deactivates the admin running it.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import func, insert, select

from schoolpeers.accounts import approvals, services
from schoolpeers.accounts.models import Guardian, GuardianStudent, School, User
from schoolpeers.accounts.roster_bundles import RosterSource
from schoolpeers.accounts.roster_files import (
    GuardianRow,
    ParsedRoster,
    RosterFileError,
    RosterRow,
    RowProblem,
    parse_roster,
    plain_guardian_prefix,
)
from schoolpeers.accounts.signals import user_deactivated
from schoolpeers.audit import record_event
from schoolpeers.batches import BATCH, rows_where_in
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

ROSTER_ROLES = {"student", "staff"}  # roles a roster may set on an existing account
TOMBSTONE = "erased:"
MODES = {"delta": "Only the people in the file (a delta)", "full": "The whole roster (a full sync)"}


@dataclass
class RosterPlan:
    format: str
    mode: str = "delta"
    deactivation_limit: int = 0  # students a run may deactivate without the admin's confirmation
    create: list[RosterRow] = field(default_factory=list)
    update: list[tuple[User, RosterRow, list[str]]] = field(default_factory=list)
    deactivate: list[User] = field(default_factory=list)
    unchanged: int = 0
    kept: list[tuple[User, str]] = field(default_factory=list)  # what the file would undo of an admin's decision
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)
    guardians: list[GuardianRow] = field(default_factory=list)  # stored for family contact, no accounts
    notes: list[str] = field(default_factory=list)  # what the admin should know about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return len(self.create) + len(self.update) + len(self.deactivate)

    @property
    def deactivated_students(self) -> int:
        """Students this plan deactivates: missing from a full sync, or marked inactive in the file."""
        return (sum(u.role == "student" for u in self.deactivate)
                + sum(u.role == "student" and "deactivated" in d for u, _row, d in self.update))

    def needs_confirmation(self) -> bool:
        return self.deactivated_students > self.deactivation_limit

    def confirmed_by(self, number: int | None) -> bool:
        """The admin typed (or passed) the number of students to deactivate, or the plan needs none."""
        return not self.needs_confirmation() or number == self.deactivated_students


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    deactivated: int
    unchanged: int
    guardians: int = 0

    def counts(self) -> dict[str, int]:
        return asdict(self)


def audit_import(school: School, plan: RosterPlan, result: ImportResult, source: str,
                 actor: User | None = None, **detail) -> None:
    """The audit log's record of an applied import: where it came from, how, and its counts."""
    record_event("roster.import", school_id=school.id, actor_id=actor.id if actor else None, detail={
        "source": source, "format": plan.format, "mode": plan.mode, **result.counts(), **detail})


def plan_import(school: School, source: str | RosterSource, role_map: dict[str, str] | None = None, *,
                to_apply: bool = False, mode: str = "delta", acting_user: User | None = None,
                override_admin: bool = False) -> RosterPlan:
    """What importing `source` (a users file's text, or an opened bundle) would change. `to_apply`: the
    plan is applied in this transaction, so imports into one school take turns (a row lock on the
    school, held until commit) and each one plans against what the one before it wrote; no file is
    applied half, or twice over. `override_admin`: the admin confirmed that the file may undo what an
    admin decided by hand (a deactivation, a role)."""
    if mode not in MODES:
        raise ValueError(f"unknown roster mode {mode!r}")
    if to_apply:  # NO KEY UPDATE: rows that merely reference the school are not held up
        db.session.execute(select(School.id).where(School.id == school.id).with_for_update(key_share=True))
    source = RosterSource(source) if isinstance(source, str) else source
    parsed = parse_roster(source.users_text, (school.grade_min, school.grade_max), role_map)
    if source.birth_dates:
        parsed.rows = [replace(row, birth_date=source.birth_dates.get(row.roster_id, row.birth_date))
                       for row in parsed.rows]
    if not parsed.rows and not parsed.problems and not parsed.skipped and not parsed.guardians:
        raise RosterFileError("The file has a header but no rows: there is nothing to import.")
    plan = RosterPlan(format="bundle" if source.bundle else parsed.format, mode=mode,
                      deactivation_limit=deactivation_limit(school),
                      skipped=parsed.skipped, problems=list(parsed.problems))
    if source.users_delta and mode == "full":
        plan.mode = "delta"
        plan.notes.append("The bundle's manifest says its users file lists changes only: it is imported as a "
                          "delta, and nobody missing from it is deactivated.")
    guardians = _keep_this_school(school, source, parsed, plan)
    existing = {
        u.roster_id: u
        for u in db.session.scalars(
            select(User).where(User.school_id == school.id, User.roster_id.is_not(None))
            .execution_options(populate_existing=True)  # as committed now, not as loaded earlier
        )
    }
    erased = {rid for rid in existing if rid.startswith(TOMBSTONE)}
    plan.guardians = _changed_guardians(school, _unlinked_from_erased(school, guardians, erased))
    matched = {**existing, **_rekeyed(parsed, existing)}
    _check_against_other_accounts(parsed, matched, plan)
    _choose_usernames(parsed, matched)
    seen: set[int] = set()
    for row in parsed.rows:
        user = matched.get(row.roster_id)
        if user is None:
            if tombstone(school, row.roster_id) in erased:
                plan.skipped.append(RowProblem(row.line, "skipped: erased on request, never created again"))
            elif row.active:
                plan.create.append(row)
            continue
        seen.add(user.id)
        differences = _differences(user, row)
        if not override_admin:
            _keep_admin_decisions(user, row, differences, plan)
        if differences:
            plan.update.append((user, row, differences))
        else:
            plan.unchanged += 1
    if plan.mode == "full":
        plan.deactivate = sorted(
            (u for u in existing.values() if u.id not in seen and u.active),
            key=lambda u: (u.family_name, u.given_name),
        )
    if acting_user is not None and (
            acting_user in plan.deactivate
            or any(u.id == acting_user.id and "deactivated" in d for u, _row, d in plan.update)):
        plan.problems.append(RowProblem(0, "this file would deactivate your own account: "
                                           "another admin must import it, or keep your row active"))
    plan.problems.sort(key=lambda p: p.line)
    return plan


def _keep_admin_decisions(user: User, row: RosterRow, differences: list[str], plan: RosterPlan) -> None:
    """What an admin decided by hand stays, shown as a conflict, unless the admin confirms the file wins."""
    if "reactivated" in differences and user.deactivated_by_admin:
        differences.remove("reactivated")
        plan.kept.append((user, "deactivated by an admin: stays inactive"))
    if "role" in differences and user.role_set_by_admin:
        differences.remove("role")
        if "grade" in differences and user.role != "student":  # a grade belongs to the role kept away
            differences.remove("grade")
        plan.kept.append((user, f"role set to {user.role} by an admin: stays (the file says {row.role})"))


def _school_org(school: School, source: RosterSource) -> str | None:
    """The org whose users are this school's: the one set in its settings, or a bundle's only school."""
    if school.roster_org_id:
        if source.bundle and school.roster_org_id not in source.orgs:
            raise RosterFileError(f"This bundle has no org {school.roster_org_id} (this school's OneRoster org "
                                  "id in Settings): it is another school's or district's export.")
        return school.roster_org_id
    schools = source.schools()
    if len(schools) == 1:
        return schools[0].sourced_id
    if len(schools) > 1:
        raise RosterFileError(
            f"This bundle covers {len(schools)} schools ({', '.join(o.name or o.sourced_id for o in schools[:5])}"
            f"{', ...' if len(schools) > 5 else ''}): set this school's OneRoster org id in Settings, "
            "so that only its users are imported.")
    return None


def _keep_this_school(school: School, source: RosterSource, parsed: ParsedRoster,
                      plan: RosterPlan) -> list[GuardianRow]:
    """Rows of other schools are skipped (never created here); the guardians of this school's are kept."""
    org = _school_org(school, source)
    listed = [set(row.orgs) for row in parsed.rows if row.orgs]
    if org is None:
        if listed and not set.intersection(*listed):
            raise RosterFileError("The file lists users of several organisations (orgSourcedIds): set this "
                                  "school's OneRoster org id in Settings, so that only its users are imported.")
        return parsed.guardians
    ours = []
    for row in parsed.rows:
        if row.orgs and org not in row.orgs:
            plan.skipped.append(RowProblem(row.line, "skipped: a user of another organisation "
                                                     f"({', '.join(row.orgs)})"))
        else:
            ours.append(row)
    parsed.rows = ours
    students = {row.roster_id for row in ours}
    return [g for g in parsed.guardians if org in g.orgs or students.intersection(g.students)]


def _unlinked_from_erased(school: School, rows: list[GuardianRow], erased: set[str]) -> list[GuardianRow]:
    """A guardian is never linked again to a student erased on request; one linked to nobody else goes."""
    kept = []
    for row in rows:
        students = tuple(sid for sid in row.students if tombstone(school, sid) not in erased)
        if students or not row.students:
            kept.append(replace(row, students=students))
    return kept


def _changed_guardians(school: School, rows: list[GuardianRow]) -> list[GuardianRow]:
    """The guardian rows that would change what is stored: new, different, or removed."""
    stored = _stored_guardians(school, rows)

    def changes(row: GuardianRow) -> bool:
        guardian = stored.get(row.roster_id)
        if guardian is None:
            return row.active
        return not row.active or (guardian.relationship_kind, guardian.given_name, guardian.family_name,
                                  guardian.email, guardian.phone, guardian.student_roster_ids) != (
            row.kind, row.given_name, row.family_name, row.email, row.phone, list(row.students))

    return [row for row in rows if changes(row)]


def _stored_guardians(school: School, rows: list[GuardianRow]) -> dict[str, Guardian]:
    return {g.roster_id: g for (g,) in rows_where_in(select(Guardian).where(
        Guardian.school_id == school.id), Guardian.roster_id, (row.roster_id for row in rows))}


def tombstone(school: School, roster_id: str) -> str:
    """What an erased student's roster id becomes: a hash that matches the same id in a later file,
    so the student is never created again, and that names nobody."""
    return TOMBSTONE + hashlib.sha256(f"{school.id}:{roster_id}".encode()).hexdigest()[:48]


def deactivation_limit(school: School) -> int:
    """How many students an import may deactivate without the admin confirming the number."""
    active = db.session.scalar(select(func.count()).select_from(User).where(
        User.school_id == school.id, User.role == "student", User.active.is_(True))) or 0
    return active * school.roster_deactivation_limit_percent // 100


def _check_against_other_accounts(parsed: ParsedRoster, existing: dict[str, User], plan: RosterPlan) -> None:
    """Emails and usernames are unique across the installation: refuse rows that clash."""
    owners_by_email = dict(rows_where_in(select(User.email, User.id), User.email,
                                         (r.email for r in parsed.rows if r.email)))
    owners_by_username = dict(rows_where_in(select(User.username, User.id), User.username,
                                            (r.username for r in parsed.rows if r.username)))
    clean = []
    for row in parsed.rows:
        own_id = existing[row.roster_id].id if row.roster_id in existing else None
        if row.email and owners_by_email.get(row.email, own_id) != own_id:
            plan.problems.append(RowProblem(row.line, f"email {row.email} belongs to another account"))
        elif row.username and owners_by_username.get(row.username, own_id) != own_id:
            plan.problems.append(RowProblem(row.line, f"username {row.username} belongs to another account"))
        else:
            clean.append(row)
    parsed.rows = clean


def _rekeyed(parsed: ParsedRoster, existing: dict[str, User]) -> dict[str, User]:
    """Rows whose roster id is new but whose email or username is an account of the school that the
    file does not list under its old id: the same person under a new id (a change of school
    information system), matched instead of duplicated."""
    in_file = {row.roster_id for row in parsed.rows}
    unlisted = [u for rid, u in existing.items() if rid not in in_file and not rid.startswith(TOMBSTONE)]
    by_email = {u.email: u for u in unlisted if u.email}
    by_username = {u.username: u for u in unlisted}
    found: dict[str, User] = {}
    taken: set[int] = set()  # each account re-keyed once, to the first row that names it
    for row in parsed.rows:
        if row.roster_id in existing:
            continue
        user = by_email.get(row.email) if row.email else None
        user = user or (by_username.get(row.username) if row.username else None)
        if user is not None and user.id not in taken:
            found[row.roster_id] = user
            taken.add(user.id)
    return found


def _choose_usernames(parsed: ParsedRoster, existing: dict[str, User]) -> None:
    """A username for every new row without one, chosen now so that the import creates exactly what
    the dry run showed: unique across the installation's accounts and the file's own usernames."""
    needing = [i for i, row in enumerate(parsed.rows) if row.username is None and row.roster_id not in existing]
    bases = {i: services.username_base(parsed.rows[i].given_name, parsed.rows[i].family_name) for i in needing}
    taken = {row.username for row in parsed.rows if row.username} | services.usernames_like(set(bases.values()))
    tried: dict[str, int] = {}  # the last number tried per base, so that each row starts after it
    for i in needing:
        base = bases[i]
        username, n = base, tried.get(base, 1)
        if n > 1:
            username = f"{base}{n}"
        while username in taken:
            n += 1
            username = f"{base}{n}"
        tried[base] = n
        taken.add(username)
        parsed.rows[i] = replace(parsed.rows[i], username=username)


def _differences(user: User, row: RosterRow) -> list[str]:
    changed = []
    if user.given_name != row.given_name or user.family_name != row.family_name:
        changed.append("name")
    if user.email != row.email and row.email is not None:
        changed.append("email")
    if user.grade != row.grade and row.role == "student":
        changed.append("grade")
    if user.role != row.role and user.role in ROSTER_ROLES and row.role in ROSTER_ROLES:
        changed.append("role")
    if user.active != row.active:
        changed.append("reactivated" if row.active else "deactivated")
    if row.username and user.username != row.username:
        changed.append("username")
    if user.roster_id != row.roster_id:
        changed.append("re-keyed")
    if row.birth_date is not None and user.birth_date != row.birth_date:
        changed.append("birth date")
    return changed


def apply_import(school: School, plan: RosterPlan, actor: User | None = None, *,
                 confirmed: int | None = None, progress: Callable[[float], None] | None = None) -> ImportResult:
    """Write a clean, confirmed plan. The caller commits once, so a failure leaves nothing behind.
    Everyone deactivated leaves (`accounts.signals.user_deactivated`) in the same transaction."""
    if not plan.ok:
        raise ValueError("A roster with problems cannot be applied.")
    if not plan.confirmed_by(confirmed):
        raise ValueError(f"Deactivating {plan.deactivated_students} students needs the admin's confirmation.")
    leaving = list(plan.deactivate) + [u for u, _row, d in plan.update if "deactivated" in d]
    steps = max(1, len(plan.create) + len(plan.update) + len(leaving))
    report = progress or (lambda share: None)
    # An admin's file cannot make counselors on its own: they start as staff, and a counselor approves
    # the role (accounts/approvals.py). The command line is the operator's, who holds the database anyway.
    held = {row.roster_id for row in plan.create if row.role == "counselor"} if actor is not None else set()
    _create_accounts(school, [replace(row, role="staff") if row.roster_id in held else row for row in plan.create],
                     lambda done: report(done / steps))
    for (user,) in rows_where_in(select(User).where(User.school_id == school.id), User.roster_id, sorted(held)):
        approvals.ask("grant_counselor", user, actor)
    for user, row, differences in plan.update:
        _apply_row(user, row, differences)
    for user in plan.deactivate:
        user.active = False
        user.session_version += 1
    _store_guardians(school, plan.guardians)
    db.session.flush()
    report((len(plan.create) + len(plan.update)) / steps)
    for i, user in enumerate(leaving, start=1):
        user_deactivated.send(user, actor=actor)
        if i % 100 == 0:
            report((steps - len(leaving) + i) / steps)
    return ImportResult(len(plan.create), len(plan.update), len(leaving), plan.unchanged, len(plan.guardians))


def _create_accounts(school: School, rows: list[RosterRow], done: Callable[[int], None]) -> None:
    """New accounts in bulk statements: the plan has already made their usernames and emails unique
    under the school's lock (and the database's unique constraints stand behind it)."""
    values = [{"school_id": school.id, "given_name": row.given_name, "family_name": row.family_name,
               "role": row.role, "username": row.username, "email": row.email, "roster_id": row.roster_id,
               "grade": row.grade if row.role == "student" else None, "birth_date": row.birth_date,
               "languages": []} for row in rows]
    for start in range(0, len(values), BATCH):
        db.session.execute(insert(User), values[start:start + BATCH])
        done(start + len(values[start:start + BATCH]))


def _store_guardians(school: School, rows: list[GuardianRow]) -> None:
    """Guardians as the file lists them, by roster id: added, updated, or removed when marked so; each
    linked to the school's students the file names."""
    stored = _stored_guardians(school, rows)
    _drop_replaced_plain_contacts(school, rows)
    students = {roster_id: user_id for user_id, roster_id in rows_where_in(
        select(User.id, User.roster_id).where(User.school_id == school.id, User.role == "student"),
        User.roster_id, {sid for row in rows for sid in row.students})}
    for row in rows:
        guardian = stored.get(row.roster_id)
        if not row.active:
            if guardian is not None:
                db.session.delete(guardian)
            continue
        if guardian is None:
            guardian = stored[row.roster_id] = Guardian(school_id=school.id, roster_id=row.roster_id, source="roster")
            db.session.add(guardian)
        guardian.relationship_kind, guardian.given_name = row.kind, row.given_name
        guardian.family_name = row.family_name
        guardian.email, guardian.phone, guardian.student_roster_ids = row.email, row.phone, list(row.students)
        guardian.updated_at = utcnow()
        linked = {students[sid] for sid in row.students if sid in students}
        guardian.links = [link for link in guardian.links if link.student_id in linked] + [
            GuardianStudent(school_id=school.id, student_id=student_id)
            for student_id in sorted(linked - {link.student_id for link in guardian.links})]


def _drop_replaced_plain_contacts(school: School, rows: list[GuardianRow]) -> None:
    """A plain file names one contact per student: one it named before under another name goes
    (the school's plain-file contacts read in one query)."""
    keys = {row.roster_id for row in rows if row.active and row.roster_id.startswith("plain:")}
    prefixes = {plain_guardian_prefix(row.students[0]) for row in rows if row.roster_id in keys}
    if not prefixes:
        return
    for old in db.session.scalars(select(Guardian).where(
            Guardian.school_id == school.id, Guardian.roster_id.startswith("plain:"))):
        if old.roster_id not in keys and old.roster_id.rpartition(":")[0] + ":" in prefixes:
            db.session.delete(old)


def _apply_row(user: User, row: RosterRow, differences: list[str]) -> None:
    user.given_name, user.family_name = row.given_name, row.family_name
    if "email" in differences:
        user.email = row.email
    if "grade" in differences:
        user.grade = row.grade
    if "role" in differences:
        user.role, user.role_set_by_admin = row.role, False  # the admin confirmed the file wins
        user.session_version += 1
    if "username" in differences:
        user.username = row.username
    if "re-keyed" in differences:
        user.roster_id = row.roster_id
    if "birth date" in differences:
        user.birth_date = row.birth_date
    if "reactivated" in differences or "deactivated" in differences:
        user.active, user.deactivated_by_admin = row.active, False
        user.session_version += 1
