"""The district database of the web benchmark: migrated, bulk-loaded once, kept between runs.

The schema comes from the real migrations (`flask db upgrade`); the rows from `bench.district`,
streamed with COPY. A marker table written last says the load is complete, so a later run finds
the district ready in a second; a run interrupted half-way leaves no marker and is loaded anew.
"""
from __future__ import annotations

import io
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
from sqlalchemy.engine import make_url

from bench.district import CHECKINS, PASSWORD, District

MARKER_TABLE = "bench_district"
LOADER_VERSION = 1  # bump when bench.district changes what it loads
COPY_CHUNK_ROWS = 250_000
REPOSITORY = Path(__file__).resolve().parent.parent


def libpq_url(url: str, database: str | None = None) -> str:
    """The SQLAlchemy URL as psycopg takes it, optionally naming another database of the server."""
    parsed = make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(hide_password=False)


def ensure_district(url: str, server_env: dict[str, str], rebuild: bool) -> str:
    """Make the district database ready; say what was done (kept or loaded, and how long it took)."""
    name = make_url(url).database
    day = None if rebuild else loaded_on(url)
    if day is not None:
        migrate(server_env)  # a no-op unless the schema gained a revision since the load
        return f"kept the district loaded on {day}"
    start = time.perf_counter()
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    migrate(server_env)
    load(url)
    return f"loaded the district in {time.perf_counter() - start:.0f} s"


def loaded_on(url: str) -> date | None:
    """The day a complete load of this loader version finished, or None (missing, partial, older)."""
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
            row = conn.execute(f"SELECT loaded_on, version, checkins FROM {MARKER_TABLE}").fetchone()
    except psycopg.Error:
        return None
    if row is None or row[1] != LOADER_VERSION or row[2] != CHECKINS:
        return None
    return row[0]


def migrate(server_env: dict[str, str]) -> None:
    """The real migrations, run the way a deployment runs them."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "schoolpeers", "db", "upgrade"],
                            env=server_env, cwd=REPOSITORY, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("flask db upgrade failed:\n" + result.stderr[-2000:])


def load(url: str) -> None:
    from schoolpeers.accounts.passwords import hash_password

    today = date.today()
    district = District(today, hash_password(PASSWORD))
    with psycopg.connect(libpq_url(url)) as conn:
        # The rows are consistent by construction: skip the per-row foreign-key triggers (checks still apply).
        conn.execute("SET session_replication_role = replica")
        for table, frame in district.tables():
            start = time.perf_counter()
            copy_frame(conn, table, frame)
            print(f"  {table}: {len(frame):,} rows in {time.perf_counter() - start:.1f} s", flush=True)
        conn.execute("UPDATE schools SET designated_lead_id = %s + (id - 1) * %s",
                     (district.counselor_id(1), district.counselor_id(2) - district.counselor_id(1)))
        for (table,) in conn.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                                     "AND column_name = 'id' AND data_type = 'integer'").fetchall():
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        conn.execute(f"CREATE TABLE {MARKER_TABLE} (loaded_on date, version integer, checkins integer)")
        conn.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)", (today, LOADER_VERSION, CHECKINS))
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def copy_frame(conn: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY a DataFrame in CSV chunks; NULL is spelt \\N so that an empty field stays an empty string."""
    columns = ", ".join(frame.columns)
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with conn.cursor() as cursor, cursor.copy(sql) as copy:
        for start in range(0, len(frame), COPY_CHUNK_ROWS):
            buffer = io.StringIO()
            frame.iloc[start:start + COPY_CHUNK_ROWS].to_csv(buffer, index=False, header=False, na_rep="\\N")
            copy.write(buffer.getvalue())
