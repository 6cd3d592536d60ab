"""Role-aware navigation: each role sees only the pages it may open. Like the home pages, it sits
above the features (a student who mentors also sees their mentees)."""
from __future__ import annotations

from flask import session

from schoolpeers.mentors.services import is_mentor, profile_for

NAVIGATION = {
    "student": [("home.index", "Home"), ("matching.my_request", "My mentor"), ("circles.mine", "Circles"),
                ("resources.index", "Ideas")],
    "counselor": [
        ("home.index", "Home"),
        ("overview.dashboard", "Dashboard"),
        ("matching.index", "Matching"),
        ("matching.mentorships", "Mentorships"),
        ("mentors.index", "Mentors"),
        ("supervision.index", "Supervision"),
        ("circles.index", "Circles"),
        ("families.consent", "Families"),
        ("resources.index", "Library"),
        ("reports.index", "Reports"),
        ("approvals.index", "Approvals"),
    ],
    "staff": [("home.index", "Home"), ("reports.index", "Reports")],
    "admin": [
        ("home.index", "Home"),
        ("admin.users", "Users"),
        ("admin.roster_upload", "Roster import"),
        ("admin.settings", "School settings"),
        ("families.policy", "Family consent"),
        ("audit.index", "Audit log"),
    ],
    # A district's office: its schools and their roll-up, never a school's own pages.
    "district_admin": [
        ("districts.home", "District"),
        ("district_reports.index", "Roll-up report"),
        ("district_roster.upload", "Roster sync"),
        ("districts.people", "District people"),
        ("districts.settings", "District settings"),
    ],
    "district_analyst": [("districts.home", "District"), ("district_reports.index", "Roll-up report")],
}


MENTOR_ITEM = ("mentors.my_mentees", "My mentees")


def navigation_for(user, known_mentor=None) -> list[tuple[str, str]]:
    """`known_mentor`: whether the student mentors, when the page knows already (the student's home, as
    its `is_mentor`); anything but a bool (an undefined template variable) means look it up."""
    if not getattr(user, "is_authenticated", False) or not session.get("mfa_ok"):
        return []  # signed out, or still to set up two-factor sign-in: nothing opens until then
    items = NAVIGATION.get(user.role, [])
    if user.role == "student":
        mentoring = known_mentor if isinstance(known_mentor, bool) else is_mentor(profile_for(user))
        if mentoring:
            items = [*items, MENTOR_ITEM]
    return items
