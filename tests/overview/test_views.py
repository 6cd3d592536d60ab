"""The counselor's dashboard and a student's timeline (their access is in tests/oversight/test_views.py
with the other counselor pages, and in the permission matrix)."""
from datetime import date, timedelta

from schoolpeers.extensions import db
from schoolpeers.mentors import checkins
from schoolpeers.oversight import services
from schoolpeers.timeutil import utcnow


def test_dashboard_orders_overdue_first(client, users, school, login_as, make_user):
    old = services.raise_concern(school, make_user("student", family_name="Overdueperson"), source="manual",
                                 severity="high", summary="x", raised_by=None, now=utcnow() - timedelta(hours=3))
    services.raise_concern(school, make_user("student", family_name="Newerperson"), source="manual",
                           severity="high", summary="y", raised_by=None, now=utcnow())
    db.session.commit()
    login_as(users["counselor"])
    page = client.get("/oversight").data
    assert page.index(b"Overdueperson") < page.index(b"Newerperson") and b"overdue" in page
    assert old.id


def test_dashboard_names_both_people_of_a_silent_mentorship_and_of_a_mentees_not_a_good_fit(
        client, users, mentorship, login_as):
    mentorship.began_on = date.today() - timedelta(days=40)  # never checked in, beyond the 14-day cadence
    checkins.add_feedback(mentorship.mentee, "not_a_good_fit", "we never meet")
    db.session.commit()
    mentee, mentor = mentorship.mentee.display_name, mentorship.mentor.display_name
    timeline = f'<a href="/oversight/students/{mentorship.mentee_id}">{mentee}</a>'
    login_as(users["counselor"])
    page = client.get("/oversight").get_data(as_text=True)
    overdue = page[page.index("Mentorships overdue for a check-in (1)"):page.index("Not a good fit")]
    assert f"{timeline} with {mentor} — last check-in never" in overdue
    feedback = page[page.index("Not a good fit"):page.index("<h2>Matching</h2>")]
    assert f"{timeline} about {mentor}: “we never meet”" in feedback
