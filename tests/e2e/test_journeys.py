"""Eleven journeys through the app, each acting as the person would: typing, clicking, reading.

Each journey's main action is done from the keyboard alone (Tab, Space, Enter), and every page
on the way is checked for accessibility and saved as screenshots (see journey.py).
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.availability import REQUIRED, missing_browser

if missing_browser() and not REQUIRED:
    pytest.skip(f"browser journeys: {missing_browser()}", allow_module_level=True)

import openpyxl  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from schoolpeers.accounts import services as accounts
from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.families import asking
from schoolpeers.families import services as families
from schoolpeers.oversight import services as oversight
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import utcnow
from tests.e2e.journey import Journey, Person, sign_in
from tests.e2e.seed import (
    add_active_mentorship,
    add_circle_with_a_session_to_log,
    add_mentor,
    add_request,
    add_user,
    demo_school,
    log_alarming_checkin,
    person,
)

# Server time of every page is recorded and printed at the end of the run; speed targets are held
# by `make bench`, not by a timed assertion that a busy machine would break.


ROSTER_FILE = "Roster file (CSV, or a OneRoster bundle as .zip)"


def flash(journey: Journey):
    return journey.page.locator(".flash")


def described_by_error(field_locator) -> str:
    """The text of the error message the field points at with aria-describedby."""
    ids = (field_locator.get_attribute("aria-describedby") or "").split()
    errors = [i for i in ids if i.endswith("-error")]
    assert errors, "the field does not point at its error message"
    return field_locator.page.locator(f"#{errors[0]}").inner_text()


def test_student_sets_a_password_and_asks_for_a_mentor(open_journey, live_server):
    app = live_server.app
    with app.app_context():
        student = add_user(demo_school(), "student", "Ruby", "Ellis", grade=7, password=None)
        db.session.flush()
        token = accounts.issue_setup_link_token(student, app.config["SECRET_KEY"])
        db.session.commit()
        username = student.username
    journey = open_journey("1-student-asks-for-a-mentor", phone=True)
    page = journey.page

    page.goto(journey.url(f"/setup/{token}"))
    journey.look("setup-link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi Ruby, choose your password")
    page.get_by_label("New password").fill("short")
    page.get_by_label("Type it again").fill("short")
    page.get_by_role("button", name="Save my password").click()
    journey.look("password-too-short")
    assert "at least 8" in described_by_error(page.get_by_label("New password"))

    password = "sunflowers on the library roof"
    page.get_by_label("New password").fill(password)
    page.get_by_label("Type it again").fill(password)
    page.get_by_role("button", name="Save my password").click()
    expect(flash(journey)).to_contain_text("Your password is saved")
    journey.look("password-saved")

    sign_in(journey, Person(app=app, username=username, password=password, given_name="Ruby"))
    journey.look("home")
    page.get_by_role("link", name="Ask for a peer mentor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a peer mentor")
    journey.look("request-form")

    # The whole form from the keyboard: Tab to a choice, Space to tick it, Enter to send.
    interests = page.get_by_role("group", name="What do you enjoy?")
    journey.press(interests.get_by_role("checkbox").nth(0), "Space")
    journey.press(interests.get_by_role("checkbox").nth(2), "Space")
    journey.press(page.get_by_role("group", name="What would you like some support with?")
                  .get_by_role("checkbox").first, "Space")
    journey.press(page.get_by_role("group", name="When could you meet?").get_by_role("checkbox").first, "Space")
    journey.tab_to(page.get_by_label(re.compile("Anything else you want the counselor to know")))
    page.keyboard.type("I have just moved here and I don't know many people yet.")
    journey.press(page.get_by_role("button", name="Ask for a mentor"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Your request")
    expect(page.get_by_text("A counselor is finding the right mentor for you")).to_be_visible()
    journey.look("request-sent")

    # Home now leads to the request, not to asking again; withdrawing asks first.
    journey.press(page.get_by_role("navigation", name="Main").get_by_role("link", name="Home"))
    expect(page.get_by_role("link", name="See my request")).to_be_visible()
    expect(page.get_by_role("link", name="Ask for a peer mentor")).to_have_count(0)
    journey.look("home-after-asking")
    page.get_by_role("link", name="See my request").click()
    page.get_by_text("Withdraw my request", exact=True).click()
    expect(page.get_by_text("Are you sure?")).to_be_visible()
    journey.look("withdraw-asks-first")
    journey.finish()


def test_counselor_runs_matching_reads_the_explanation_and_approves(open_journey, live_server):
    app = live_server.app
    with app.app_context():
        school = demo_school()
        counselor = add_user(school, "counselor", "Grace", "Okafor")
        add_mentor(school, "Jonah", "Mensah", grade=9)
        theo = add_user(school, "student", "Theo", "Lindqvist", grade=7)
        add_request(theo)
        # Theo is under 13: the demo school asks his family first, and they agreed on paper.
        families.record_answer(theo, None, decision="given", channel="paper", note="", actor=counselor)
        db.session.commit()
        grace = person(app, counselor)
    journey = open_journey("2-counselor-approves-a-match")
    page = journey.page

    sign_in(journey, grace)
    journey.look("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Matching").click()
    journey.look("matching")

    journey.press(page.get_by_role("button", name="Run matching"))
    expect(flash(journey).first).to_be_visible()
    journey.look("matching-run")
    proposal = page.locator("article.proposal").filter(has_text="Theo Lindqvist")
    expect(proposal).to_be_visible()
    explanation = proposal.locator("p").first.inner_text()
    assert re.search(r"\d", explanation) and len(explanation) > 40, explanation

    journey.press(proposal.get_by_role("button", name="Approve"))
    expect(flash(journey).first).to_contain_text(re.compile("Approved: .* will mentor Theo"))
    expect(page.locator("article.proposal").filter(has_text="Theo Lindqvist")).to_have_count(0)
    journey.look("approved")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentorships").click()
    journey.look("mentorships")
    theo = page.get_by_role("heading", name=re.compile("^Theo Lindqvist"))
    while not theo.is_visible():  # longest running first: the newest pair is on the last page
        page.get_by_role("navigation", name="Pages").get_by_role("link", name=re.compile("Next")).click()
        journey.look("mentorships-next-page")
    journey.finish()


def test_mentor_logs_two_checkins_on_a_phone_and_is_told_what_to_do(open_journey, live_server):
    app = live_server.app
    with app.app_context():
        school = demo_school()
        mentor = add_mentor(school, "Nadia", "Brooks", grade=10)
        add_active_mentorship(mentor, add_user(school, "student", "Ada", "Quinn", grade=8), began_days_ago=7)
        db.session.commit()
        nadia = person(app, mentor)
    journey = open_journey("3-mentor-logs-checkins", phone=True)
    page = journey.page

    sign_in(journey, nadia)
    journey.look("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My mentees").click()
    card = page.locator("section.card").filter(has=page.get_by_role("heading", name=re.compile("^Ada")))
    expect(card).to_be_visible()
    journey.look("my-mentees")

    card.get_by_role("link", name="Log a check-in").click()
    journey.look("checkin-form")
    page.get_by_role("button", name="Save check-in").click()
    faces = page.get_by_role("group", name=re.compile("How is your mentee feeling"))
    assert "Choose one of the five faces" in described_by_error(faces)
    journey.look("checkin-missing-face")
    faces.get_by_text("Good").click()
    page.get_by_label(re.compile("^Private notes")).fill("Talked about the science project. Ada seems happier.")
    page.get_by_role("button", name="Save check-in").click()
    expect(flash(journey)).to_contain_text("Check-in saved")
    journey.look("first-checkin-saved")
    # The programme's next step (progress on goals, how it was for the mentor) can be skipped.
    expect(page.get_by_role("heading", name=re.compile("^After your check-in"))).to_be_visible()
    page.get_by_role("link", name="Skip", exact=True).click()

    # The second check-in from the keyboard alone, with notes that must reach a counselor at once.
    card.get_by_role("link", name="Log a check-in").click()
    journey.press(page.get_by_role("radio", name=re.compile("Very low")), "Space")
    journey.tab_to(page.get_by_label(re.compile("^Private notes")))
    page.keyboard.type("Ada told me she wants to kill herself and has been cutting her arms.")
    journey.press(page.get_by_role("checkbox", name="I am worried about my mentee"), "Space")
    journey.tab_to(page.get_by_role("radio", name=re.compile("a counselor should know")))
    page.keyboard.press("ArrowDown")  # arrows move between the radios of one group
    expect(page.get_by_role("radio", name=re.compile("they may not be safe"))).to_be_checked()
    journey.tab_to(page.get_by_label("What worries you?"))
    page.keyboard.type("She said it calmly, as if she had decided.")
    journey.look("alarming-checkin")
    journey.press(page.get_by_role("button", name="Save check-in"))

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Tell a counselor in person today")
    expect(alert).to_contain_text("Crisis contact")
    journey.look("what-to-do-now")
    journey.finish()


def test_counselor_sees_the_banner_acknowledges_and_resolves_the_concern(open_journey, live_server):
    app = live_server.app
    with app.app_context():
        school = demo_school()
        counselor = add_user(school, "counselor", "Priya", "Shah")
        mentor = add_mentor(school, "Owen", "Price", grade=11)
        mentorship = add_active_mentorship(mentor, add_user(school, "student", "Sam", "Taylor", grade=8),
                                           began_days_ago=14)
        # Other journeys may have left urgent concerns: seen to already, so that Sam's is the one.
        for other in oversight.open_concerns(school.id, utcnow()):
            if other.severity == "high" and other.status == "open":
                oversight.acknowledge(other, counselor, utcnow())
        log_alarming_checkin(mentorship)
        db.session.commit()
        priya = person(app, counselor)
    journey = open_journey("4-counselor-resolves-a-concern")
    page = journey.page

    sign_in(journey, priya)
    banner = page.locator(".banner-urgent")
    expect(banner).to_contain_text("urgent concern")
    journey.look("home-with-banner")
    journey.press(banner.get_by_role("link"))  # one urgent concern: the banner opens it
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam Taylor")
    journey.look("concern-from-banner")
    journey.press(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you now")
    journey.look("dashboard")

    page.get_by_role("row").filter(has_text="Sam Taylor").filter(has_text="high").get_by_role("link").first.click()
    expect(page.locator(".notes")).to_contain_text("killing himself")
    # Screening explains itself: the words it matched are highlighted in the notes, with a reason.
    expect(page.locator(".notes mark").first).to_be_visible()
    expect(page.get_by_text(re.compile(r'the words "'))).not_to_have_count(0)
    journey.look("concern")
    journey.press(page.get_by_role("button", name=re.compile("^Acknowledge")))
    expect(flash(journey)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)
    journey.look("acknowledged")

    page.get_by_label("Outcome").select_option(index=1)
    page.get_by_label("What was done").fill("Met Sam with the safeguarding lead today; parents informed; "
                                             "referred to the school nurse and CAMHS.")
    page.get_by_role("group", name=re.compile("How did screening do")).get_by_label("Right").check()
    page.get_by_role("button", name="Resolve").click()
    expect(flash(journey)).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("resolved")
    journey.look("resolved")

    # The counselor's mark counts on the screening-quality page.
    page.goto(journey.url("/oversight/screening"))
    expect(page.get_by_role("heading", level=1)).to_have_text("How screening does")
    expect(page.get_by_text(re.compile(r"1 check-in marked: 1 right"))).to_be_visible()
    journey.look("screening-quality")
    journey.finish()


def test_staff_reads_the_report_with_small_groups_hidden_and_exports_excel(open_journey, live_server, tmp_path):
    app = live_server.app
    with app.app_context():
        martin = person(app, add_user(demo_school(), "staff", "Martin", "Cole"))
        db.session.commit()
    journey = open_journey("5-staff-reads-the-report")
    page = journey.page

    sign_in(journey, martin)
    journey.look("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Well-being trends")
    journey.look("report")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"cells of fewer than \d+ students hidden"))).to_be_visible()
    assert page.locator("td.status-hidden").count() > 0, "the demo report should hide some small groups"

    with page.expect_download() as download:
        journey.press(page.get_by_role("link", name="Download Excel"))
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    workbook = openpyxl.load_workbook(saved, read_only=True)
    cells = [str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row
             if c is not None]
    assert len(cells) > 20
    assert "hidden" in cells, "small groups are hidden in the export too"
    assert not any("Novak" in c or "Haddad" in c for c in cells), "no student names in an export"
    journey.finish()


ONEROSTER_HEADER = ("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
                    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password")


def oneroster_file(path, bad_grade: str) -> str:
    rows = [("rv-1", "student", "mila.hart", "Mila", "Hart", "07"),
            ("rv-2", "student", "omar.reid", "Omar", "Reid", bad_grade),
            ("rv-3", "student", "ines.ford", "Ines", "Ford", "10"),
            ("rv-4", "teacher", "t.lane", "Alex", "Lane", "")]
    lines = [ONEROSTER_HEADER] + [
        f"{sid},,2026-09-01T08:00:00Z,true,org-riverside,{role},{user},,{given},{family},,{sid},"
        f"{user}@riverside.example,,,,{grade}," for sid, role, user, given, family, grade in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_admin_imports_a_oneroster_file_after_fixing_a_bad_row(open_journey, live_server, tmp_path):
    app = live_server.app
    with app.app_context():
        riverside = accounts.create_school("Riverside High", "riverside")
        ruth = person(app, add_user(riverside, "admin", "Ruth", "Adeyemi"))
        db.session.commit()
    journey = open_journey("6-admin-imports-a-roster")
    page = journey.page

    sign_in(journey, ruth)
    journey.look("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roster import").click()
    journey.look("roster-upload")
    page.get_by_label(ROSTER_FILE).set_input_files(oneroster_file(tmp_path / "users.csv", bad_grade="15"))
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_role("region", name="1 row to fix")
    expect(problems).to_contain_text("Nothing has been saved")
    expect(problems.get_by_role("row").filter(has_text="15")).to_contain_text("3")  # line 3 of the file
    journey.look("roster-problem")

    page.get_by_role("link", name="Upload the fixed file").click()
    page.get_by_label(ROSTER_FILE).set_input_files(oneroster_file(tmp_path / "users-fixed.csv", bad_grade="08"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".stats")).to_contain_text("4 to create")
    journey.look("roster-clean")
    journey.press(page.get_by_role("button", name="Import 4 changes"))
    expect(flash(journey)).to_contain_text("4 created")  # the import job's page
    journey.look("roster-imported")
    page.get_by_role("link", name="See the accounts").click()
    expect(page.get_by_role("row").filter(has_text="Omar")).to_be_visible()
    journey.look("users-after-import")
    journey.finish()


def test_a_parent_gives_consent_on_a_phone_from_the_mailed_link(open_journey, live_server):
    app = live_server.app
    with app.app_context(), app.test_request_context():
        school = demo_school()
        lily = add_user(school, "student", "Lily", "Okonkwo", grade=6)
        parent = families.add_guardian(lily, given_name="Chioma", family_name="Okonkwo", relationship="parent",
                                       email="chioma@example.org", phone=None)
        request = asking.ask([lily], None, utcnow()).requests[0]
        db.session.commit()
        token, lily_id, parent_id = asking.link_token(request), lily.id, parent.id
    journey = open_journey("7-parent-gives-consent", phone=True)
    page = journey.page

    page.goto(journey.url(f"/families/answer/{token}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer mentoring for Lily")
    expect(page.get_by_text("You have not answered yet.")).to_be_visible()
    journey.look("consent-page")
    journey.press(page.get_by_role("button", name="I agree: Lily may take part"))
    expect(flash(journey)).to_contain_text("Thank you: your answer is saved.")
    expect(page.get_by_text("You gave your consent")).to_be_visible()
    journey.look("consent-given")
    with app.app_context():
        assert [(e.guardian_id, e.decision, e.channel) for e in families.history(db.session.get(User, lily_id))] == [
            (parent_id, "given", "link")]
    journey.finish()


def test_a_mentee_checks_in_on_their_own_phone_and_asks_for_a_counselor(open_journey, live_server):
    app = live_server.app
    with app.app_context():
        school = demo_school()
        mentor = add_mentor(school, "Jonas", "Berg", grade=11)
        mentee = add_user(school, "student", "Mila", "Sato", grade=8)
        add_active_mentorship(mentor, mentee, began_days_ago=20)
        db.session.commit()
        mila, mila_id = person(app, mentee), mentee.id
    journey = open_journey("8-mentee-checks-in", phone=True)
    page = journey.page

    sign_in(journey, mila)
    expect(page.get_by_text("Time for your check-in")).to_be_visible()
    journey.look("home-check-in-due")
    page.get_by_role("link", name="How am I doing? Check in").click()
    journey.look("self-checkin-form")
    page.get_by_role("button", name="Send").click()
    faces = page.get_by_role("group", name=re.compile("How are you feeling today"))
    assert "Choose one of the five faces" in described_by_error(faces)
    journey.look("self-checkin-missing-face")

    # From the keyboard alone: a face, a few words, and the request to talk.
    journey.tab_to(page.get_by_role("radio", name=re.compile("Very low")))  # Tab enters the group at its first face
    page.keyboard.press("ArrowRight")  # arrows choose within the group
    expect(page.get_by_role("radio", name=re.compile("🙁 Low"))).to_be_checked()
    journey.tab_to(page.get_by_label(re.compile("^Anything you want to say")))
    page.keyboard.type("Everything at home is loud and I can't sleep.")
    journey.press(page.get_by_role("checkbox", name="I want to talk to a counselor"), "Space")
    journey.look("self-checkin-filled")
    journey.press(page.get_by_role("button", name="Send"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for checking in")
    expect(page.get_by_text("A school counselor will read this")).to_be_visible()
    journey.look("self-checkin-thanks")
    with app.app_context():
        concerns = db.session.scalars(select(Concern).where(Concern.student_id == mila_id)).all()
        assert "mentee_request" in {c.source for c in concerns}
        assert all(c.self_checkin.note.startswith("Everything at home") for c in concerns)
    journey.finish()


def test_a_pair_agrees_their_goals_and_a_counselor_sees_the_mentor_found_a_checkin_hard(open_journey, live_server):
    app = live_server.app
    with app.app_context():
        school = demo_school()
        mentor = add_mentor(school, "Kofi", "Asante", grade=11)
        mentee = add_user(school, "student", "Zara", "Lind", grade=8)
        add_active_mentorship(mentor, mentee, began_days_ago=3)
        counselor = add_user(school, "counselor", "Esther", "Vidal")
        db.session.commit()
        kofi, zara, esther = person(app, mentor), person(app, mentee), person(app, counselor)
    folder = "9-agreement-and-a-hard-checkin"
    goal = "Put my hand up once in every maths lesson"

    # The mentor writes the agreement down at their first meeting, on a phone.
    mentor_journey = open_journey(f"{folder}/1-mentor", phone=True)
    page = mentor_journey.page
    sign_in(mentor_journey, kofi)
    step = page.get_by_role("link", name="Write down your agreement and goals with Zara")
    expect(page.get_by_role("heading", name="Coming up")).to_be_visible()
    expect(step).to_be_visible()
    mentor_journey.look("home-agreement-to-write")
    step.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our agreement: Zara and you")
    expect(page.get_by_role("region", name="What stays between you")).to_contain_text("must tell a counselor")
    mentor_journey.look("agreement-form")

    # The whole form from the keyboard: arrows within a group or a list, Space to tick, Enter to save.
    mentor_journey.tab_to(page.get_by_role("radio", name="Every week"))  # Tab enters the group at its first choice
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Every two weeks")).to_be_checked()
    mentor_journey.tab_to(page.get_by_label("Where will you meet?"))
    page.keyboard.type("The library at Tuesday lunchtime")
    area = page.get_by_label("Goal 1: what is it about?")
    mentor_journey.tab_to(area)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(area).to_have_value("confidence")
    mentor_journey.tab_to(page.get_by_label("Goal 1 in your own words"))
    page.keyboard.type(goal)
    mentor_journey.press(page.get_by_role("checkbox", name=re.compile("^We agreed this together")), "Space")
    expect(page.get_by_role("checkbox", name=re.compile("^We agreed this together"))).to_be_checked()
    mentor_journey.look("agreement-filled")
    mentor_journey.press(page.get_by_role("button", name="Save our agreement"))
    expect(flash(mentor_journey)).to_contain_text("Agreement saved. Zara can now read it and agree")
    expect(page.get_by_text("Zara has not agreed it on their own page yet")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=goal)).to_contain_text("no progress recorded yet")
    mentor_journey.look("agreement-saved")

    # The mentee reads it on her own phone, with what stays between them, and agrees.
    mentee_journey = open_journey(f"{folder}/2-mentee", phone=True)
    page = mentee_journey.page
    sign_in(mentee_journey, zara)
    step = page.get_by_role("link", name="Read your mentoring agreement and agree to it")
    expect(step).to_be_visible()
    mentee_journey.look("home-agreement-to-read")
    step.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agreement with Kofi")
    expect(page.locator(".facts")).to_contain_text("Every two weeks")
    expect(page.get_by_text(goal)).to_be_visible()
    limits = page.get_by_role("region", name="What stays between you")
    expect(limits).to_contain_text("If you talk about hurting yourself, your mentor must tell a counselor")
    mentee_journey.look("agreement-to-read")
    mentee_journey.press(page.get_by_role("button", name="I agree"))
    expect(flash(mentee_journey)).to_contain_text("Thank you! You and Kofi have both agreed.")
    expect(page.get_by_text(re.compile("^You agreed this on"))).to_be_visible()
    expect(page.get_by_role("button", name="I agree")).to_have_count(0)
    mentee_journey.look("agreed")
    mentee_journey.finish()

    # After their next check-in, the mentor records progress and how it was for him.
    page = mentor_journey.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My mentees").click()
    card = page.locator("section.card").filter(has=page.get_by_role("heading", name=re.compile("^Zara")))
    expect(card).to_be_visible()
    mentor_journey.look("my-mentees")
    card.get_by_role("link", name="Log a check-in").click()
    mentor_journey.look("checkin-form")
    page.get_by_role("group", name=re.compile("How is your mentee feeling")).get_by_text("Okay").click()
    page.get_by_label(re.compile("^Private notes")).fill("We talked about the maths lessons and her new club.")
    page.get_by_role("button", name="Save check-in").click()
    expect(flash(mentor_journey)).to_contain_text("Check-in saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("After your check-in with Zara")
    mentor_journey.look("after-checkin")

    progress = page.get_by_label(goal)
    mentor_journey.tab_to(progress)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(progress).to_have_value("2")  # "A little progress"
    mentor_journey.tab_to(page.get_by_role("radio", name="I'm fine"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="This was hard for me")).to_be_checked()
    mentor_journey.press(page.get_by_role("checkbox", name="I'd like to talk to a counselor about it"), "Space")
    mentor_journey.look("after-checkin-filled")
    mentor_journey.press(page.get_by_role("button", name="Save", exact=True))
    expect(flash(mentor_journey)).to_contain_text("A counselor will see this and find a moment to talk with you")
    expect(page.get_by_role("heading", level=1)).to_have_text("My mentees")
    mentor_journey.look("after-checkin-saved")
    page.get_by_role("link", name="Agreement and goals").click()
    expect(page.get_by_text("Zara agreed it too")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=goal)).to_contain_text("A little progress")
    mentor_journey.look("agreement-with-progress")
    mentor_journey.finish()

    # A counselor sees it on Supervision, at a desk, and marks it seen.
    counselor_journey = open_journey(f"{folder}/3-counselor")
    page = counselor_journey.page
    sign_in(counselor_journey, esther)
    counselor_journey.look("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentors' supervision")
    waiting = page.get_by_role("heading", name=re.compile("^Mentors who found a check-in hard"))
    expect(waiting).to_be_visible()
    kofi_feeling = page.locator("article.feeling").filter(has_text="Kofi Asante")
    expect(kofi_feeling).to_contain_text("This was hard for me")
    expect(kofi_feeling).to_contain_text("wants to talk")
    counselor_journey.look("supervision")
    counselor_journey.press(kofi_feeling.get_by_role("button", name="Mark as seen"))
    expect(flash(counselor_journey)).to_contain_text("Marked as seen: Kofi is looked after.")
    expect(page.locator("article.feeling").filter(has_text="Kofi Asante")).to_have_count(0)
    counselor_journey.look("marked-seen")
    counselor_journey.finish()


def test_a_circle_leader_logs_a_session_on_a_phone_and_a_member_says_it_helped(open_journey, live_server):
    from schoolpeers.circles.models import FeedbackCount, FeedbackGiven, MoodCount, SessionAttendance, SessionComment

    app = live_server.app
    with app.app_context():
        school = demo_school()
        leader = add_mentor(school, "Nadia", "Osei", grade=11)
        members = [add_user(school, "student", given, family, grade=8)
                   for given, family in (("Tomas", "Berg"), ("Lina", "Sato"), ("Ravi", "Shah"))]
        session = add_circle_with_a_session_to_log(leader, members)
        db.session.commit()
        session_id = session.id
        nadia, lina = person(app, leader), person(app, members[1])
    folder = "10-circle-session-and-feedback"

    # The leader logs the session on her phone, straight after it.
    leader_journey = open_journey(f"{folder}/1-leader", phone=True)
    page = leader_journey.page
    sign_in(leader_journey, nadia)
    step = page.get_by_role("link", name=re.compile("^Log the session"))
    expect(step).to_be_visible()
    leader_journey.look("home-session-to-log")
    step.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log the session")
    leader_journey.look("log-form")

    # From the keyboard: Space ticks who came, arrows choose how it went, the + buttons count faces.
    for name in ("Tomas Berg", "Lina Sato"):
        leader_journey.press(page.get_by_role("checkbox", name=re.compile(name)), "Space")
    leader_journey.tab_to(page.get_by_role("radio", name="It went well"))
    page.keyboard.press("Space")
    leader_journey.tab_to(page.get_by_label(re.compile("^Notes")))
    page.keyboard.type("Everyone joined in the opening round and we practised slow breathing.")
    leader_journey.press(page.get_by_role("button", name="One more Good"))
    leader_journey.press(page.get_by_role("button", name="One more Very good"))
    expect(page.locator("input[name=mood_4]")).to_have_value("1")
    expect(page.locator("input[name=mood_5]")).to_have_value("1")
    leader_journey.look("log-filled")
    leader_journey.press(page.get_by_role("button", name="Save the log"))
    expect(flash(leader_journey)).to_be_visible()
    leader_journey.look("logged")
    leader_journey.finish()

    # A member who came says it helped, on her own phone, with a word for the counselor.
    member_journey = open_journey(f"{folder}/2-member", phone=True)
    page = member_journey.page
    sign_in(member_journey, lina)
    step = page.get_by_role("link", name=re.compile("^How was"))
    expect(step).to_be_visible()
    member_journey.look("home-feedback-waiting")
    step.click()
    expect(page.get_by_text("Nobody can see which answer is yours")).to_be_visible()
    member_journey.tab_to(page.get_by_label(re.compile("^Anything for the counselor")))
    page.keyboard.type("The breathing helped me before my test.")
    member_journey.look("feedback-form")
    member_journey.press(page.get_by_role("button", name=re.compile("It helped")))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    member_journey.look("feedback-thanks")
    page.goto(member_journey.url("/"))
    expect(page.get_by_role("link", name=re.compile("^How was"))).to_have_count(0)
    member_journey.finish()

    with app.app_context():
        present = db.session.scalars(select(SessionAttendance.present).where(
            SessionAttendance.session_id == session_id)).all()
        assert sorted(present) == [False, True, True]
        assert {m.mood: m.taps for m in db.session.scalars(select(MoodCount).where(
            MoodCount.session_id == session_id))} == {4: 1, 5: 1}
        counts = db.session.execute(select(FeedbackCount.answer, FeedbackCount.answers).where(
            FeedbackCount.session_id == session_id)).all()
        comments = db.session.scalars(select(SessionComment.comment).where(SessionComment.session_id == session_id))
        assert counts == [("helped", 1)] and list(comments) == ["The breathing helped me before my test."]
        assert not hasattr(SessionComment, "student_id")  # the comment cannot say whose it is
        assert db.session.scalar(select(FeedbackGiven.student_id).where(FeedbackGiven.session_id == session_id))


def test_a_district_admin_creates_a_school_and_reads_the_roll_up(open_journey, live_server, tmp_path):
    app = live_server.app
    with app.app_context():
        office = db.session.scalar(select(School).where(School.kind == "district_office"))
        dana = person(app, add_user(office, "district_admin", "Dana", "Whitfield"))
        db.session.commit()
    journey = open_journey("11-district-admin-creates-a-school")
    page = journey.page

    sign_in(journey, dana)
    page.goto(journey.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Northfield District")
    journey.look("district-home")
    expect(page.get_by_role("cell", name="Southbank School")).to_be_visible()
    page.get_by_role("link", name="Create a school").first.click()
    journey.look("new-school")
    page.get_by_label("School name").fill("Riverside Middle School")
    page.get_by_label("Short name (in links and on the command line)").fill("Riverside Middle")
    page.get_by_label("Lowest grade").fill("6")
    page.get_by_label("Highest grade").fill("8")
    page.get_by_label("First admin: given name").fill("Ada")
    page.get_by_label("First admin: family name").fill("Lovell")
    page.get_by_label("First admin: email").fill("ada.lovell@riverside.example")
    journey.press(page.get_by_role("button", name="Create the school"))
    journey.look("new-school-bad-short-name")
    assert "lower-case" in described_by_error(page.get_by_label("Short name (in links and on the command line)"))
    page.get_by_label("Short name (in links and on the command line)").fill("riverside-middle")
    journey.press(page.get_by_role("button", name="Create the school"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Setup link for Ada Lovell")
    journey.look("first-admin-setup-link")
    assert "/setup/" in page.get_by_label("Setup link").input_value()

    page.goto(journey.url("/district/reports/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Roll-up report")
    journey.look("roll-up")
    table = page.locator("table.report-table").first
    expect(table.get_by_role("rowheader", name=re.compile("Southbank School"))).not_to_have_count(0)
    with page.expect_download() as download:
        journey.press(page.get_by_role("link", name="Download CSV"))
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "Northfield Academy" in text and "Southbank School" in text
    assert not any(name in text for name in ("Novak", "Haddad", "Park")), "no student names in a roll-up"
    journey.finish()
