"""A second person for the changes that would let an admin read what only counselors read.

Admins may not read check-in notes or concerns. Three changes would let one reach them through
another account: granting the counselor role; resetting a counselor's or admin's two-factor sign-in
(and then taking the account over); a setup link for an account that already has a password. Each
waits as an `AccountApproval` until an active counselor of the school approves it: not the admin
who asked, not the account's owner. The owner is told when it is asked and when it is decided.

A counselor's account is only ever set up through a link a counselor hands over: a setup link for
a counselor needs approval even before a password exists, and granting the role clears the
account's password and phone and gives the approver a new link.

The designated safeguarding lead approves as a counselor. A lead who is staff does not: admins
choose the lead, and could choose an account of their own.

Plain functions that flush; callers commit, then send the notices.
"""
from __future__ import annotations

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts import services, two_factor
from schoolpeers.accounts.models import AccountApproval, ApprovalStatus, User
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

WHAT = {  # what the change does, as a heading
    "grant_counselor": "Make {name} a counselor, who can read check-in notes and concerns",
    "reset_two_factor": "Reset the two-factor sign-in of {name}, so that a new phone can be set up",
    "setup_link": "Make a new setup link for {name}, to choose a new password with",
}
APPROVER_ROLE = "counselor"


class ApprovalError(services.AccountError):
    """A decision that cannot be taken; the message says why."""


def needed(kind: str, user: User, *, role: str | None = None) -> bool:
    """Whether this change to this account waits for a second person."""
    if kind == "grant_counselor":
        return role == "counselor" and user.role != "counselor"
    if kind == "reset_two_factor":
        return user.role in ("counselor", "admin") and two_factor.is_enrolled(user)
    if kind == "setup_link":  # it would replace someone's password, or set up a counselor's account
        becoming_counselor = user.role == "counselor" or pending(user, "grant_counselor") is not None
        return user.password_hash is not None or becoming_counselor
    raise ValueError(f"Unknown approval kind: {kind}")


def describe(approval: AccountApproval) -> str:
    return WHAT[approval.kind].format(name=approval.user.display_name)


def ask(kind: str, user: User, requested_by: User | None) -> AccountApproval:
    """The open request for this change, made now unless one is already waiting."""
    services.refuse_if_erased(user)
    if waiting := pending(user, kind):
        return waiting
    approval = AccountApproval(school_id=user.school_id, kind=kind, user_id=user.id,
                               requested_by_id=requested_by.id if requested_by else None)
    try:
        with db.session.begin_nested():  # two admins asking at once: the database keeps one
            db.session.add(approval)
    except IntegrityError:
        return pending(user, kind)
    return approval


def pending(user: User, kind: str) -> AccountApproval | None:
    return db.session.scalar(select(AccountApproval).where(
        AccountApproval.school_id == user.school_id, AccountApproval.user_id == user.id,
        AccountApproval.kind == kind, AccountApproval.status == ApprovalStatus.PENDING))


def pending_in_school(school_id: int, user: User | None = None) -> list[AccountApproval]:
    query = select(AccountApproval).where(AccountApproval.school_id == school_id,
                                          AccountApproval.status == ApprovalStatus.PENDING)
    if user is not None:
        query = query.where(AccountApproval.user_id == user.id)
    return list(db.session.scalars(query.order_by(AccountApproval.requested_at, AccountApproval.id)))


def pending_count_query(school_id: int) -> Select:
    return select(func.count()).select_from(AccountApproval).where(
        AccountApproval.school_id == school_id, AccountApproval.status == ApprovalStatus.PENDING)


def why_not_approver(person: User, approval: AccountApproval) -> str | None:
    """None when this person may decide the request; otherwise why not, to show them."""
    if person.role != APPROVER_ROLE or not person.active or person.school_id != approval.school_id:
        return "Only a counselor of the school can decide this."
    if person.id == approval.requested_by_id:
        return "You asked for this: another counselor decides."
    if person.id == approval.user_id:
        return "This is about your own account: another counselor decides."
    return None


def approvers(approval: AccountApproval) -> list[User]:
    candidates = db.session.scalars(select(User).where(
        User.school_id == approval.school_id, User.role == APPROVER_ROLE, User.active.is_(True)))
    return [person for person in candidates if why_not_approver(person, approval) is None]


def decide(approval: AccountApproval, person: User, *, approve: bool, secret_key: str) -> str | None:
    """Approve (and carry out) or refuse a request; the setup link's token to hand over, when the
    approval made one. Decided once: a second decision, even sent at the same moment, is refused by
    a compare-and-set on the status."""
    if reason := why_not_approver(person, approval):
        raise ApprovalError(reason)
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    claimed = db.session.execute(update(AccountApproval).where(
        AccountApproval.id == approval.id, AccountApproval.status == ApprovalStatus.PENDING)
        .values(status=status, decided_by_id=person.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise ApprovalError("This request was already decided.")
    db.session.refresh(approval)
    return _carry_out(approval, person, secret_key) if approve else None


def _carry_out(approval: AccountApproval, approver: User, secret_key: str) -> str | None:
    user = approval.user
    if approval.kind == "grant_counselor":
        services.change_role(user, "counselor", acting_user=approver)
        # Whoever chose the password or phone so far may have been the admin who asked: the new
        # counselor sets both up again, through the link the approver hands over.
        user.password_hash = None
        two_factor.turn_off(user)  # also ends every session of the account
        return services.issue_setup_link_token(user, secret_key)
    if approval.kind == "reset_two_factor":
        services.refuse_if_erased(user)
        two_factor.turn_off(user)
        return None
    return services.issue_setup_link_token(user, secret_key)


# Mail carries no name (schoolpeers/mail.py): the owner reads "your account", anyone else "an account".
CHANGE = {
    "grant_counselor": "give {whose} account the counselor role",
    "reset_two_factor": "reset the two-factor sign-in of {whose} account",
    "setup_link": "make a new setup link for {whose} account, to choose a new password with",
}
Notice = tuple[list[str], str, str]  # recipients, subject, body


def _change(approval: AccountApproval, whose: str) -> str:
    return CHANGE[approval.kind].format(whose=whose)


def notices_of_request(approval: AccountApproval, sign_in_url: str) -> list[Notice]:
    """The owner is told a change was asked for; the counselors who may approve it, that it waits."""
    school = approval.user.school.name
    owner = (f"An admin of {school} asked to {_change(approval, 'your')}.\n\nNothing changes until a "
             "counselor approves it. If you did not expect this, tell your school's safeguarding lead.\n")
    others = (f"An admin of {school} asked to {_change(approval, 'an')}. It waits for a counselor's "
              f"approval.\n\nPlease sign in to decide:\n{sign_in_url}\n")
    return [([approval.user.email], "A change to your account was asked for", owner),
            ([p.email for p in approvers(approval)], "An account change is waiting for your approval", others)]


def notices_of_decision(approval: AccountApproval) -> list[Notice]:
    """The owner and the admin who asked are told what was decided."""
    verdict = "approved and carried out" if approval.status == ApprovalStatus.APPROVED else "refused: nothing changed"
    asked_by = approval.requested_by.email if approval.requested_by else None
    return [([approval.user.email], f"A change to your account was {approval.status}",
             f"The request to {_change(approval, 'your')} was {verdict}.\n"),
            ([asked_by], f"Account change {approval.status}",
             f"Your request to {_change(approval, 'an')} was {verdict}.\n")]
