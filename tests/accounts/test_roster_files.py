import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolpeers.accounts.roster_files import RosterFileError, decode, normalized_email, parse_roster

DATA = Path(__file__).parent.parent / "data"
GRADES = (6, 12)
HEADER = "id,given_name,family_name,grade,email,role\n"


def test_plain_csv_is_read_with_header_aliases():
    text = "Student ID,First Name,Last Name,Grade,E-mail,Role\nA1,Ada,Lovelace,7,Ada@X.org,Student\n"
    parsed = parse_roster(text, GRADES)
    assert parsed.format == "plain" and not parsed.problems
    row = parsed.rows[0]
    assert (row.roster_id, row.given_name, row.grade, row.email, row.role) == ("A1", "Ada", 7, "ada@x.org", "student")


@pytest.mark.parametrize(("row", "reason"), [
    ("A1,,Lovelace,7,,student", "missing given name"),
    ("A1,Ada,Lovelace,,,student", "missing grade"),
    ("A1,Ada,Lovelace,13,,student", "unknown grade '13'"),
    ("A1,Ada,Lovelace,seven,,student", "unknown grade 'seven'"),
    ("A1,Ada,Lovelace,7,ada@,student", "bad email 'ada@'"),
    ("A1,Ada,Lovelace,7,,wizard", "unknown role 'wizard'"),
    ("A1,Ada," + "L" * 101 + ",7,,student", "longer than 100"),
])
def test_bad_rows_are_reported_with_line_and_reason(row, reason):
    parsed = parse_roster(HEADER + "OK1,Grace,Hopper,8,,student\n" + row + "\n", GRADES)
    assert [p.line for p in parsed.problems] == [3]
    assert reason in parsed.problems[0].reason
    assert [r.roster_id for r in parsed.rows] == ["OK1"]


def test_duplicates_within_the_file_name_the_first_line():
    text = HEADER + "A1,Ada,L,7,a@x.org,student\nA1,Bob,M,7,b@x.org,student\nA3,Cy,N,7,a@x.org,student\n"
    parsed = parse_roster(text, GRADES)
    assert [(p.line, p.reason) for p in parsed.problems] == [
        (3, "duplicate id A1 (also on line 2)"), (4, "duplicate email a@x.org (also on line 2)")]


def test_staff_need_no_grade_and_blank_lines_are_ignored():
    parsed = parse_roster(HEADER + "\nS1,Grace,Hopper,,g@x.org,teacher\n\n", GRADES)
    assert not parsed.problems and parsed.rows[0].role == "staff" and parsed.rows[0].grade is None


def test_plain_guardian_columns_give_one_contact_per_student_row():
    text = ("id,given_name,family_name,grade,role,Parent Name,Parent Email,Guardian Phone,Relationship\n"
            "S1,Mia,Ruiz,7,student,Ana María Ruiz,ANA@Example.org,+44 20 7946 0000,Mother\n"
            "S2,Leo,Park,8,student,,,,\n"
            "S3,Kim,Lee,8,student,Sam Lee,not-an-email,,uncle\n")
    parsed = parse_roster(text, (6, 12))
    (guardian,) = parsed.guardians
    assert (guardian.given_name, guardian.family_name, guardian.kind, guardian.email, guardian.phone,
            guardian.students) == ("Ana María", "Ruiz", "parent", "ana@example.org", "+44 20 7946 0000", ("S1",))
    assert guardian.roster_id.startswith("plain:") and len(guardian.roster_id) <= 100
    assert [p.line for p in parsed.problems] == [4] and "not an email address" in parsed.problems[0].reason
    assert [r.roster_id for r in parsed.rows] == ["S1", "S2", "S3"]  # the student is imported all the same


def test_a_plain_birth_date_column_is_read_and_checked():
    from datetime import date

    text = ("id,given_name,family_name,grade,role,date of birth\n"
            "S1,Mia,Ruiz,7,student,2014-03-09\nS2,Leo,Park,8,student,09/03/2014\nS3,Kim,Lee,8,student,2999-01-01\n"
            "S4,Ann,Bo,8,student,\n")
    parsed = parse_roster(text, (6, 12))
    assert [(r.roster_id, r.birth_date) for r in parsed.rows] == [("S1", date(2014, 3, 9)), ("S4", None)]
    assert [(p.line, p.reason.split(" is ")[1][:10]) for p in parsed.problems] == [(3, "not a date"), (4, "not a plau")]


def test_oneroster_file_maps_roles_grades_and_keeps_guardians_apart():
    parsed = parse_roster(decode((DATA / "oneroster_users.csv").read_bytes()), GRADES)
    assert parsed.format == "oneroster" and not parsed.problems
    roles = {r.role for r in parsed.rows}
    assert roles == {"student", "staff"}
    assert len(parsed.rows) == 341 and not parsed.skipped and len(parsed.guardians) == 15
    assert all(g.students and g.kind in ("guardian", "parent", "relative") for g in parsed.guardians)
    assert {r.orgs for r in parsed.rows} == {("org-northfield",)}
    assert {r.grade for r in parsed.rows if r.role == "student"} == set(range(6, 13))
    assert all(r.username for r in parsed.rows)


def test_oneroster_status_and_role_map():
    text = ("sourcedId,status,role,username,givenName,familyName,grades,email,enabledUser\n"
            "u1,tobedeleted,student,u1,A,B,07,,true\n"
            "u2,,administrator,u2,C,D,,,true\n"
            "u3,,student,u3,E,F,KG,,true\n"
            "u4,,student,u4,G,H,09,,false\n")
    parsed = parse_roster(text, GRADES, {"administrator": "admin"})
    by_id = {r.roster_id: r for r in parsed.rows}
    assert by_id["u1"].active is False and by_id["u4"].active is False
    assert by_id["u2"].role == "admin"
    assert parsed.problems[0].line == 4 and "unknown grade 'KG'" in parsed.problems[0].reason


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("name,age\nAda,12\n", "header row is missing id, given_name, family_name, role"),
])
def test_unreadable_files_raise(text, message):
    with pytest.raises(RosterFileError, match=message):
        parse_roster(text, GRADES)


def test_decode_accepts_utf8_bom_and_windows_1252():
    assert decode("\ufeffid".encode("utf-8")) == "id"
    assert decode("Müller".encode("cp1252")) == "Müller"


# --- files as school information systems export them -------------------------------------------

ROWS = "id,given_name,family_name,grade,email,role\nA1,Zoë,Dufour,7,,student\nA2,D’Angelo,Rossi,8,,student\n"


@pytest.mark.parametrize("encoded", [
    ROWS.encode("utf-8"), codecs.BOM_UTF8 + ROWS.encode("utf-8"), ROWS.encode("utf-16"),  # BOM included
    ROWS.encode("cp1252"),  # a whole file in Windows-1252
])
def test_every_encoding_a_school_system_writes_reads_the_same_names(encoded):
    parsed = parse_roster(decode(encoded), (6, 12))
    assert [(r.given_name, r.family_name) for r in parsed.rows] == [("Zoë", "Dufour"), ("D’Angelo", "Rossi")]


def test_a_file_mixing_encodings_is_refused_at_its_first_foreign_line():
    mixed = ROWS.encode("utf-8") + "A3,Chloé,Martin,9,,student\n".encode("cp1252")
    with pytest.raises(RosterFileError, match="Line 4 is not UTF-8"):
        decode(mixed)


@pytest.mark.parametrize("separator", [",", "\t", ";"])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_tab_semicolon_and_any_line_ending(separator, ending):
    text = ROWS.replace(",", separator).replace("\n", ending)
    assert len(parse_roster(text, (6, 12)).rows) == 2


def test_an_unquoted_comma_and_a_stray_quote_are_reported_on_their_own_lines():
    text = ("id,given_name,family_name,grade,email,role\n"
            "A1,Ada,Lovelace,7,,student\n"
            "A2,Mary,Smith, Jr.,8,,student\n"  # an unquoted comma: one value too many
            "A3,\"Bob,Byron,8,,student\n"  # a quote that never closes
            "A4,Cy,Clark,9,,student\n")
    problems = {p.line: p.reason for p in parse_roster(text, (6, 12)).problems}
    assert "separator must be in quotes" in problems[3] and "not closed on this line" in problems[4]


@pytest.mark.parametrize(("text", "expected"), [
    ("Ada.Lovelace@Example.ORG", "ada.lovelace@example.org"),
    ("o'brien+roster@school.example.org", "o'brien+roster@school.example.org"),
    ("zoë@école.example", "zoë@école.example"),  # internationalised: the library's path
    ("a..b@example.org", None), (".a@example.org", None), ("a@", None), ("@example.org", None),
    ("a@example", None), ("a@-bad-.example.org", None), ("a b@example.org", None), ("a@b@example.org", None),
    ("x" * 250 + "@example.org", None),
])
def test_emails_are_checked_the_same_on_the_fast_and_the_full_path(text, expected):
    from email_validator import EmailNotValidError, validate_email

    try:
        library = validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        library = None
    assert normalized_email(text) == library == expected


@given(st.text(alphabet="aZ09.+-_'!é ", min_size=0, max_size=12),
       st.sampled_from(["example.org", "Example.ORG", "école.example", "-x.org", "a..org", "localhost", ""]))
def test_the_fast_email_path_agrees_with_the_library(local, domain):
    from email_validator import EmailNotValidError, validate_email

    text = f"{local}@{domain}"
    try:
        library = validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        library = None
    assert normalized_email(text) == library
