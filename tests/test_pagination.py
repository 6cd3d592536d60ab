"""Long lists come a page at a time, and every entry is on exactly one page."""
from __future__ import annotations

import re

import pytest

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from tests.conftest import login
from tests.test_query_counts import LARGER, build_school


@pytest.fixture
def large(app):
    return build_school("large", LARGER)


def pages_of(client, url: str, pattern: str, param: str = "page") -> list[list[str]]:
    """Each page's matches of `pattern`, following the pages until one is empty."""
    pages, n = [], 1
    while True:
        response = client.get(f"{url}{'&' if '?' in url else '?'}{param}={n}")
        assert response.status_code == 200
        found = re.findall(pattern, response.get_data(as_text=True))
        if not found:
            return pages
        pages.append(found)
        n += 1


def test_a_mentorships_check_ins_page_by_page(client, large):
    login(client, db.session.get(User, large.user_ids["mentor"]))
    pages = pages_of(client, f"/mentor/mentorships/{large.mentorship_id}", r"<h2>(\d\d \w+ \d{4}) · feeling")
    assert [len(p) for p in pages] == [25, 5]
    first = client.get(f"/mentor/mentorships/{large.mentorship_id}").get_data(as_text=True)
    assert "Page 1 of 2" in first and f"/mentor/mentorships/{large.mentorship_id}?page=2" in first


def test_a_student_timeline_page_by_page(client, large):
    login(client, db.session.get(User, large.user_ids["counselor"]))
    pages = pages_of(client, f"/oversight/students/{large.mentee_id}", r"<h3>\d\d \w+ \d{4} · (\w+)</h3>")
    kinds = [kind for page in pages for kind in page]
    # 30 check-ins, 10 concerns, the request and the mentorship: each once, the mentorship (400 days ago) last.
    assert [len(p) for p in pages] == [25, 17]
    assert (kinds.count("checkin"), kinds.count("concern"), kinds.count("request")) == (30, 10, 1)
    assert kinds[-1] == "mentorship"


def test_dashboard_pages_each_list_on_its_own(client, large):
    login(client, db.session.get(User, large.user_ids["counselor"]))
    concern_link = r'href="/oversight/concerns/(\d+)"'
    first = pages_of(client, "/oversight", concern_link, "concerns_page")
    assert sum(len(p) for p in first) == 3 * LARGER and len({c for p in first for c in p}) == 3 * LARGER
    page = client.get("/oversight?concerns_page=2&overdue_page=2").get_data(as_text=True)
    # Every other one of the 83 active mentorships has been quiet for 60 days.
    assert "Mentorships overdue for a check-in (41)" in page
    assert "concerns_page=2&amp;overdue_page=1" in page or "overdue_page=1&amp;concerns_page=2" in page


def test_matching_pages_the_queue_and_the_proposals_apart(client, large):
    login(client, db.session.get(User, large.user_ids["counselor"]))
    page = client.get("/matching").get_data(as_text=True)
    assert "Queue (30)" in page and "Proposals waiting for approval (10)" in page
    assert "Page 1 of 2" in page and "queue_page=2" in page
