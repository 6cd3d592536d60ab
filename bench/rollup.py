"""District roll-up benchmark (part `reports`): the district report built from PostgreSQL.

The web benchmark's district (`bench.district`: 50 schools, 2,000,000 check-ins), loaded once into
its kept database (`bench.district_db`). Its schools have no district row: one is made here (kept,
like the database) and the schools attached to it. The case, in a fresh process (see bench.common):

* district-rollup-N: what the roll-up page runs when nothing is cached: each school's check-ins and
  concerns read, its lattice built and protected as its own report is, then the district's one
  decision over the roll-up (every school's bands and whole school, the district bands and the
  district × every month, term and school year). Skipped with a reason when PostgreSQL cannot be
  reached.
"""
from __future__ import annotations

import hashlib
import os
from datetime import date
from functools import partial

from bench.common import measure

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_web"  # the web benchmark's district
SLUG = "bench-district"


def run(rebuild: bool = False) -> list[dict]:
    import psycopg

    from bench.district import CHECKINS
    from bench.district_db import ensure_district, libpq_url
    from bench.server import production_env
    from bench.web import REDIS_URL

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        psycopg.connect(libpq_url(url, "postgres"), connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        print("district-rollup skipped: PostgreSQL unreachable: " + " ".join(str(exc).split())[:160])
        return []
    print(ensure_district(url, production_env(url, REDIS_URL), rebuild), flush=True)
    attach_schools(url)
    (schools, shown, fingerprint), wall_s, peak_mb = measure(build_rollup, partial(make_app, url))
    row = {"case": f"district-rollup-{CHECKINS}", "wall_s": round(wall_s, 3), "peak_mb": round(peak_mb, 1),
           "schools": schools, "district_cells_shown": shown, "digest": fingerprint}
    print(row, flush=True)
    return [row]


def attach_schools(url: str) -> None:
    """The district row and its office, made once; every school of the database attached to it."""
    app = make_app(url)
    from sqlalchemy import select, update

    from schoolpeers.accounts.models import District, School
    from schoolpeers.districts.provisioning import create_district
    from schoolpeers.extensions import db

    with app.app_context():
        district = db.session.scalar(select(District).where(District.slug == SLUG))
        if district is None:
            district, _office = create_district("Bench district", SLUG)
        db.session.execute(update(School).where(School.kind == "school", School.district_id.is_(None))
                           .values(district_id=district.id))
        db.session.commit()


def make_app(url: str):
    from schoolpeers import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})


def build_rollup(app) -> tuple[int, int, str]:
    """(schools rolled up, district cells shown, digest of the monthly well-being means)."""
    from sqlalchemy import select

    from schoolpeers.accounts.models import District
    from schoolpeers.districts.rollup import district_rollup
    from schoolpeers.extensions import db
    from schoolpeers.reports.privacy import CellStatus

    with app.app_context():
        district = db.session.scalar(select(District).where(District.slug == SLUG))
        found = district_rollup(district, "bench report secret", date.today())
        rollup = found.rollup
        district_rows = [r for r, row in enumerate(rollup.rows) if row.school is None]
        shown = sum(int((table.status["students"][district_rows] == CellStatus.SHOWN).sum())
                    for table in rollup.levels.values())
        month = rollup.levels["month"].display["wellbeing_mean"]
        return len(rollup.schools), shown, hashlib.sha256(repr(month.tolist()).encode()).hexdigest()[:12]
