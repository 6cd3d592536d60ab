"""Role-aware navigation: each role sees only the pages it may open."""
from __future__ import annotations

NAVIGATION = {
    "student": [("accounts.home", "Home")],
    "counselor": [("accounts.home", "Home")],
    "staff": [("accounts.home", "Home")],
    "admin": [
        ("accounts.home", "Home"),
        ("admin.users", "Users"),
        ("admin.roster_upload", "Roster import"),
        ("admin.settings", "School settings"),
    ],
}


def navigation_for(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return NAVIGATION.get(user.role, [])
