"""Reports benchmark: a school's whole protected lattice, from memory and from databases.

A seeded synthetic school: 5,000 mentees in grades 6-12 (each with an active mentorship), 1,000,000
check-ins on school days over three school years (Sep 2022 - Jul 2025; 0-3 of the 12 default topics
each, domain ratings answered 60% of the time) and concerns raised at about 2% of them. Cases, each
in a fresh process (see bench.common):

* lattice-N: `build_lattice` + `protect_lattice` from DataFrames already in memory (the pure cores):
  every grade, band and the school × every week, month, term and year, and one protection decision;
* lattice-accuracy-N: how far published figures move from the exact ones, over cells of 50 or more
  students (the goal: a share by at most 2 points, a mean by at most 0.1);
* dp-accuracy-N: the same for the differential-privacy option, over term cells of 50 or more
  students, with a budget ε of 1 and of 10 per school year;
* sqlite-N: what the page runs when the school's data changed: one query for check-ins (grade
  joined, topics aggregated) and one for concerns, the protected lattice, then the monthly report by
  grade sliced from it; on a temporary SQLite file bulk-loaded with executemany;
* postgresql-first-N, postgresql-N: the same on PostgreSQL, in a database `schoolpeers_bench`
  created here (from BENCH_DATABASE_URL) and dropped at the end; bulk-loaded with COPY. First the
  read right after the bulk load, then again, as a running server reads a school whose rows it has
  read before (only the changed ones are new to it), each in a fresh process; then
  postgresql-warm-N, in a process that has built the report once before, as a running server has
  (libraries imported, memory touched, statements prepared). Skipped with a reason when the server
  cannot be reached.
* district-rollup-2000000: the district roll-up of the web benchmark's 50 schools and 2,000,000
  check-ins, on its kept PostgreSQL database (see bench.rollup).

`same_report` says whether a database case published exactly what the in-memory case did: every
level's figures as shown, the shown topics and the concerns (see `digest`).
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tempfile
from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pandas as pd

from bench.common import measure, scratch_postgres

CHECKINS, MENTEES, MENTORS = 1_000_000, 5_000, 1_250
FIRST_DAY, LAST_DAY = date(2022, 9, 1), date(2025, 7, 20)
TODAY = date(2025, 7, 20)  # the comparison is then spring 2025 against summer 2025
NOW = datetime(2025, 7, 20, 12, tzinfo=timezone.utc)
SEED = 20250720
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/schoolpeers_bench"
TOPIC_WEIGHTS = np.array([8, 12, 14, 9, 8, 5, 5, 6, 7, 7, 6, 9], dtype=float)
SCHOOL_ID = 1


# --- synthetic data -------------------------------------------------------------------------


def synthetic_tables(n: int) -> dict[str, pd.DataFrame]:
    """Rows of every table the report reads (and the ones their foreign keys need), as DataFrames."""
    from schoolpeers.accounts.models import DEFAULT_TOPICS

    rng = np.random.default_rng(SEED)
    mentee_ids = np.arange(1, MENTEES + 1)
    mentor_ids = np.arange(MENTEES + 1, MENTEES + MENTORS + 1)
    school_days = pd.bdate_range(FIRST_DAY, LAST_DAY)
    school_days = school_days[school_days.month != 8]  # the summer holiday
    users = pd.DataFrame({
        "id": np.concatenate([mentee_ids, mentor_ids]),
        "grade": np.concatenate([rng.integers(6, 13, MENTEES), rng.integers(10, 13, MENTORS)]),
    })
    mentee = rng.integers(0, MENTEES, n)
    domains = {d: np.where(rng.random(n) < 0.4, np.nan, rng.integers(1, 6, n)) for d in
               ("school_work", "friendships", "home", "sleep_energy")}
    checkins = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "mentorship_id": mentee + 1,
        "mentor_id": mentor_ids[mentee % MENTORS],
        "mentee_id": mentee_ids[mentee],
        "occurred_on": school_days[rng.integers(0, len(school_days), n)].date,
        "wellbeing": rng.choice(5, n, p=[0.05, 0.15, 0.35, 0.3, 0.15]) + 1,
        **domains,
    })
    # 0-3 distinct topics per check-in: a first one by weight, the others at distinct offsets from it.
    count = rng.choice(4, n, p=[0.2, 0.35, 0.3, 0.15])
    first = rng.choice(len(DEFAULT_TOPICS), n, p=TOPIC_WEIGHTS / TOPIC_WEIGHTS.sum())
    offsets = np.stack([np.zeros(n, dtype=int), rng.integers(1, 6, n), rng.integers(6, 12, n)], axis=1)
    topic = (first[:, None] + offsets) % len(DEFAULT_TOPICS)
    taken = np.arange(3)[None, :] < count[:, None]
    checkin_topics = pd.DataFrame({"checkin_id": np.repeat(checkins["id"].to_numpy(), count),
                                   "topic_id": topic[taken] + 1})
    raised = rng.random(n) < 0.02
    concerns = pd.DataFrame({
        "student_id": checkins["mentee_id"][raised].to_numpy(),
        "created_at": pd.to_datetime(checkins["occurred_on"][raised]).dt.tz_localize("UTC") + pd.Timedelta(hours=13),
        "severity": rng.choice(["high", "medium", "low"], int(raised.sum()), p=[0.1, 0.3, 0.6]),
    })
    return {"users": users, "checkins": checkins, "checkin_topics": checkin_topics, "concerns": concerns}


def report_frames(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The synthetic school as the DataFrames `lattice.build_lattice` reads (as the services load them)."""
    from schoolpeers.accounts.models import DEFAULT_TOPICS

    tables = synthetic_tables(n)
    grade = tables["users"].set_index("id")["grade"]
    checkins = tables["checkins"]
    links = tables["checkin_topics"]
    names = np.asarray(DEFAULT_TOPICS, dtype=object)[links["topic_id"].to_numpy() - 1]
    bounds = np.searchsorted(links["checkin_id"].to_numpy(), checkins["id"].to_numpy(), side="right")
    starts = np.concatenate([[0], bounds[:-1]])
    topics = [list(names[a:b]) or None for a, b in zip(starts, bounds, strict=True)]
    visits = checkins.rename(columns={"mentee_id": "mentee_key"}).assign(
        grade=grade.loc[checkins["mentee_id"]].to_numpy(), topics=topics)
    raised = tables["concerns"]
    concerns = pd.DataFrame({"mentee_key": raised["student_id"], "grade": grade.loc[raised["student_id"]].to_numpy(),
                             "raised_on": raised["created_at"].dt.tz_localize(None), "severity": raised["severity"]})
    return visits, concerns


def lattice_from_frames(frames: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[int, str]:
    """(check-ins read, digest): the school's whole lattice (every grade, band and the school × every
    week, month, term and year) built and protected, from data in memory."""
    from schoolpeers.reports.privacy import protect_lattice

    checkins, concerns = frames
    protected = protect_lattice(synthetic_lattice(checkins, concerns), 5)
    return len(checkins), digest(protected)


def synthetic_lattice(checkins: pd.DataFrame, concerns: pd.DataFrame):
    from schoolpeers.reports.lattice import build_lattice, grade_bands, lattice_rows
    from schoolpeers.reports.perturbation import student_key

    keys = {int(m): student_key(b"bench report secret", int(m)) for m in pd.unique(checkins["mentee_key"])}
    return build_lattice(checkins, concerns, rows=lattice_rows(6, 12, grade_bands(6, 12)), student_keys=keys)


def lattice_accuracy(frames: tuple[pd.DataFrame, pd.DataFrame], at_least: int = 50) -> dict:
    """How far published figures are from the exact ones, over every shown cell of `at_least` students."""
    from schoolpeers.reports.privacy import CellStatus, protect_lattice

    lattice = synthetic_lattice(*frames)
    protected = protect_lattice(lattice, 5)
    share_moves, mean_moves, count_moves, cells = [], [], [], 0
    for level, table in lattice.levels.items():
        published, v = protected.levels[level], table.values
        big = v["students"] >= at_least
        cells += int(big.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            exact = {"low_share": v["low_count"] / v["checkins"], "wellbeing_mean": v["wellbeing_sum"] / v["checkins"],
                     "students": v["students"]}
        for name, moves in (("low_share", share_moves), ("wellbeing_mean", mean_moves), ("students", count_moves)):
            shown = big & (published.status[name] == CellStatus.SHOWN)
            moves += list(np.abs(published.values[name][shown].astype(float) - exact[name][shown]))
    return {"cells": cells, "share_points_max": round(100 * max(share_moves), 2),
            "share_points_mean": round(100 * float(np.mean(share_moves)), 2),
            "mean_max": round(max(mean_moves), 3), "students_max": int(max(count_moves)),
            "students_mean": round(float(np.mean(count_moves)), 2)}


def dp_accuracy(frames: tuple[pd.DataFrame, pd.DataFrame], epsilon_per_year: float, at_least: int = 50,
                repeats: int = 10) -> dict:
    """The same measure for differential privacy: every term released with the share of a yearly ε,
    `repeats` times, compared with the exact term cells of 50 or more students."""
    from schoolpeers.reports.differential import noisy_release, published_lattice, release_epsilon
    from schoolpeers.reports.lattice import grade_bands, lattice_rows
    from schoolpeers.reports.privacy import CellStatus

    checkins, _concerns = frames
    lattice = synthetic_lattice(*frames)
    terms = lattice.levels["term"]
    days = pd.to_datetime(checkins["occurred_on"]).dt.date
    epsilon = release_epsilon(epsilon_per_year, 3)
    v = terms.values
    exact = {"low_share": v["low_count"] / v["checkins"], "wellbeing_mean": v["wellbeing_sum"] / v["checkins"],
             "students": v["students"]}
    big = v["students"] >= at_least
    moves = {name: np.zeros(0) for name in exact}
    for _ in range(repeats):  # the noise is new each time: a few draws give a steadier figure
        releases = [noisy_release(checkins[(days >= slot.start) & (days <= slot.end)], slot, range(6, 13), epsilon)
                    for slot in terms.periods]
        published = published_lattice(releases, lattice_rows(6, 12, grade_bands(6, 12)), 5, "").levels["term"]
        for name in exact:
            shown = big & (published.status[name] == CellStatus.SHOWN)
            moves[name] = np.concatenate([moves[name],
                                          np.abs(published.values[name][shown].astype(float) - exact[name][shown])])
    return {"epsilon_per_year": epsilon_per_year, "cells": int(big.sum()) * repeats,
            "share_points_max": round(100 * float(moves["low_share"].max()), 2),
            "share_points_mean": round(100 * float(moves["low_share"].mean()), 2),
            "mean_max": round(float(moves["wellbeing_mean"].max()), 3),
            "students_max": int(moves["students"].max()), "students_mean": round(float(moves["students"].mean()), 2)}


def digest(protected) -> str:
    """A fingerprint of everything published (every level's figures as shown, the shown topics in
    a fixed order, the concerns), to check that every case computed the same ones."""
    parts = []
    for level, table in protected.levels.items():
        for name, shown in sorted(table.display.items()):
            parts.append(f"{level} {name}: " + "|".join(map(str, shown.ravel())))
        parts.append(table.topics.sort_values(["row", "period", "topic"]).to_csv(index=False))
    parts.append(protected.concerns.to_csv(index=False))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# --- databases ------------------------------------------------------------------------------


def make_app(url: str):
    from schoolpeers import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})


def build_from_database(app) -> tuple[int, str]:
    """(check-ins read, digest of the protected table): what the report page runs, on the bench school."""
    from schoolpeers.accounts.models import School
    from schoolpeers.extensions import db
    from schoolpeers.reports import services
    from schoolpeers.reports.loading import data_extent
    from schoolpeers.reports.report import ReportParams

    read = []

    def load_and_count(*args):
        frame = load_checkins(*args)
        read.append(len(frame))
        return frame

    load_checkins = services.load_checkins
    with app.app_context(), patch.object(services, "load_checkins", load_and_count):
        school = db.session.get(School, SCHOOL_ID)
        data_extent(school)  # the page asks first: its cache's key
        protected = services.protected_lattice(school, b"bench report secret")
        services.school_report(school, protected, ReportParams("month", "grade"), TODAY).as_json()
        return read[0], digest(protected)


def warmed_app(url: str):
    """An app that has built the report once, as a running server has: its libraries imported, its
    memory touched, its statements prepared."""
    app = make_app(url)
    build_from_database(app)
    return app


def load_database(url: str, n: int) -> None:
    """Create the schema and load the synthetic school: small tables through SQLAlchemy, big ones fast."""
    from sqlalchemy import insert

    from schoolpeers.accounts.models import DEFAULT_TOPICS, School, Topic, User
    from schoolpeers.extensions import db
    from schoolpeers.mentors.models import MentorProfile, Mentorship

    tables = synthetic_tables(n)
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        users = tables["users"]
        mentees, mentors = users.iloc[:MENTEES], users.iloc[MENTEES:]
        db.session.execute(insert(School), [{"id": SCHOOL_ID, "slug": "bench", "name": "Bench School"}])
        db.session.execute(insert(Topic), [{"id": i + 1, "school_id": SCHOOL_ID, "name": name}
                                           for i, name in enumerate(DEFAULT_TOPICS)])
        db.session.execute(insert(User), [
            {"id": int(u.id), "school_id": SCHOOL_ID, "username": f"s{u.id}", "given_name": "Synthetic",
             "family_name": f"Student{u.id}", "role": "student", "grade": int(u.grade), "languages": []}
            for u in users.itertuples()])
        db.session.execute(insert(MentorProfile), [
            {"id": i + 1, "school_id": SCHOOL_ID, "user_id": int(u), "capacity": 4, "status": "active"}
            for i, u in enumerate(mentors["id"])])
        db.session.execute(insert(Mentorship), [
            {"id": i + 1, "school_id": SCHOOL_ID, "profile_id": i % MENTORS + 1,
             "mentor_id": int(mentors["id"].iloc[i % MENTORS]), "mentee_id": int(u), "status": "active",
             "score": 50, "explanation": "synthetic"}
            for i, u in enumerate(mentees["id"])])
        db.session.commit()
        checkins = tables["checkins"].assign(school_id=SCHOOL_ID, duration_minutes=30, mode="in_person",
                                             worried=False, created_at=NOW)
        links = tables["checkin_topics"].assign(school_id=SCHOOL_ID)
        concerns = tables["concerns"].assign(school_id=SCHOOL_ID, source="low_wellbeing", summary="synthetic",
                                             status="open")
        connection = db.engine.raw_connection()
        try:
            for name, frame in (("checkins", checkins), ("checkin_topics", links), ("concerns", concerns)):
                bulk_load(connection, name, frame)
            connection.commit()
        finally:
            connection.close()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        db.engine.dispose()


def bulk_load(connection, table: str, frame: pd.DataFrame) -> None:
    """COPY on PostgreSQL, executemany on SQLite; values as the app's own columns store them."""
    columns = ", ".join(frame.columns)
    if isinstance(connection.driver_connection, sqlite3.Connection):
        rows = frame.astype(object).where(frame.notna(), None)
        for name in rows.columns:
            if name.endswith("_at"):  # SQLAlchemy keeps SQLite datetimes as naive UTC text
                rows[name] = [value.strftime("%Y-%m-%d %H:%M:%S.%f") for value in frame[name]]
            elif name.endswith("_on"):
                rows[name] = [value.isoformat() for value in frame[name]]
        marks = ", ".join("?" * len(frame.columns))
        connection.driver_connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                                 rows.itertuples(index=False, name=None))
        return
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, float_format="%.0f")
    with connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


# --- cases ----------------------------------------------------------------------------------


def run(n: int = CHECKINS, rebuild: bool = False) -> list[dict]:
    rows = []

    def record(case: str, measured: tuple[tuple[int, str], float, float], reference: str | None) -> str:
        (rows_read, fingerprint), wall_s, peak_mb = measured
        row = {"case": f"{case}-{n}", "wall_s": round(wall_s, 3), "peak_mb": round(peak_mb, 1), "rows": rows_read,
               "same_report": reference is None or fingerprint == reference}
        print(row, flush=True)
        rows.append(row)
        return fingerprint

    reference = record("lattice", measure(lattice_from_frames, partial(report_frames, n)), None)
    frames = report_frames(n)
    accuracy = [{"case": f"lattice-accuracy-{n}", **lattice_accuracy(frames)}]
    # Cells of 50 or more students are term cells here: terms are all differential privacy releases.
    accuracy += [{"case": f"dp-accuracy-{n}", **dp_accuracy(frames, epsilon)} for epsilon in (1.0, 10.0)]
    for row in accuracy:
        print(row, flush=True)
    rows += accuracy

    with tempfile.TemporaryDirectory() as directory:
        url = "sqlite:///" + str(Path(directory) / "bench.sqlite")
        load_database(url, n)
        record("sqlite", measure(build_from_database, partial(make_app, url)), reference)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    with scratch_postgres(url) as reachable:
        if reachable:
            load_database(url, n)
            for case in ("postgresql-first", "postgresql"):
                record(case, measure(build_from_database, partial(make_app, url)), reference)
            record("postgresql-warm", measure(build_from_database, partial(warmed_app, url)), reference)
    from bench import rollup  # the district's roll-up, on the web benchmark's kept district

    return rows + rollup.run(rebuild)
