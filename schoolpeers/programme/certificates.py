"""Recognition of a mentor's volunteering: their hours over a period (check-ins they held, training
they completed, supervision they attended), the certificates counselors issue with the hours as they
stood that day, and each certificate as a one-page PDF. A certificate names the mentor only: never a
mentee. Plain functions that flush; the view commits."""
from __future__ import annotations

from datetime import date, timedelta

from anyascii import anyascii
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy import Select, and_, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn, MentorProfile, TrainingCompletion, TrainingModule
from schoolpeers.mentors.statuses import ACCEPTED
from schoolpeers.programme.hours import Entry, Hours, Period, checked_period, decimal_hours, hours_text, tally
from schoolpeers.programme.models import Certificate, SupervisionAttendance, SupervisionSession
from schoolpeers.programme.prompts import Prompt
from schoolpeers.refusals import FieldRefusal

MAX_CITATION = 300
NEW_CERTIFICATE_SHOWN = timedelta(days=14)  # on the mentor's home page


class CertificateError(FieldRefusal):
    """A certificate that cannot be issued as asked."""


# --- hours ---------------------------------------------------------------------------------------

def volunteering_entries(school_id: int, mentor_id: int, period: Period) -> list[Entry]:
    """Each piece of the mentor's volunteering in the period, in one statement: the check-ins they
    held, the training modules they completed (each counts the minutes the module takes) and the
    supervision sessions they attended."""
    checkins = select(literal_column("'checkin'").label("kind"), CheckIn.occurred_on.label("day"),
                      CheckIn.duration_minutes.label("minutes")).where(
        CheckIn.school_id == school_id, CheckIn.mentor_id == mentor_id,
        CheckIn.occurred_on.between(period.start, period.end))
    training = (select(literal_column("'training'"), TrainingCompletion.completed_on, TrainingModule.minutes)
                .join(TrainingModule, and_(TrainingModule.id == TrainingCompletion.module_id,
                                           TrainingModule.school_id == TrainingCompletion.school_id))
                .join(MentorProfile, and_(MentorProfile.id == TrainingCompletion.profile_id,
                                          MentorProfile.school_id == TrainingCompletion.school_id))
                .where(TrainingCompletion.school_id == school_id, MentorProfile.user_id == mentor_id,
                       TrainingCompletion.completed_on.between(period.start, period.end)))
    supervision = (select(literal_column("'supervision'"), SupervisionSession.held_on, SupervisionSession.minutes)
                   .join(SupervisionAttendance, and_(SupervisionAttendance.school_id == SupervisionSession.school_id,
                                                     SupervisionAttendance.session_id == SupervisionSession.id))
                   .where(SupervisionSession.school_id == school_id, SupervisionAttendance.mentor_id == mentor_id,
                          SupervisionSession.held_on.between(period.start, period.end)))
    rows = db.session.execute(union_all(checkins, training, supervision)).all()
    return [Entry(kind, day, minutes) for kind, day, minutes in rows]


def hours_for(mentor: User, period: Period) -> Hours:
    """The mentor's volunteering in the period, by kind."""
    return tally(volunteering_entries(mentor.school_id, mentor.id, period), period)


# --- certificates --------------------------------------------------------------------------------

def has_volunteered(student: User) -> bool:
    """A student who is a mentor now (or paused), or who holds a certificate from mentoring before."""
    accepted = select(MentorProfile.id).where(
        MentorProfile.school_id == student.school_id, MentorProfile.user_id == student.id,
        MentorProfile.status.in_(ACCEPTED))
    certified = select(Certificate.id).where(Certificate.school_id == student.school_id,
                                             Certificate.mentor_id == student.id)
    return db.session.scalar(select(accepted.exists() | certified.exists())) or False


ISSUED_ALREADY = "This mentor has a certificate for this period already (under Certificates issued): choose another."


def issue_certificate(profile: MentorProfile, counselor: User, period_from: date | None, period_to: date | None,
                      citation: str, today: date) -> Certificate:
    """A certificate of the mentor's volunteering over the period, with the hours counted now. A mentor
    has one certificate per period: a second one (the form sent twice, or by two counselors at once)
    is refused, and nothing of it is written."""
    if profile.status not in ACCEPTED:
        raise CertificateError("period_from", "Only an accepted mentor's volunteering can be certified.")
    period = checked_period(period_from, period_to, today)
    citation = " ".join((citation or "").split())
    if len(citation) > MAX_CITATION:
        raise CertificateError("citation", f"Keep the citation to one line of at most {MAX_CITATION} characters.")
    hours = hours_for(profile.user, period)
    if hours.total_minutes == 0:
        raise CertificateError("period_from", "No volunteering is recorded in this period: choose another.")
    certificate = Certificate(
        school_id=profile.school_id, mentor_id=profile.user_id, issued_by_id=counselor.id, issued_on=today,
        period_from=period.start, period_to=period.end, checkin_minutes=hours.checkin_minutes,
        training_minutes=hours.training_minutes, supervision_minutes=hours.supervision_minutes, citation=citation)
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # the unique (school, mentor, period): issued a moment ago, or before
        raise CertificateError("period_from", ISSUED_ALREADY) from None
    return certificate


NEW_CERTIFICATE = Prompt("A new certificate of your volunteering is ready to download. Thank you!",
                         "recognition.volunteering")


def new_certificates(school_id, mentor_id, since) -> Select:
    """The mentor's certificates issued since `since` (`new_since`): the home page offers them to download."""
    return select(Certificate.id).where(
        Certificate.school_id == school_id, Certificate.mentor_id == mentor_id, Certificate.issued_on >= since)


def new_since(today: date) -> date:
    """The first issue day of a certificate still new today."""
    return today - NEW_CERTIFICATE_SHOWN


def certificate_hours(certificate: Certificate) -> Hours:
    return Hours(certificate.checkin_minutes, certificate.training_minutes, certificate.supervision_minutes)


def certificates_of(school_id: int, mentor_id: int) -> list[Certificate]:
    """The mentor's certificates, newest first."""
    return list(db.session.scalars(
        select(Certificate).options(joinedload(Certificate.issued_by))
        .where(Certificate.school_id == school_id, Certificate.mentor_id == mentor_id)
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())))


# --- the PDF -------------------------------------------------------------------------------------

def _printable(text: str) -> str:
    """Text the PDF's built-in fonts can print: Latin-1 kept as it is, anything else in its closest
    Latin letters (so that every name prints, whatever its script)."""
    return "".join(ch if ord(ch) < 256 else anyascii(ch) for ch in text)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def render_pdf(certificate: Certificate, school: School) -> bytes:
    """The certificate on one A4 page: the school, the mentor, the period, the hours by kind and
    their total, the citation, who issued it and when."""
    hours = certificate_hours(certificate)
    mentor = certificate.mentor
    issuer = certificate.issued_by
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)  # the text stays well inside the frame drawn 10 to 13 mm from the edge
    pdf.set_title(_printable(f"Certificate of volunteering: {mentor.display_name}"))
    pdf.set_author(_printable(school.name))
    pdf.add_page()
    pdf.set_draw_color(40, 90, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 190, 277)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 184, 271)

    def line(text: str, size: float, style: str = "", height: float = 10, gap: float = 0) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height, _printable(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if gap:
            pdf.ln(gap)

    pdf.set_y(32)
    pdf.set_text_color(40, 90, 140)
    line(school.name, 16, "B", gap=6)
    line("Certificate of volunteering", 28, "B", height=14, gap=10)
    pdf.set_text_color(30, 30, 30)
    line("This certifies that", 13)
    line(mentor.display_name, 24, "B", height=14, gap=2)
    line(f"volunteered as a trained peer mentor from {_day(certificate.period_from)} "
         f"to {_day(certificate.period_to)}, giving their time to:", 13, height=7, gap=8)

    pdf.set_font("Helvetica", "", 13)
    left, label_w, value_w = 40, 80, 50
    for label, minutes in hours.by_kind():
        pdf.set_x(left)
        pdf.cell(label_w, 10, _printable(label), border="B")
        pdf.cell(value_w, 10, hours_text(minutes), border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 13)
    pdf.set_x(left)
    pdf.cell(label_w, 11, f"In all ({decimal_hours(hours.total_minutes)} hours)")
    pdf.cell(value_w, 11, hours_text(hours.total_minutes), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)

    if certificate.citation:
        pdf.set_x(30)
        pdf.set_font("Helvetica", "I", 13)
        pdf.multi_cell(150, 7, _printable(f"\u201c{certificate.citation}\u201d"), align="C",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(8)

    pdf.set_y(max(pdf.get_y() + 4, 235))  # at the foot, below a long citation or name
    issued_by = (f"Issued by {issuer.display_name}, school counselor" if issuer is not None
                 else "Issued by the school's counselors")
    line(issued_by, 12, height=7)
    line(f"{school.name}, {_day(certificate.issued_on)}", 12, height=7)
    pdf.set_text_color(110, 110, 110)
    line(f"Certificate no. {certificate.id}", 9, height=6)
    return bytes(pdf.output())
