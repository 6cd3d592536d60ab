import pytest


@pytest.fixture(autouse=True)
def empty_rollup_cache(app):
    """The app lives for the whole session and a clean database gives the next test the same ids: no
    roll-up kept in the process may outlive its test."""
    from schoolpeers.districts.report_views import CACHE

    app.extensions[CACHE].clear()
