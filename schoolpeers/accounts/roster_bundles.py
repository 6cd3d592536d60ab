"""OneRoster bundles: the zip a school information system exports, read into what an import needs.

A bundle holds `manifest.csv` (which files it carries, and whether each is the whole set or a delta),
`orgs.csv` (the district and its schools), `users.csv`, `demographics.csv` (of which only birth
dates are read: the consent rules ask who is under 13), and files we do not use (enrollments,
classes...). A plain CSV upload is the same thing without orgs. No database here.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from schoolpeers.accounts.roster_files import RosterFileError, decode

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a 50,000-user district is a few MB; refuse zip bombs
USED_FILES = ("manifest.csv", "orgs.csv", "users.csv", "demographics.csv")


@dataclass(frozen=True)
class Org:
    sourced_id: str
    name: str
    type: str  # OneRoster orgType: district, school, ...


@dataclass
class RosterSource:
    """The users file of an upload, with the orgs and the manifest's word when it came in a bundle."""
    users_text: str
    bundle: bool = False
    orgs: dict[str, Org] = field(default_factory=dict)
    users_delta: bool = False  # the manifest says users.csv lists changes only
    unused_files: list[str] = field(default_factory=list)
    birth_dates: dict[str, date] = field(default_factory=dict)  # by sourcedId, from demographics.csv

    def schools(self) -> list[Org]:
        return [org for org in self.orgs.values() if org.type == "school"]


def open_roster(data: bytes) -> RosterSource:
    """A zip is a OneRoster bundle; anything else a users file (plain or OneRoster CSV)."""
    if not data.startswith(b"PK\x03\x04") and not zipfile.is_zipfile(io.BytesIO(data)):
        return RosterSource(decode(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            return _read_bundle(bundle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise RosterFileError(f"The zip file cannot be read ({exc}). Export the bundle again.") from None


def _read_bundle(bundle: zipfile.ZipFile) -> RosterSource:
    members = {info.filename.rsplit("/", 1)[-1].lower(): info for info in bundle.infolist() if not info.is_dir()}
    if sum(info.file_size for info in members.values()) > MAX_UNPACKED_BYTES:
        raise RosterFileError("The bundle unpacks to more than 200 MB: it is not a roster export.")
    if "users.csv" not in members:
        raise RosterFileError("The zip has no users.csv: it is not a OneRoster bundle.")
    if "orgs.csv" not in members:
        raise RosterFileError("The bundle has no orgs.csv, so its users cannot be placed in a school.")
    manifest = _properties(decode(bundle.read(members["manifest.csv"]))) if "manifest.csv" in members else {}
    if manifest.get("file.users", "bulk").lower() == "absent":
        raise RosterFileError("The bundle's manifest says it carries no users.")
    return RosterSource(
        users_text=decode(bundle.read(members["users.csv"])), bundle=True,
        orgs=_orgs(decode(bundle.read(members["orgs.csv"]))),
        users_delta=manifest.get("file.users", "").lower() == "delta",
        unused_files=sorted(name for name in members if name not in USED_FILES),
        birth_dates=_birth_dates(decode(bundle.read(members["demographics.csv"])))
        if "demographics.csv" in members else {},
    )


def _properties(text: str) -> dict[str, str]:
    """manifest.csv: rows of propertyName,value."""
    rows = csv.reader(io.StringIO(text))
    next(rows, None)
    return {row[0].strip(): row[1].strip() for row in rows if len(row) >= 2}


def _orgs(text: str) -> dict[str, Org]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "sourcedId" not in [name.strip() for name in reader.fieldnames]:
        raise RosterFileError("orgs.csv has no sourcedId column.")
    orgs = {}
    for record in reader:
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items() if isinstance(v, str)}
        if record.get("sourcedId") and record.get("status", "").lower() != "tobedeleted":
            orgs[record["sourcedId"]] = Org(record["sourcedId"], record.get("name", ""),
                                            record.get("type", "").lower())
    return orgs


def _birth_dates(text: str) -> dict[str, date]:
    """demographics.csv: each user's birthDate (YYYY-MM-DD); a missing or unreadable one is left out."""
    found = {}
    for record in csv.DictReader(io.StringIO(text)):
        record = {(k or "").strip(): (v or "").strip() for k, v in record.items() if isinstance(v, str)}
        try:
            born = date.fromisoformat(record.get("birthDate", ""))
        except ValueError:
            continue
        if record.get("sourcedId") and date(1900, 1, 1) <= born <= date.today():
            found[record["sourcedId"]] = born
    return found
