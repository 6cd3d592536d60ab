"""Every route the app registers, for every role, anonymous, and a user of another school.

The table below says who may use each endpoint. A route that is not in it fails the test, so a
new page cannot ship without deciding who may see it. Anonymous visitors are sent to sign in (401
for JSON); a signed-in role that may not use an endpoint gets 403; a record of another school,
or of another mentor, answers 404 like a missing one.
"""

import pytest

from schoolpeers import create_app
from schoolpeers.extensions import db
from tests.factories import UserFactory, make_district, make_mentor, one_of_each_record

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404
ADULTS = ("counselor", "staff", "admin")
EVERYONE = ("student", "mentor", *ADULTS)
DISTRICT = ("district_admin", "district_analyst")  # of the district of `school`; their twins of another
PUBLIC = "public"

# endpoint -> {role: expectation}; roles left out get 403. "student" is a mentee, "mentor" their mentor.
ACCESS = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.setup": PUBLIC,
    "accounts.setup_code": PUBLIC,
    "two_factor.code": PUBLIC,  # only with a session waiting for its code; anyone else is sent to sign in
    "two_factor.setup": dict.fromkeys((*EVERYONE, *DISTRICT), OK),  # students are sent home
    **{e: dict.fromkeys((*ADULTS, *DISTRICT), OK) for e in (
        "two_factor.manage", "two_factor.new_recovery_codes", "two_factor.turn_off")},
    "two_factor.admin_reset": {"admin": OK},
    "accounts.logout": dict.fromkeys((*EVERYONE, *DISTRICT), OK),
    "home.index": dict.fromkeys((*EVERYONE, *DISTRICT), OK),  # a district's people are sent to its home
    **{e: {"admin": OK} for e in (
        "admin.users", "admin.create_user", "admin.user_detail", "admin.change_role", "admin.set_active",
        "admin.setup_link", "admin.unlink_school_account", "admin.setup_letters", "admin.settings",
        "admin.roster_upload", "admin.roster_apply", "admin.job", "audit.index", "audit.export")},
    **{e: {"student": OK, "mentor": OK} for e in (
        "matching.my_request", "matching.withdraw", "matching.ask_change", "mentors.apply", "mentors.feedback",
        "mentors.self_checkin", "mentors.self_checkin_done", "oversight.talk")},
    "privacy.my_data": {"student": OK, "mentor": OK},
    "privacy.erase": {"admin": OK},  # the mentee of `world`; a POST without its form erases nothing
    "mentors.my_mentees": {"student": NOT_FOUND, "mentor": OK},
    **{e: {"student": NOT_FOUND, "mentor": OK} for e in (
        "mentors.log_checkin", "mentors.mentorship_checkins", "mentors.correct_checkin", "mentors.what_to_do_now")},
    **{e: {"counselor": OK} for e in (
        "matching.index", "matching.run", "matching.new_request", "matching.request_detail", "matching.choose",
        "matching.match_now", "matching.block", "matching.approve", "matching.reject", "matching.approve_all",
        "matching.mentorships", "matching.end", "mentors.index", "mentors.detail", "mentors.decide",
        "mentors.training", "mentors.certify", "mentors.pause", "overview.dashboard", "oversight.concern",
        "oversight.acknowledge", "oversight.note", "oversight.resolve", "overview.student",
        "oversight.raise_concern", "oversight.screening_quality", "oversight.screening_export")},
    **{e: {"counselor": OK, "staff": OK} for e in ("reports.index", "reports.data", "reports.export")},
    # A background export's page and file are its maker's only: `world`'s job is the admin's import.
    **{e: {"counselor": NOT_FOUND, "staff": NOT_FOUND} for e in ("reports.job", "reports.job_file")},
    # Admins ask; counselors decide (the staff member of `world` is the one the admin asked about).
    **{e: {"counselor": OK} for e in ("approvals.index", "approvals.approve", "approvals.refuse")},
    # Families: counselors and admins keep contacts and answers; admins set the policy.
    "families.policy": {"admin": OK},
    **{e: {"counselor": OK, "admin": OK} for e in (
        "families.consent", "families.consent_csv", "families.student", "families.add_guardian",
        "families.remove_guardian", "families.record_answer", "families.ask_student", "families.ask_class",
        "families.edit_guardian")},
    "families.answer": PUBLIC,  # a guardian's signed link, without signing in
    "matching.ask_families": {"counselor": OK},
    **{e: dict.fromkeys(EVERYONE, OK) for e in ("resources.index", "resources.detail", "notifications.reminders")},
    # The mentorship of `world` is the mentor's; the meeting id is theirs too.
    **{e: {"student": NOT_FOUND, "mentor": OK} for e in ("notifications.arrange", "notifications.cancel")},
    **{e: {"counselor": OK} for e in (
        "resources.new", "resources.edit", "resources.set_active", "resources.starter_set")},
    # The programme cycle, by part (schoolpeers/programme/*_views.py).
    # programme: goals
    # The mentor's own pair and check-in; the mentee reads and agrees on their page (a student
    # without a mentor is sent home); counselors read a pair's agreement and progress.
    **{e: {"student": NOT_FOUND, "mentor": OK} for e in ("goals.agreement", "goals.after_checkin")},
    "goals.mentee_agreement": {"student": OK, "mentor": OK},
    "goals.mentorship_goals": {"counselor": OK},
    # programme: supervision
    # Counselors only: sessions, mentors overdue, mentors' own checks that wait for them.
    **{e: {"counselor": OK} for e in (
        "supervision.index", "supervision.new", "supervision.detail", "supervision.seen")},
    # programme: recognition
    # A mentor's own hours (a student who never mentored: 404); counselors issue certificates; a
    # certificate's PDF is for the mentor it names (the mentee of `world`: 404) and the counselors.
    "recognition.volunteering": {"student": NOT_FOUND, "mentor": OK},
    "recognition.issue": {"counselor": OK},
    "recognition.pdf": {"student": NOT_FOUND, "mentor": OK, "counselor": OK},
    # programme: closure
    # Counselors plan and follow an ending. The mentor's pages need an ending begun, and `world`'s
    # mentorship has none: 404 like another mentor's. A student with no ending open is sent home.
    **{e: {"counselor": OK} for e in ("closure.overview", "closure.begin")},
    "closure.withhold_goodbye": {"counselor": NOT_FOUND},  # no ending begun, so no goodbye to withhold
    **{e: {"student": NOT_FOUND, "mentor": NOT_FOUND} for e in (
        "closure.mentor_closing", "closure.closing_meeting", "closure.goodbye", "closure.mentor_survey")},
    **{e: {"student": OK, "mentor": OK} for e in ("closure.mentee_ending", "closure.goodbyes")},
    # programme: outcomes
    # A student answers their own questionnaire (the mentor has none waiting: a page that says so);
    # the outcomes report is read like the other reports.
    "outcomes.questionnaire": {"student": OK, "mentor": OK},
    **{e: {"counselor": OK, "staff": OK} for e in ("outcomes.report", "outcomes.report_csv")},
    # Circles (schoolpeers/circles/, and session plans in the library).
    # plans: counselors keep the library of session plans.
    **{e: {"counselor": OK} for e in (
        "plans.index", "plans.detail", "plans.new", "plans.edit", "plans.set_active", "plans.starter_set")},
    # circles: counselors run every circle; `world`'s mentor leads its circle and may open it; its
    # mentee is a member, who sees their own place under My circles but never the leader's page.
    **{e: {"counselor": OK} for e in (
        "circles.index", "circles.new", "circles.edit", "circles.leaders", "circles.invite", "circles.decide",
        "circles.close", "circles.debrief")},
    "circles.detail": {"student": NOT_FOUND, "mentor": OK, "counselor": OK},
    # A student's own circles, and circles open to their grade (the circle of `world` is open to all).
    **{e: {"student": OK, "mentor": OK} for e in (
        "circles.mine", "circles.member_circle", "circles.ask", "circles.answer")},
    # Only with a place in the circle: the mentor leads it but is no member.
    **{e: {"student": OK, "mentor": NOT_FOUND} for e in ("circles.agreement", "circles.leave")},
    # group sessions: the leader and counselors run a circle's sessions; a member gives feedback on
    # a session they attended (the leader did not attend as a member: 404).
    **{e: {"student": NOT_FOUND, "mentor": OK, "counselor": OK} for e in (
        "group_sessions.new", "group_sessions.detail", "group_sessions.log", "group_sessions.cancel")},
    "group_sessions.feedback": {"student": OK, "mentor": NOT_FOUND},
    **{e: {"counselor": OK} for e in ("group_sessions.workshops", "group_sessions.new_workshop")},
    **{e: {"student": OK, "mentor": OK} for e in ("group_sessions.sign_up", "group_sessions.cancel_sign_up")},
    # circle reports: read like the other reports.
    # Districts (schoolpeers/districts/): the office's people of the district of `school`; the school
    # and the sign-in provider of `world` are of that district, so the other district's twins get 404.
    # A school's people reach none of it, and the office's people reach no page of a school.
    "districts.home": dict.fromkeys(DISTRICT, OK),
    **{e: {"district_admin": OK} for e in (
        "districts.settings", "districts.people", "districts.new_person", "district_schools.new",
        "district_schools.detail", "district_schools.add_admin", "district_schools.admin_link",
        "district_schools.archive", "district_roster.upload", "district_roster.apply",
        "district_sign_in.providers", "district_sign_in.new", "district_sign_in.edit")},
    # The roll-up: aggregates only, for the district's admins and analysts.
    **{e: dict.fromkeys(DISTRICT, OK) for e in ("district_reports.index", "district_reports.export")},
    # Single sign-on starts and ends without a session.
    **dict.fromkeys(("sso.find", "sso.start", "sso.callback"), PUBLIC),
    **{e: {"counselor": OK, "staff": OK} for e in ("circle_reports.report", "circle_reports.report_csv")},
}


@pytest.fixture
def world(school, other_school, users):
    """One record of every kind in `school`, and for each role a twin in `other_school`."""
    people, ids = one_of_each_record(school, dict(users))
    outsiders = {role: UserFactory(other_school)(role) for role in ("student", *ADULTS)}
    outsiders["mentor"] = make_mentor(other_school, outsiders["counselor"]).user
    ours, theirs = make_district(school, "district-a"), make_district(other_school, "district-b")
    people |= {role: ours[role] for role in DISTRICT}
    outsiders |= {role: theirs[role] for role in DISTRICT}
    db.session.commit()
    ids |= {"token": "not-a-token", "fmt": "csv", "filename": "style.css", "school_id": school.id,
            "provider_id": ours["provider"].id}
    return people, outsiders, ids


def routes(app):
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    )


def test_every_route_is_in_the_table(app):
    assert {endpoint for endpoint, _, _ in routes(app)} == set(ACCESS)


def url_for_rule(rule: str, ids: dict) -> str:
    for name, value in ids.items():
        for converter in ("int:", "path:", "any(csv, xlsx):", ""):
            rule = rule.replace(f"<{converter}{name}>", str(value))
    return rule.replace("export.<any(csv, xlsx):fmt>", "export.csv")


def request(client, method, url):
    return client.get(url) if method == "GET" else client.post(url, data={})


def check(response, expected, who, method, url):
    where = f"{who} {method} {url}"
    assert response.status_code < 500, where
    if expected == OK:
        assert response.status_code not in (401, 403, 404), f"{where}: {response.status_code}"
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}, expected {expected}"


# Collected from a throwaway app so that every registered route becomes its own test.
ROUTES = routes(create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES)
def test_route(app, client, world, login_as, endpoint, rule, method):
    people, outsiders, ids = world
    url = url_for_rule(rule, ids)
    rules = ACCESS[endpoint]
    # Anonymous first: sent to sign in, or a JSON 401.
    with client.session_transaction() as session:
        session.clear()
    response = request(client, method, url)
    if rules == PUBLIC:
        assert response.status_code < 500 and response.status_code != 401
        return
    if url.endswith(".json"):
        assert response.status_code == 401, url
    else:
        assert response.status_code == 302 and "/login" in response.location, f"anonymous {method} {url}"
    # Then every role: refused ones first, the allowed ones last (their POSTs may change things).
    for role in sorted(people, key=lambda r: r in rules):
        login_as(people[role])
        check(request(client, method, url), rules.get(role, FORBIDDEN), role, method, url)
        # The same role in another school: a record of ours is not theirs to see.
        login_as(outsiders[role])
        outsider_expects = rules.get(role, FORBIDDEN)
        if outsider_expects == OK and ("<int:" in rule or "<job_id>" in rule):  # a record id of ours
            outsider_expects = NOT_FOUND
        if endpoint in ("mentors.my_mentees",) and role == "mentor":
            outsider_expects = OK  # their own (empty) list
        check(request(client, method, url), outsider_expects, f"other-school {role}", method, url)
