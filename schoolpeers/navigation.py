"""Role-aware navigation: each role sees only the pages it may open."""
from __future__ import annotations

NAVIGATION = {
    "student": [("home.index", "Home"), ("matching.my_request", "My mentor")],
    "counselor": [
        ("home.index", "Home"),
        ("overview.dashboard", "Dashboard"),
        ("matching.index", "Matching"),
        ("matching.mentorships", "Mentorships"),
        ("mentors.index", "Mentors"),
        ("reports.index", "Reports"),
        ("approvals.index", "Approvals"),
    ],
    "staff": [("home.index", "Home"), ("reports.index", "Reports")],
    "admin": [
        ("home.index", "Home"),
        ("admin.users", "Users"),
        ("admin.roster_upload", "Roster import"),
        ("admin.settings", "School settings"),
        ("audit.index", "Audit log"),
    ],
}


def navigation_for(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return NAVIGATION.get(user.role, [])
