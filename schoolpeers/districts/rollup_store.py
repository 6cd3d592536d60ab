"""A district's roll-up kept in the database (`StoredRollup`): what a build publishes, encoded as
compressed JSON, and found again by the digest of everything it was built from (`RollupKey`)."""
from __future__ import annotations

import hashlib
import json
import zlib
from datetime import date

import numpy as np
from sqlalchemy import select

from schoolpeers.accounts.models import School
from schoolpeers.districts.models import StoredRollup
from schoolpeers.districts.rollup import DistrictRollup, RollupKey
from schoolpeers.extensions import db
from schoolpeers.reports.privacy import CellStatus
from schoolpeers.reports.rollup import Rollup, RollupRow, RollupTable
from schoolpeers.reports.trends import PeriodSlot
from schoolpeers.timeutil import utcnow


def key_digest(key: RollupKey) -> str:
    """The key's fields are numbers, strings, dates and times, whose repr is stable."""
    return hashlib.sha256(repr(key).encode()).hexdigest()


def store(office: School, key: RollupKey, found: DistrictRollup) -> None:
    """The office's district's stored roll-up becomes `found` (flushes)."""
    row = db.session.scalar(select(StoredRollup).where(
        StoredRollup.school_id == office.id, StoredRollup.district_id == office.district_id).with_for_update())
    if row is None:
        row = StoredRollup(district_id=office.district_id, school_id=office.id)
        db.session.add(row)
    row.key_digest, row.built_on, row.built_at, row.figures = key_digest(key), found.generated_on, utcnow(), \
        encode(found)
    db.session.flush()


def encode(found: DistrictRollup) -> bytes:
    rollup = found.rollup
    document = {
        "district_name": found.district_name, "district_slug": found.district_slug, "left_out": found.left_out,
        "generated_on": found.generated_on.isoformat(), "k": rollup.k, "schools": rollup.schools,
        "rows": [[row.label, row.school, row.kind, row.first_grade] for row in rollup.rows],
        "levels": {level: {
            "periods": [[slot.label, slot.start.isoformat(), slot.end.isoformat()] for slot in table.periods],
            **{part: {m: getattr(table, part)[m].tolist() for m in getattr(table, part)}
               for part in ("display", "values", "status")},
        } for level, table in rollup.levels.items()},
    }
    return zlib.compress(json.dumps(document, default=_plain, separators=(",", ":")).encode())


def decode(data: bytes) -> DistrictRollup:
    document = json.loads(zlib.decompress(data))
    rows = tuple(RollupRow(label, school, kind, first_grade) for label, school, kind, first_grade in document["rows"])
    levels = {}
    for level, table in document["levels"].items():
        periods = tuple(PeriodSlot(label, date.fromisoformat(start), date.fromisoformat(end))
                        for label, start, end in table["periods"])
        shape = (len(rows), len(periods))
        display, values, status = ({m: _cells(cells, shape, convert) for m, cells in table[part].items()}
                                   for part, convert in (("display", str), ("values", None), ("status", CellStatus)))
        levels[level] = RollupTable(level, periods, display, values, status)
    rollup = Rollup(document["k"], tuple(document["schools"]), rows, levels)
    return DistrictRollup(document["district_name"], document["district_slug"], rollup,
                          tuple(document["left_out"]), date.fromisoformat(document["generated_on"]))


def _cells(cells: list[list], shape: tuple[int, int], convert) -> np.ndarray:
    array = np.empty(shape, dtype=object)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            array[r, c] = value if convert is None or value is None else convert(value)
    return array


def _plain(value):
    """numpy's scalars as the Python numbers they hold."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in a roll-up")
