"""Reading roster files: a plain CSV or OneRoster 1.1 `users.csv`, checked row by row.

No database here: this turns text into clean rows and a list of problems, each with its line
number, so that an admin can fix the file. The database-facing plan lives in `roster.py`.
"""
from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

from email_validator import EmailNotValidError, validate_email

from schoolpeers.accounts.usernames import username_problem

DELIMITERS = (",", "\t", ";")
PLAIN_COLUMNS = ("id", "given_name", "family_name", "grade", "email", "role")
# Header spellings people actually use for the plain format (compared after `header_key`).
PLAIN_ALIASES = {
    "id": "id", "student id": "id", "roster id": "id", "user id": "id",
    "given name": "given_name", "first name": "given_name", "givenname": "given_name",
    "family name": "family_name", "last name": "family_name", "surname": "family_name",
    "familyname": "family_name", "grade": "grade", "email": "email", "e mail": "email", "role": "role",
    # A student's guardian, optional: one contact per row.
    "guardian name": "guardian_name", "parent name": "guardian_name", "guardian email": "guardian_email",
    "parent email": "guardian_email", "guardian phone": "guardian_phone", "parent phone": "guardian_phone",
    "guardian relationship": "guardian_relationship", "relationship": "guardian_relationship",
    "birth date": "birth_date", "date of birth": "birth_date", "birthdate": "birth_date", "dob": "birth_date",
}
# How files name a guardian's relationship, as the contacts store it.
RELATIONSHIP_WORDS = {"parent": "parent", "mother": "parent", "father": "parent", "mum": "parent", "mom": "parent",
                      "dad": "parent", "guardian": "guardian", "relative": "relative", "grandparent": "relative",
                      "aunt": "relative", "uncle": "relative", "carer": "carer", "foster carer": "carer"}
PLAIN_ROLES = {"student": "student", "staff": "staff", "teacher": "staff",
               "counselor": "counselor", "counsellor": "counselor", "admin": "admin"}
ONEROSTER_ROLES = {"student": "student", "teacher": "staff", "administrator": "staff", "aide": "staff"}
ONEROSTER_GUARDIAN_ROLES = {"guardian", "parent", "relative"}
ONEROSTER_IGNORED_ROLES = {"proctor"}
ONEROSTER_GRADE_CODES = {"KG": 0, "PK": None, "IT": None, "PR": None, "TK": None, "UG": None,
                         "Other": None}


@dataclass(frozen=True)
class RosterRow:
    line: int
    roster_id: str
    given_name: str
    family_name: str
    role: str
    grade: int | None
    email: str | None
    username: str | None
    active: bool = True
    orgs: tuple[str, ...] = ()  # OneRoster orgSourcedIds: the schools (or district) the user belongs to
    birth_date: date | None = None  # a plain file's optional column (YYYY-MM-DD)


@dataclass(frozen=True)
class GuardianRow:
    """A guardian, parent or relative in a OneRoster file: kept for family contact, never an account."""
    line: int
    roster_id: str
    kind: str  # guardian, parent or relative
    given_name: str
    family_name: str
    email: str | None
    phone: str | None
    students: tuple[str, ...]  # agentSourcedIds: the roster ids of the students they are linked to
    orgs: tuple[str, ...] = ()
    active: bool = True  # a row marked inactive or to be deleted removes the stored guardian


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ParsedRoster:
    format: str  # "plain" or "oneroster"
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)  # rows that are not users of ours
    guardians: list[GuardianRow] = field(default_factory=list)


class RosterFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no header we know)."""


def decode(data: bytes) -> str:
    """The file's text, read as a school information system writes it: UTF-16 with its byte-order mark
    (Excel's "Unicode text"), UTF-8 with or without one, or Windows-1252 when no line is UTF-8. A
    file mixing encodings (one pasted row) is refused with its first line that is not UTF-8: reading
    it all as Windows-1252 would garble every other name without a word."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterFileError("The file starts as UTF-16 but is not: export it as CSV (UTF-8).") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = data.splitlines()
    not_utf8 = [n for n, line in enumerate(lines, start=1) if not _is_utf8(line)]
    if any(not line.isascii() and _is_utf8(line) for line in lines):
        raise RosterFileError(f"Line {not_utf8[0]} is not UTF-8 while other lines are: the file mixes "
                              "encodings. Fix that line (or export the whole file again as CSV UTF-8).")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise RosterFileError("The file is not text. Export it as CSV (UTF-8) and try again.") from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_roster(text: str, grade_range: tuple[int, int],
                 role_map: dict[str, str] | None = None) -> ParsedRoster:
    """Read either format, detected from the header row; comma, tab or semicolon separated (the one
    the header row uses most), with any line ending."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # old Mac files end lines with CR alone
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise RosterFileError("The file is empty.") from None
    except csv.Error as exc:
        raise RosterFileError(f"The file is not valid CSV: {exc}.") from None
    names = [h.strip() for h in header]
    if "sourcedId" in names:
        return _parse(reader, names, "oneroster", grade_range, role_map or {})
    mapped = [PLAIN_ALIASES.get(header_key(n)) for n in names]
    missing = [c for c in PLAIN_COLUMNS if c not in mapped and c not in ("email", "grade")]
    if missing:
        raise RosterFileError(
            "The header row is missing " + ", ".join(missing)
            + ". Expected columns: " + ", ".join(PLAIN_COLUMNS)
            + " (or a OneRoster users.csv)."
        )
    return _parse(reader, [m or "" for m in mapped], "plain", grade_range, role_map or {})


def header_key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.lower()).strip()


def _parse(reader, header: list[str], fmt: str, grade_range: tuple[int, int],
           role_map: dict[str, str]) -> ParsedRoster:
    result = ParsedRoster(format=fmt)
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line += 1
            result.problems.append(RowProblem(line, f"not valid CSV: {exc}"))
            continue
        start, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines are harmless
        if line > start and any("\n" in v for v in values):  # a quote opened and closed lines later
            result.problems.append(RowProblem(start, "a quote (\") is not closed on this line"))
            continue
        if len(values) > len(header):
            result.problems.append(RowProblem(
                line, f"{len(values)} values but the header has {len(header)} columns: "
                      "a value holding the separator must be in quotes"))
            continue
        record = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        reader_fn = _read_oneroster if fmt == "oneroster" else _read_plain
        outcome = reader_fn(line, record, grade_range, role_map)
        if isinstance(outcome, RosterRow) and record.get("guardian_name"):
            guardian = _plain_guardian(line, record, outcome)
            (result.guardians if isinstance(guardian, GuardianRow) else result.problems).append(guardian)
        if isinstance(outcome, GuardianRow):
            result.guardians.append(outcome)
            continue
        if isinstance(outcome, RowProblem):
            (result.skipped if outcome.reason.startswith("skipped") else result.problems).append(outcome)
            continue
        duplicate = _duplicate_reason(outcome, seen_ids, seen_emails, seen_usernames)
        if duplicate:
            result.problems.append(RowProblem(line, duplicate))
            continue
        result.rows.append(outcome)
    return result


def _duplicate_reason(row: RosterRow, seen_ids, seen_emails, seen_usernames) -> str | None:
    if row.roster_id in seen_ids:
        return f"duplicate id {row.roster_id} (also on line {seen_ids[row.roster_id]})"
    if row.email and row.email in seen_emails:
        return f"duplicate email {row.email} (also on line {seen_emails[row.email]})"
    if row.username and row.username in seen_usernames:
        return f"duplicate username {row.username} (also on line {seen_usernames[row.username]})"
    seen_ids[row.roster_id] = row.line
    if row.email:
        seen_emails[row.email] = row.line
    if row.username:
        seen_usernames[row.username] = row.line
    return None


def _read_plain(line: int, record: dict, grade_range, role_map) -> RosterRow | RowProblem:
    role_text = record.get("role", "").lower()
    role = role_map.get(role_text) or PLAIN_ROLES.get(role_text)
    missing = [c for c in ("id", "given_name", "family_name", "role") if not record.get(c)]
    if missing:
        return RowProblem(line, "missing " + ", ".join(m.replace("_", " ") for m in missing))
    if role is None:
        return RowProblem(line, f"unknown role {record['role']!r} (use student, staff, counselor or admin)")
    row = _finish_row(line, record["id"], record["given_name"], record["family_name"], role,
                      record.get("grade", ""), record.get("email", ""), None, True, grade_range)
    born = record.get("birth_date", "")
    if not born or not isinstance(row, RosterRow):
        return row
    try:
        birth_date = date.fromisoformat(born)
    except ValueError:
        return RowProblem(line, f"birth date {born!r} is not a date: write it as YYYY-MM-DD")
    if not date(1900, 1, 1) <= birth_date <= date.today():
        return RowProblem(line, f"birth date {born} is not a plausible date of birth")
    return replace(row, birth_date=birth_date)


def _read_oneroster(line: int, record: dict, grade_range, role_map) -> RosterRow | GuardianRow | RowProblem:
    role_text = record.get("role", "")
    if role_text.lower() in ONEROSTER_GUARDIAN_ROLES:
        return _read_guardian(line, record)
    if role_text.lower() in ONEROSTER_IGNORED_ROLES:
        return RowProblem(line, f"skipped: role {role_text} has no account here")
    role = role_map.get(role_text.lower()) or ONEROSTER_ROLES.get(role_text.lower())
    missing = [label for key, label in (("sourcedId", "sourcedId"), ("givenName", "givenName"),
               ("familyName", "familyName"), ("role", "role")) if not record.get(key)]
    if missing:
        return RowProblem(line, "missing " + ", ".join(missing))
    if role is None:
        return RowProblem(line, f"unknown role {role_text!r}")
    active = _is_active(record)
    grade_text = record.get("grades", "").split(",")[0].strip() if role == "student" else ""
    row = _finish_row(line, record["sourcedId"], record["givenName"], record["familyName"], role,
                      grade_text, record.get("email", ""), record.get("username", "").lower() or None, active,
                      grade_range)
    return replace(row, orgs=id_list(record.get("orgSourcedIds", ""))) if isinstance(row, RosterRow) else row


def plain_guardian_prefix(student_roster_id: str) -> str:
    """The start of the keys of a student's contacts from plain files."""
    return f"plain:{_short_digest(student_roster_id)}:"


def _short_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _plain_guardian(line: int, record: dict, student: RosterRow) -> GuardianRow | RowProblem:
    """A plain file's guardian columns of a student's row: one contact, keyed by the student and the
    guardian's name, so that a different name is a different person (with answers of their own)."""
    name = unicodedata.normalize("NFC", record["guardian_name"])
    given, _, family = name.rpartition(" ") if " " in name else (name, "", "")
    email_text, phone = record.get("guardian_email", ""), record.get("guardian_phone", "")
    email = normalized_email(email_text) if email_text else None
    if email_text and email is None:
        return RowProblem(line, f"the guardian's email {email_text!r} is not an email address")
    if len(given) > 100 or len(family) > 100 or len(phone) > 50 or "\x00" in name + phone:
        return RowProblem(line, "a guardian value is too long or holds a NUL character")
    kind = RELATIONSHIP_WORDS.get(record.get("guardian_relationship", "").lower(), "guardian")
    key = plain_guardian_prefix(student.roster_id) + _short_digest(" ".join(name.casefold().split()))
    return GuardianRow(line, key, kind, given, family, email, phone or None, (student.roster_id,))


def _is_active(record: dict) -> bool:
    enabled = record.get("enabledUser", "true").lower() not in ("false", "0", "no")
    return enabled and record.get("status", "").lower() not in ("tobedeleted", "inactive")


def id_list(text: str) -> tuple[str, ...]:
    """A OneRoster list of sourcedIds ("a,b"), in order, without blanks."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _read_guardian(line: int, record: dict) -> GuardianRow | RowProblem:
    given = unicodedata.normalize("NFC", record.get("givenName", ""))
    family = unicodedata.normalize("NFC", record.get("familyName", ""))
    if not record.get("sourcedId") or not (given or family):
        return RowProblem(line, "skipped: a guardian row without a sourcedId or a name")
    limits = ((record["sourcedId"], 100), (given, 100), (family, 100), (record.get("email", ""), 254),
              (record.get("phone", ""), 50))
    if any("\x00" in value or len(value) > limit for value, limit in limits):
        return RowProblem(line, "skipped: a guardian row with a value too long or a NUL character")
    return GuardianRow(line, record["sourcedId"], record["role"].lower(), given, family,
                       record.get("email", "").lower() or None, record.get("phone", "") or None,
                       id_list(record.get("agentSourcedIds", "")), id_list(record.get("orgSourcedIds", "")),
                       _is_active(record))


def _finish_row(line, roster_id, given, family, role, grade_text, email_text, username, active,
                grade_range) -> RosterRow | RowProblem:
    # One form for every name, however the file composed its accents, so search and comparison agree.
    given, family = unicodedata.normalize("NFC", given), unicodedata.normalize("NFC", family)
    # PostgreSQL can neither store nor even look up text holding NUL; a UTF-16 file is full of them.
    if any("\x00" in value for value in (roster_id, given, family, role, grade_text, email_text, username or "")):
        return RowProblem(line, "contains a NUL character: export the file as CSV (UTF-8)")
    if username and (problem := username_problem(username)):
        return RowProblem(line, f"username {problem}")
    for label, value, limit in (("id", roster_id, 100), ("given name", given, 100),
                                ("family name", family, 100), ("username", username or "", 100)):
        if len(value) > limit:
            return RowProblem(line, f"{label} is longer than {limit} characters")
    grade = None
    if role == "student":
        grade_or_problem = _parse_grade(grade_text, grade_range)
        if isinstance(grade_or_problem, str):
            return RowProblem(line, grade_or_problem)
        grade = grade_or_problem
    email = None
    if email_text:
        email = normalized_email(email_text)
        if email is None:
            return RowProblem(line, f"bad email {email_text!r}")
    return RosterRow(line, roster_id, given, family, role, grade, email, username, active)


# RFC 5322's dot-atom: what nearly every school address's local part is, checked without the library's
# full (and, over 50,000 rows, slow) internationalised path; anything else goes through the library.
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


def normalized_email(text: str) -> str | None:
    """The address in lower case, or None when it is not one."""
    local, at, domain = text.rpartition("@")
    if at and len(text) <= 254 and DOT_ATOM.match(local):
        checked = _checked_domain(domain)
        return f"{local}@{checked}".lower() if checked else None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@functools.lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    """A domain as the library normalises it (a file holds few), or None when it is not valid."""
    try:
        return validate_email(f"a@{domain}", check_deliverability=False).domain
    except EmailNotValidError:
        return None


def _parse_grade(text: str, grade_range: tuple[int, int]) -> int | str:
    low, high = grade_range
    if not text:
        return "missing grade (students need one)"
    value = ONEROSTER_GRADE_CODES.get(text, text)
    try:
        grade = int(value) if value is not None else None
    except (TypeError, ValueError):
        grade = None
    if grade is None or not low <= grade <= high:
        return f"unknown grade {text!r} (this school has grades {low}–{high})"
    return grade
