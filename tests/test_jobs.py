"""Background jobs: queued, run once to an end that commits with the work, a failure leaving nothing
half-done, and the queue itself (Huey on its SQLite store) carrying a job to a consumer."""
from __future__ import annotations

import pytest
from huey import SqliteHuey
from sqlalchemy import func, select

from schoolpeers import jobs
from schoolpeers.accounts.models import User
from schoolpeers.extensions import db


@pytest.fixture
def kinds():
    """Work kinds for these tests only."""
    added = []

    def add(kind, work):
        jobs.register(kind, work)
        added.append(kind)

    yield add
    for kind in added:
        jobs._WORK.pop(kind)


def test_a_job_runs_once_and_commits_with_its_work(app, users, kinds):
    def rename(job, progress):
        user = db.session.get(User, job.arguments["user"])
        user.given_name = "Renamed"
        progress(0.5)
        job.finish("done", "Renamed.", {"renamed": 1})

    kinds("test.rename", rename)
    job = jobs.start("test.rename", users["admin"], {"user": users["student"].id})
    db.session.commit()
    assert job.status == "queued" and jobs.progress_of(job) == 0
    jobs.enqueue(job)  # inline in the tests
    db.session.refresh(job)
    assert (job.status, job.message, job.outcome, jobs.progress_of(job)) == ("done", "Renamed.", {"renamed": 1}, 100)
    assert db.session.get(User, users["student"].id).given_name == "Renamed"
    users["student"].given_name = "Again"
    db.session.commit()
    jobs.run(job.id)  # delivered twice: nothing runs again
    assert db.session.get(User, users["student"].id).given_name == "Again"


def test_a_failing_job_leaves_nothing_half_done(app, users, kinds, caplog):
    def half(job, progress):
        db.session.get(User, job.arguments["user"]).given_name = "Half"
        raise RuntimeError("the work broke")

    kinds("test.half", half)
    job = jobs.start("test.half", users["admin"], {"user": users["student"].id})
    db.session.commit()
    jobs.enqueue(job)
    db.session.expire_all()
    job = db.session.get(jobs.Job, job.id)
    assert job.status == "failed" and "nothing was changed" in job.message
    assert db.session.get(User, users["student"].id).given_name != "Half"
    assert "the work broke" in caplog.text


def test_an_unknown_kind_is_refused(app, users):
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.start("nothing.here", users["admin"], {})


def test_the_queue_carries_a_job_to_a_consumer(app, users, kinds, tmp_path, monkeypatch):
    """Not inline: the task waits in Huey's SQLite store until a consumer takes it."""
    queue = SqliteHuey("schoolpeers-test", filename=str(tmp_path / "jobs.sqlite"))
    task = queue.task()(jobs._run_in_consumer)
    monkeypatch.setattr(jobs, "_queue", lambda: jobs.Queue(queue, task))
    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    kinds("test.count", lambda job, progress: job.finish("done", "Counted.",
                                                         {"users": db.session.scalar(select(func.count(User.id)))}))
    job = jobs.start("test.count", users["admin"], {})
    db.session.commit()
    jobs.enqueue(job)
    assert queue.pending_count() == 1 and db.session.get(jobs.Job, job.id).status == "queued"
    queue.execute(queue.dequeue())  # what the consumer does
    db.session.expire_all()
    assert db.session.get(jobs.Job, job.id).status == "done"
