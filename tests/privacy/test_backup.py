import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text

from schoolpeers import create_app
from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.privacy.backup import BackupError, backup_sqlite, restore_sqlite


@pytest.fixture
def live_database(app, users) -> Path:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite backups; PostgreSQL is backed up with pg_dump")
    db.session.commit()
    return Path(db.engine.url.database)


def names_in(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT username FROM users")}


def test_backup_while_another_connection_is_writing(runner, live_database, users, tmp_path):
    writer = sqlite3.connect(live_database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET username = 'not-yet-committed' WHERE id = ?", (users["staff"].id,))
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "nightly.sqlite")])
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert names_in(tmp_path / "nightly.sqlite") == {u.username for u in users.values()}
    assert stat.S_IMODE((tmp_path / "nightly.sqlite").stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))


def test_restore_brings_the_data_back_and_the_app_opens_it(runner, live_database, users, school, tmp_path):
    revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    backup = tmp_path / "before.sqlite"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    school_id, usernames = school.id, {u.username for u in users.values()}
    school.name = "Renamed after the backup"
    db.session.delete(db.session.get(User, users["staff"].id))
    db.session.commit()
    result = runner.invoke(args=["backup", "--restore", "--yes", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and f"schema revision {revision}" in result.output
    assert db.session.scalar(select(School.name).where(School.id == school_id)) == "Test School"
    assert set(db.session.scalars(select(User.username))) == usernames


def test_restore_refuses_a_file_that_is_not_a_backup_and_asks_first(runner, live_database, users, tmp_path):
    usernames, staff_name = {u.username for u in users.values()}, users["staff"].username
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    refused = runner.invoke(args=["backup", "--restore", "--yes", str(bogus)])
    assert refused.exit_code == 1 and "not a SQLite database" in refused.output
    backup = tmp_path / "good.sqlite"
    runner.invoke(args=["backup", str(backup)])
    db.session.delete(db.session.get(User, users["staff"].id))
    db.session.commit()
    declined = runner.invoke(args=["backup", "--restore", str(backup)], input="n\n")
    assert declined.exit_code == 1 and "Replace everything" in declined.output
    assert names_in(live_database) == usernames - {staff_name}


def test_backup_never_overwrites(runner, live_database, tmp_path):
    taken = tmp_path / "taken.sqlite"
    taken.write_text("an older backup")
    result = runner.invoke(args=["backup", str(taken)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert taken.read_text() == "an older backup"


def test_postgresql_is_refused_with_the_pg_dump_recipe(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 1 and "pg_dump -Fc" in result.output and "pg_restore" in result.output
    assert not (tmp_path / "x.sqlite").exists()


def test_backup_functions_work_on_plain_files(tmp_path):
    source = tmp_path / "app.sqlite"
    with sqlite3.connect(source) as conn:
        conn.executescript("CREATE TABLE schools (id); CREATE TABLE users (username);"
                           "CREATE TABLE alembic_version (version_num); INSERT INTO users VALUES ('ada');"
                           "INSERT INTO alembic_version VALUES ('0004_security_privacy');")
    assert backup_sqlite(source, tmp_path / "copy.sqlite") > 0
    with sqlite3.connect(source) as conn:
        conn.execute("DELETE FROM users")
    assert restore_sqlite(tmp_path / "copy.sqlite", source) == "0004_security_privacy"
    assert names_in(source) == {"ada"}
    with pytest.raises(BackupError, match="already exists"):
        backup_sqlite(source, source)
    with pytest.raises(BackupError, match="does not exist"):
        backup_sqlite(source, tmp_path / "missing" / "copy.sqlite")
