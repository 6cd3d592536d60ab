"""The roll-up built in the background and stored: a page shows the newest one at once and asks for a
build (one at a time) when the schools' data moved on."""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from schoolpeers import jobs
from schoolpeers.districts import rollup_builds, rollup_store
from schoolpeers.districts.models import StoredRollup
from schoolpeers.districts.rollup import district_rollup, slice_rollup
from schoolpeers.extensions import db
from schoolpeers.jobs import Job
from schoolpeers.reports.privacy import MEASURES
from tests.districts.test_rollup import SECRET, TODAY, add_checkins
from tests.districts.test_rollup import district as district  # noqa: F401 (fixture)

PAGE = "/district/reports/"


@pytest.fixture
def queued(app, monkeypatch):
    """Jobs wait for a consumer, as in production; the ones handed over are listed here."""
    handed = []
    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    progress = {}
    store = type("Progress", (), {"put": lambda self, key, value: progress.__setitem__(key, value)})()
    monkeypatch.setattr(jobs, "_queue", lambda: jobs.Queue(store, lambda job_id: handed.append(job_id)))
    return handed


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredRollup))


def test_a_stored_roll_up_reads_back_as_built(district):  # noqa: F811
    found = district_rollup(district["district"], SECRET, TODAY)
    again = rollup_store.decode(rollup_store.encode(found))
    assert (again.district_name, again.left_out, again.generated_on, again.k) == \
        (found.district_name, found.left_out, found.generated_on, found.k)
    assert again.rollup.rows == found.rollup.rows and again.rollup.schools == found.rollup.schools
    for level in ("month", "term", "year"):
        assert slice_rollup(again, level, None, None, list(MEASURES)) == \
            slice_rollup(found, level, None, None, list(MEASURES))
        for part in ("display", "values", "status"):
            for measure, cells in getattr(found.rollup.levels[level], part).items():
                assert np.array_equal(getattr(again.rollup.levels[level], part)[measure], cells)


def test_the_first_view_queues_one_build_and_says_it_is_being_prepared(district, login_as, queued):  # noqa: F811
    client = login_as(district["district_analyst"])
    page = client.get(PAGE).get_data(as_text=True)
    assert "being prepared" in page and 'http-equiv="refresh"' in page and "whole district" not in page
    client.get(PAGE)
    assert len(queued) == 1  # one build at a time
    response = client.get("/district/reports/export.csv")
    assert response.status_code == 302 and stored_count() == 0

    jobs.run(queued[0])  # what the consumer does
    page = client.get(PAGE).get_data(as_text=True)
    assert "whole district" in page and 'id="preparing"' not in page and stored_count() == 1
    assert client.get("/district/reports/export.csv").status_code == 200


def test_new_data_shows_the_stored_figures_and_asks_for_a_build(district, login_as, queued, school):  # noqa: F811
    client = login_as(district["district_admin"])
    client.get(PAGE)
    jobs.run(queued[0])
    add_checkins(school)
    page = client.get(PAGE).get_data(as_text=True)
    assert "whole district" in page and "figures from the schools' newest check-ins are being prepared" in page
    assert len(queued) == 2
    jobs.run(queued[1])
    assert 'id="preparing"' not in client.get(PAGE).get_data(as_text=True) and stored_count() == 1


def test_a_lost_build_is_asked_for_again(district, login_as, queued):  # noqa: F811
    client = login_as(district["district_admin"])
    client.get(PAGE)
    lost = db.session.get(Job, queued[0])
    lost.created_at -= rollup_builds.LOST_AFTER
    db.session.commit()
    client.get(PAGE)
    assert len(queued) == 2


def test_a_build_for_someone_who_can_no_longer_read_it_is_refused(district, queued):  # noqa: F811
    analyst = district["district_analyst"]
    job = rollup_builds.start_build(analyst, TODAY)
    analyst.active = False
    db.session.commit()
    jobs.run(job.id)
    assert db.session.get(Job, job.id).status == "refused" and stored_count() == 0
