"""The roll-up is built in the background and stored: a cold build reads every school's check-ins
(about 11 s for 50 schools on a quiet server; more for a larger district or a busy one), longer than a
page should take. A page shows the newest stored roll-up
at once, and asks for a build when the schools' data moved on since (one build at a time a district)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from schoolpeers import jobs
from schoolpeers.accounts.models import School, User
from schoolpeers.districts import rollup, rollup_store
from schoolpeers.districts.models import StoredRollup
from schoolpeers.extensions import db
from schoolpeers.jobs import Job, JobStatus
from schoolpeers.timeutil import utcnow

KIND = "districts.rollup"
ROLLUP_ROLES = ("district_admin", "district_analyst")
LOST_AFTER = timedelta(minutes=30)  # a build unfinished by then was lost (its consumer stopped): ask again


@dataclass(frozen=True)
class Latest:
    """The newest stored roll-up (None before the first build), when it was built, and whether it was
    built from the schools' data as it is now."""

    found: rollup.DistrictRollup | None
    built_at: datetime | None
    current: bool


def latest(cache: rollup.RollupCache, office: School, today: date) -> Latest:
    """The roll-up of the office's district."""
    digest = rollup_store.key_digest(rollup.RollupKey.of(office.district, today))
    stored = db.session.execute(select(StoredRollup.id, StoredRollup.key_digest, StoredRollup.built_at).where(
        StoredRollup.school_id == office.id, StoredRollup.district_id == office.district_id)).first()
    if stored is None:
        return Latest(None, None, False)
    found = cache.rollup((office.district_id, stored.key_digest, stored.built_at), lambda: rollup_store.decode(
        db.session.scalar(select(StoredRollup.figures).where(StoredRollup.school_id == office.id,
                                                             StoredRollup.id == stored.id))))
    return Latest(found, stored.built_at, stored.key_digest == digest)


def building(office_id: int) -> bool:
    """A build of the office's district's roll-up is queued or running."""
    return db.session.scalar(select(Job.id).where(
        Job.school_id == office_id, Job.kind == KIND, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        Job.created_at > utcnow() - LOST_AFTER).limit(1)) is not None


def start_build(person: User, today: date) -> Job | None:
    """A queued build for the person's district, unless one is under way (flushes; commit, then enqueue)."""
    if building(person.school_id):
        return None
    return jobs.start(KIND, person, {"today": today.isoformat()})


def build_and_store(job: Job, progress: Callable[[float], None]) -> None:
    person = db.session.get(User, job.user_id)
    if person is None or not person.active or person.role not in ROLLUP_ROLES:
        job.finish(JobStatus.REFUSED, "Your account can no longer read the roll-up.")
        return
    office = person.school
    today = date.fromisoformat(job.arguments["today"])
    key = rollup.RollupKey.of(office.district, today)  # read first: data added meanwhile asks for a new build
    found = rollup.district_rollup(office.district, current_app.config["SECRET_KEY"], today, progress=progress)
    rollup_store.store(office, key, found)
    job.finish(JobStatus.DONE, "The roll-up is ready.")


jobs.register(KIND, build_and_store)
