from pathlib import Path

from sqlalchemy import func, select

from schoolpeers.accounts.models import User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db

DATA = Path(__file__).parent.parent / "data"


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_dry_run_then_import(runner, school):
    path = str(DATA / "oneroster_users.csv")
    dry = runner.invoke(args=["roster", "import", path, "--school", school.slug, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "341 to create" in dry.output and "Dry run: nothing was written." in dry.output
    assert user_count() == 0
    real = runner.invoke(args=["roster", "import", path, "--school", school.slug,
                               "--map", "administrator=admin"])
    assert real.exit_code == 0 and "341 created" in real.output
    assert db.session.scalar(select(User.role).where(User.roster_id == "adm-1")) == "admin"
    assert db.session.scalar(select(AuditEvent.action)) == "roster.import"


def test_bad_file_lists_lines_and_writes_nothing(runner, school, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,given_name,family_name,grade,email,role\nA1,Ada,L,7,,student\nA2,Bob,,7,,student\n")
    result = runner.invoke(args=["roster", "import", str(bad), "--school", school.slug])
    assert result.exit_code == 1
    assert "line 3: missing family name" in result.output and "nothing was written" in result.output
    assert user_count() == 0


def test_unknown_school_and_bad_map(runner, school):
    path = str(DATA / "plain_roster.csv")
    assert "No school" in runner.invoke(args=["roster", "import", path, "--school", "nope"]).output
    result = runner.invoke(args=["roster", "import", path, "--school", school.slug, "--map", "x=wizard"])
    assert result.exit_code != 0 and "ROSTER_ROLE" in result.output
