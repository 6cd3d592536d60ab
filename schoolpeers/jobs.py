"""Background jobs: long work (a district's roster import) leaves the request and runs in a consumer.

The runner is Huey: it keeps its queue in Redis when REDIS_URL is set (production, where several app
servers and consumers share it) and in a SQLite file under instance/ otherwise (the embedded
default: nothing more to install; `flask jobs work` is the consumer, which `make run` starts). Each job is
also a row here, scoped to its school and person: what it was asked, where it stands and what came
of it, so a result page survives the queue. Progress, which changes many times a second, goes to
Huey's own key-value store instead of the database, where it would wait for the job's transaction.

A job's work is registered by kind (`register`); it runs in one transaction with the job's final
status, so a job that fails leaves nothing half-done.
"""
from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

log = logging.getLogger(__name__)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"  # the work looked and would not do it (the message says why); nothing changed
    FAILED = "failed"  # it broke; nothing changed


FINISHED = (JobStatus.DONE, JobStatus.REFUSED, JobStatus.FAILED)


class Queue(NamedTuple):
    store: Any  # Huey: the queue, and the key-value store of the jobs' progress
    task: Any  # its one task, which runs a job by id in the consumer


@cache
def _queue() -> Queue:
    """Huey and the one task it runs, made when a job is first queued, watched or worked: importing
    Huey (and the drivers it loads) would otherwise slow every command's start."""
    from huey import RedisHuey, SqliteHuey

    url = os.environ.get("REDIS_URL")
    if url:
        huey = RedisHuey("schoolpeers", url=url)
    else:
        instance = Path(__file__).resolve().parent.parent / "instance"
        instance.mkdir(exist_ok=True)
        huey = SqliteHuey("schoolpeers",
                          filename=os.environ.get("SCHOOLPEERS_JOBS_DB", str(instance / "jobs.sqlite")))
    return Queue(huey, huey.task()(_run_in_consumer))


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint(f"status IN {tuple(s.value for s in JobStatus)}", name="status_known"),)

    id: Mapped[str] = mapped_column(String(48), primary_key=True)  # random: the result page's address
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value)
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def finish(self, status: JobStatus, message: str, outcome: dict | None = None) -> None:
        self.status, self.message, self.outcome, self.finished_at = status, message, outcome or {}, utcnow()


Work = Callable[[Job, Callable[[float], None]], None]  # (job, report a share done) -> sets the job's end
_WORK: dict[str, Work] = {}


def register(kind: str, work: Work) -> None:
    _WORK[kind] = work


def start(kind: str, user, arguments: dict) -> Job:
    """A queued job of the user's school; flushes. Commit, then `enqueue` it."""
    if kind not in _WORK:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(id=secrets.token_urlsafe(24), school_id=user.school_id, user_id=user.id, kind=kind,
              arguments=arguments)
    db.session.add(job)
    db.session.flush()
    return job


def enqueue(job: Job) -> None:
    """Hand a committed job to the consumer (or, inline, run it now)."""
    if current_app.config.get("JOBS_RUN_INLINE"):
        run(job.id)
    else:
        _queue().task(job.id)


def load_own(user, job_id: str) -> Job | None:
    """The user's own job, or None (for anyone else's, or one that does not exist)."""
    return db.session.scalar(select(Job).where(Job.id == job_id, Job.user_id == user.id,
                                               Job.school_id == user.school_id))


def progress_of(job: Job) -> int:
    """Percent done, as the job last reported it."""
    if job.finished:
        return 100
    value = _queue().store.get(_progress_key(job.id), peek=True)
    return int(value) if value is not None else 0


def run(job_id: str) -> None:
    """Run a queued job to its end; the work's changes and the job's status commit together."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return  # delivered twice, or gone: nothing to do again
    job.status = JobStatus.RUNNING
    db.session.commit()
    try:
        store = _queue().store
        _WORK[job.kind](job, lambda share: store.put(_progress_key(job_id), int(100 * min(max(share, 0), 1))))
        if not job.finished:
            job.finish(JobStatus.DONE, "Done.")
        db.session.commit()
    except Exception:
        log.exception("Job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.finish(JobStatus.FAILED, "Something went wrong and nothing was changed. Try again; if it fails "
                                     "again, tell your school's technical contact.")
        db.session.commit()


def _progress_key(job_id: str) -> str:
    return f"progress:{job_id}"


def _run_in_consumer(job_id: str) -> None:
    with _app_context():
        run(job_id)


_consumer_app = None


def _app_context():
    """Inside a request (inline jobs) the app is there already; a consumer makes its own, once."""
    global _consumer_app
    if has_app_context():
        return contextlib.nullcontext()
    if _consumer_app is None:
        from schoolpeers import create_app

        _consumer_app = create_app()
    return _consumer_app.app_context()


jobs_cli = AppGroup("jobs", help="Background jobs (roster imports).")


@jobs_cli.command("work")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True)
def work_command(workers: int) -> None:
    """Take jobs from the queue and run them, until stopped (a service beside the app servers)."""
    global _consumer_app
    _consumer_app = current_app._get_current_object()  # the workers' threads use this app
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _queue().store.create_consumer(workers=workers, worker_type="thread").run()
