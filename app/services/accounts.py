"""Accounts: sign up, log in, password reset by an e-mailed single-use link, accepting a staff invite,
a passwordless login link (for guests who added an e-mail), and the account page (name, e-mail,
language, password).

Services never commit and never send mail: a function that needs a mail sent returns what the
caller should send once the unit of work has committed. Only hashes of tokens are stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from app.errors import DomainError, Forbidden, InvalidInput, NotAuthenticated
from app.i18n import N_
from app.models import LoginLink, Organisation, OrgMembership, PasswordReset, StaffInvite, User
from app.services.actor import Actor
from app.services.inputs import (
    AcceptStaffInviteInput,
    ChangePasswordInput,
    FieldMessage,
    ForgotPasswordInput,
    LoginInput,
    LoginLinkInput,
    NewPasswordInput,
    ProfileInput,
    SignUpInput,
)
from app.services.passwords import hash_password, needs_rehash, verify_password

RESET_VALID_FOR = timedelta(hours=1)
LOGIN_LINK_VALID_FOR = timedelta(minutes=30)
STAFF_INVITE_VALID_FOR = timedelta(days=14)
# A valid Argon2 hash of a random password: checking it costs the same as checking a real one,
# so a wrong e-mail answers as slowly as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class WrongCredentials(DomainError):
    code = "wrong_credentials"
    status = 400
    default_message = N_("The e-mail or the password is not right. Check them and try again, "
                         "or reset your password.")


class LinkInvalid(DomainError):
    code = "link_invalid"
    status = 410
    default_message = N_("This link has expired or has already been used.")


EMAIL_TAKEN = N_("An account with this e-mail already exists. Log in, or reset your password.")
EMAIL_IN_USE = N_("Another account already uses this e-mail. Use another address.")
WRONG_PASSWORD = N_("The password is not right.")


def new_token() -> tuple[str, str]:
    """A fresh random token and the hash that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def _slug(session: Session, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(str.maketrans("æøå", "eoa")))[:60]
    base = base.strip("-") or "org"
    slug, n = base, 1
    while session.exec(select(Organisation.id).where(Organisation.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def sign_up(session: Session, actor: Actor, *, inputs: SignUpInput) -> User:
    """A new staff account and its organisation, of which it is the admin."""
    if user_by_email(session, inputs.email) is not None:
        raise InvalidInput(fields={"email": FieldMessage(EMAIL_TAKEN)})
    user = User(display_name=inputs.display_name, email=inputs.email,
                password_hash=hash_password(inputs.password))
    org = Organisation(name=inputs.organisation, slug=_slug(session, inputs.organisation))
    session.add(user)
    session.add(org)
    session.flush()
    session.add(OrgMembership(org_id=org.id, user_id=user.id, role="admin"))  # type: ignore[arg-type]
    session.flush()
    return user


def log_in(session: Session, actor: Actor, *, inputs: LoginInput) -> User:
    """The user with this e-mail and password, else WrongCredentials (which changes nothing)."""
    user = user_by_email(session, inputs.email)
    if user is None or user.erased_at is not None or not user.password_hash:
        verify_password(_DUMMY_HASH, inputs.password)
        raise WrongCredentials()
    if not verify_password(user.password_hash, inputs.password):
        raise WrongCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(inputs.password)
        session.add(user)
    return user


@dataclass(frozen=True)
class ResetTicket:
    """What the caller mails after commit: the raw token exists only here and in the mail."""

    email: str
    display_name: str
    token: str
    locale: str | None


def request_password_reset(session: Session, actor: Actor, *, inputs: ForgotPasswordInput,
                           now: datetime | None = None) -> ResetTicket | None:
    """A reset for the account with this e-mail; None when there is none (the page says the same)."""
    user = user_by_email(session, inputs.email)
    if user is None or user.erased_at is not None or user.email is None:
        return None
    token, digest = new_token()
    session.add(PasswordReset(user_id=user.id, token_hash=digest,  # type: ignore[arg-type]
                              expires_at=_now(now) + RESET_VALID_FOR))
    session.flush()
    return ResetTicket(email=user.email, display_name=user.display_name, token=token, locale=user.locale)


def valid_reset(session: Session, token: str, *, now: datetime | None = None) -> PasswordReset:
    """The unused, unexpired reset for ``token``, else LinkInvalid."""
    reset = session.exec(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= _now(now):
        raise LinkInvalid()
    return reset


def reset_password(session: Session, actor: Actor, token: str, *, inputs: NewPasswordInput,
                   now: datetime | None = None) -> User:
    """Set a new password by a reset link, which (with every other open link) is then used up."""
    reset = valid_reset(session, token, now=now)
    if inputs.password != inputs.password_confirm:
        raise InvalidInput(fields={"password_confirm": FieldMessage(N_("The two passwords are not the same."))})
    user = session.get(User, reset.user_id)
    if user is None or user.erased_at is not None:
        raise LinkInvalid()
    user.password_hash = hash_password(inputs.password)
    session.add(user)
    open_resets = session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                           PasswordReset.used_at.is_(None)))  # type: ignore[union-attr]
    for other in open_resets:
        other.used_at = _now(now)
        session.add(other)
    session.flush()
    return user


def valid_staff_invite(session: Session, token: str, *, now: datetime | None = None) -> StaffInvite:
    invite = session.exec(select(StaffInvite).where(StaffInvite.token_hash == token_hash(token))).first()
    if invite is None or invite.used_at is not None or invite.created_at + STAFF_INVITE_VALID_FOR <= _now(now):
        raise LinkInvalid()
    return invite


def staff_invite_view(session: Session, token: str) -> tuple[StaffInvite, Organisation]:
    """The open staff invite for ``token`` and its organisation (LinkInvalid when it does not work)."""
    invite = valid_staff_invite(session, token)
    org = session.get(Organisation, invite.org_id)
    if org is None:
        raise LinkInvalid()
    return invite, org


def accept_staff_invite(session: Session, actor: Actor, token: str, *,
                        inputs: AcceptStaffInviteInput | None = None, now: datetime | None = None) -> User:
    """Join the inviting organisation: the logged-in person, or a new account for the invited e-mail."""
    invite = valid_staff_invite(session, token, now=now)
    if actor.user_id is not None:
        user = session.get(User, actor.user_id)
    else:
        if inputs is None:
            raise InvalidInput()
        if user_by_email(session, invite.email) is not None:
            raise InvalidInput(N_("An account with this e-mail already exists. Log in first, "
                                  "then open the link again."), code="log_in_first")
        user = User(display_name=inputs.display_name, email=invite.email,
                    password_hash=hash_password(inputs.password))
        session.add(user)
        session.flush()
    assert user is not None and user.id is not None
    membership = session.exec(select(OrgMembership).where(OrgMembership.org_id == invite.org_id,
                                                          OrgMembership.user_id == user.id)).first()
    if membership is None:
        session.add(OrgMembership(org_id=invite.org_id, user_id=user.id, role=invite.role))
    elif invite.role == "admin" and membership.role != "admin":
        membership.role = "admin"
        session.add(membership)
    invite.used_at = _now(now)
    session.add(invite)
    session.flush()
    return user


# --- Login by an e-mailed link (people without a password) -----------------------------------------


@dataclass(frozen=True)
class LoginLinkTicket:
    """What the caller mails after commit. ``token`` is None when the account has a password: the
    mail then says to log in with it (or reset it) rather than carrying a way round it."""

    email: str
    display_name: str
    token: str | None
    locale: str | None


def request_login_link(session: Session, actor: Actor, *, inputs: LoginLinkInput,
                       now: datetime | None = None) -> LoginLinkTicket | None:
    """A login link for the account with this e-mail; None when there is none (the page says the same)."""
    user = user_by_email(session, inputs.email)
    if user is None or user.erased_at is not None or user.email is None:
        return None
    if user.password_hash:
        return LoginLinkTicket(email=user.email, display_name=user.display_name, token=None, locale=user.locale)
    token, digest = new_token()
    session.add(LoginLink(user_id=user.id, token_hash=digest,  # type: ignore[arg-type]
                          expires_at=_now(now) + LOGIN_LINK_VALID_FOR))
    session.flush()
    return LoginLinkTicket(email=user.email, display_name=user.display_name, token=token, locale=user.locale)


def use_login_link(session: Session, actor: Actor, token: str, *, now: datetime | None = None) -> User:
    """The person a login link is for; the link (and every other open one of theirs) is used up.

    Claimed by one conditional UPDATE, so two clicks racing each other cannot both log in.
    """
    moment = _now(now)
    claimed = session.execute(
        update(LoginLink)
        .where(col(LoginLink.token_hash) == token_hash(token), col(LoginLink.used_at).is_(None),
               col(LoginLink.expires_at) > moment)
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise LinkInvalid()
    link = session.exec(select(LoginLink).where(LoginLink.token_hash == token_hash(token))).one()
    user = session.get(User, link.user_id)
    if user is None or user.erased_at is not None or user.password_hash:
        raise LinkInvalid()
    session.execute(
        update(LoginLink)
        .where(col(LoginLink.user_id) == user.id, col(LoginLink.used_at).is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return user


# --- The account page ---------------------------------------------------------------------------


def account_user(session: Session, actor: Actor) -> User:
    """The logged-in person's own row (NotAuthenticated for the anonymous or erased)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or user.erased_at is not None:
        raise NotAuthenticated()
    return user


def update_profile(session: Session, actor: Actor, *, inputs: ProfileInput) -> User:
    """Change one's name, e-mail and language. A guest may add, change or remove an e-mail; a person
    with a password logs in with theirs, so it stays, and changing it needs the password."""
    user = account_user(session, actor)
    email = inputs.email or None
    if email != user.email:
        if user.password_hash:
            if email is None:
                raise InvalidInput(fields={"email": FieldMessage(N_(
                    "You log in with your e-mail, so it cannot be removed."))})
            if not inputs.email_password:
                raise InvalidInput(fields={"email_password": FieldMessage(N_(
                    "Type your password to change your e-mail."))})
            if not verify_password(user.password_hash, inputs.email_password):
                raise InvalidInput(fields={"email_password": FieldMessage(WRONG_PASSWORD)})
        if email is not None and user_by_email(session, email) is not None:
            raise InvalidInput(fields={"email": FieldMessage(EMAIL_IN_USE)})
    email_changed = email != user.email
    user.email = email
    user.display_name = inputs.display_name
    user.locale = inputs.locale
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # someone took the address between the check and now
        raise InvalidInput(fields={"email": FieldMessage(EMAIL_IN_USE)}) from None
    if email_changed:  # a link mailed to the old address must not log anyone in any more
        _use_up_links(session, user, _now(None))
    return user


def change_password(session: Session, actor: Actor, *, inputs: ChangePasswordInput) -> User:
    """A new password for someone who has one; the current one is required."""
    user = account_user(session, actor)
    if not user.password_hash:
        raise Forbidden()
    if not verify_password(user.password_hash, inputs.current_password):
        raise InvalidInput(fields={"current_password": FieldMessage(WRONG_PASSWORD)})
    if inputs.new_password != inputs.new_password_confirm:
        raise InvalidInput(fields={"new_password_confirm": FieldMessage(N_("The two passwords are not the same."))})
    user.password_hash = hash_password(inputs.new_password)
    session.add(user)
    _use_up_links(session, user, _now(None))
    session.flush()
    return user


def _use_up_links(session: Session, user: User, moment: datetime) -> None:
    for table in (PasswordReset, LoginLink):
        session.execute(
            update(table)
            .where(col(table.user_id) == user.id, col(table.used_at).is_(None))
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        )
