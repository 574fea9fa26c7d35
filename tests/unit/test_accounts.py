"""Account services on SQLite and PostgreSQL: sign up, log in, reset by a single-use expiring link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.errors import Forbidden, InvalidInput
from app.models import LoginLink, Organisation, OrgMembership, PasswordReset, StaffInvite, User
from app.services import accounts
from app.services.actor import ANONYMOUS, load_actor
from app.services.inputs import (
    AcceptStaffInviteInput,
    ChangePasswordInput,
    ForgotPasswordInput,
    LoginInput,
    LoginLinkInput,
    NewPasswordInput,
    ProfileInput,
    SignUpInput,
)
from app.services.passwords import verify_password
from tests.conftest import count
from tests.factories import make_org
from tests.unit.webapp import PASSWORD, staff_user


def test_sign_up_creates_the_user_and_their_organisation_as_admin(session):
    user = accounts.sign_up(session, ANONYMOUS, inputs=SignUpInput(
        display_name="Mette", email="Mette@Example.dk", password="a long password", organisation="Københavns Kommune"))
    assert user.email == "mette@example.dk" and not user.is_guest
    assert verify_password(user.password_hash, "a long password")
    membership = session.exec(select(OrgMembership).where(OrgMembership.user_id == user.id)).one()
    assert membership.role == "admin"
    assert session.get(Organisation, membership.org_id).slug == "kobenhavns-kommune"


def test_sign_up_with_a_taken_email_is_a_field_error(session):
    staff_user(session, email="mette@godialog.dk")
    with pytest.raises(InvalidInput) as caught:
        accounts.sign_up(session, ANONYMOUS, inputs=SignUpInput(
            display_name="M", email="mette@godialog.dk", password="a long password", organisation="Org"))
    assert "email" in caught.value.fields
    assert count(session, Organisation) == 0


def test_log_in_checks_the_password(session):
    user = staff_user(session)
    assert accounts.log_in(session, ANONYMOUS, inputs=LoginInput(email="METTE@godialog.dk", password=PASSWORD)) == user
    with pytest.raises(accounts.WrongCredentials):
        accounts.log_in(session, ANONYMOUS, inputs=LoginInput(email="mette@godialog.dk", password="wrong"))
    with pytest.raises(accounts.WrongCredentials):
        accounts.log_in(session, ANONYMOUS, inputs=LoginInput(email="nobody@godialog.dk", password=PASSWORD))


def test_a_guest_without_password_cannot_log_in(session):
    guest = User(display_name="Ali", email="ali@example.dk", is_guest=True)
    session.add(guest)
    session.flush()
    with pytest.raises(accounts.WrongCredentials):
        accounts.log_in(session, ANONYMOUS, inputs=LoginInput(email="ali@example.dk", password="anything"))


def test_reset_stores_only_a_hash_and_works_once(session):
    user = staff_user(session)
    ticket = accounts.request_password_reset(session, ANONYMOUS, inputs=ForgotPasswordInput(email=user.email))
    assert ticket is not None
    stored = session.exec(select(PasswordReset)).one()
    assert stored.token_hash != ticket.token and stored.token_hash == accounts.token_hash(ticket.token)
    accounts.reset_password(session, ANONYMOUS, ticket.token,
                            inputs=NewPasswordInput(password="brand new pw", password_confirm="brand new pw"))
    assert verify_password(user.password_hash, "brand new pw")
    with pytest.raises(accounts.LinkInvalid):
        accounts.reset_password(session, ANONYMOUS, ticket.token,
                                inputs=NewPasswordInput(password="another pw", password_confirm="another pw"))


def test_an_expired_reset_link_is_refused(session):
    user = staff_user(session)
    past = datetime.now(UTC) - timedelta(hours=2)
    ticket = accounts.request_password_reset(session, ANONYMOUS, inputs=ForgotPasswordInput(email=user.email),
                                             now=past)
    with pytest.raises(accounts.LinkInvalid):
        accounts.valid_reset(session, ticket.token)
    old_hash = user.password_hash
    with pytest.raises(accounts.LinkInvalid):
        accounts.reset_password(session, ANONYMOUS, ticket.token,
                                inputs=NewPasswordInput(password="brand new pw", password_confirm="brand new pw"))
    assert user.password_hash == old_hash


def test_a_new_password_uses_up_every_open_link(session):
    user = staff_user(session)
    first = accounts.request_password_reset(session, ANONYMOUS, inputs=ForgotPasswordInput(email=user.email))
    second = accounts.request_password_reset(session, ANONYMOUS, inputs=ForgotPasswordInput(email=user.email))
    accounts.reset_password(session, ANONYMOUS, second.token,
                            inputs=NewPasswordInput(password="brand new pw", password_confirm="brand new pw"))
    with pytest.raises(accounts.LinkInvalid):
        accounts.valid_reset(session, first.token)


def test_reset_for_an_unknown_email_gives_nothing(session):
    assert accounts.request_password_reset(session, ANONYMOUS,
                                           inputs=ForgotPasswordInput(email="nobody@example.dk")) is None
    assert count(session, PasswordReset) == 0


def test_accepting_a_staff_invite_creates_the_account_once(session):
    admin = staff_user(session)
    org = make_org(session, admin=admin)
    token, digest = accounts.new_token()
    session.add(StaffInvite(org_id=org.id, email="sofie@kk.dk", token_hash=digest, invited_by_id=admin.id))
    session.flush()
    user = accounts.accept_staff_invite(session, ANONYMOUS, token,
                                        inputs=AcceptStaffInviteInput(display_name="Sofie", password="long enough"))
    assert user.email == "sofie@kk.dk"
    assert session.exec(select(OrgMembership).where(OrgMembership.user_id == user.id)).one().role == "staff"
    with pytest.raises(accounts.LinkInvalid):
        accounts.accept_staff_invite(session, ANONYMOUS, token,
                                     inputs=AcceptStaffInviteInput(display_name="Sofie", password="long enough"))


def _guest(session, email: str | None = "ali@example.dk") -> User:
    guest = User(display_name="Ali", email=email, is_guest=True)
    session.add(guest)
    session.flush()
    return guest


def _link(session, email: str = "ali@example.dk", **kwargs) -> accounts.LoginLinkTicket:
    ticket = accounts.request_login_link(session, ANONYMOUS, inputs=LoginLinkInput(email=email), **kwargs)
    assert ticket is not None
    return ticket


def test_a_login_link_stores_only_a_hash_and_works_once(session):
    guest = _guest(session)
    ticket = _link(session, "ALI@example.dk")
    stored = session.exec(select(LoginLink)).one()
    assert stored.token_hash == accounts.token_hash(ticket.token) != ticket.token
    assert stored.expires_at - stored.created_at <= accounts.LOGIN_LINK_VALID_FOR + timedelta(seconds=1)
    assert accounts.use_login_link(session, ANONYMOUS, ticket.token) == guest
    with pytest.raises(accounts.LinkInvalid):
        accounts.use_login_link(session, ANONYMOUS, ticket.token)


def test_using_a_login_link_uses_up_the_others(session):
    _guest(session)
    first, second = _link(session), _link(session)
    accounts.use_login_link(session, ANONYMOUS, second.token)
    with pytest.raises(accounts.LinkInvalid):
        accounts.use_login_link(session, ANONYMOUS, first.token)


def test_an_expired_login_link_is_refused(session):
    _guest(session)
    ticket = _link(session, now=datetime.now(UTC) - accounts.LOGIN_LINK_VALID_FOR - timedelta(seconds=1))
    with pytest.raises(accounts.LinkInvalid):
        accounts.use_login_link(session, ANONYMOUS, ticket.token)
    with pytest.raises(accounts.LinkInvalid):
        accounts.use_login_link(session, ANONYMOUS, "not-a-token")


def test_no_login_link_for_an_unknown_address_nor_for_an_account_with_a_password(session):
    staff_user(session)
    assert accounts.request_login_link(session, ANONYMOUS, inputs=LoginLinkInput(email="nobody@example.dk")) is None
    ticket = _link(session, "mette@godialog.dk")
    assert ticket.token is None  # the mail says to use the password instead
    assert count(session, LoginLink) == 0


def test_a_guest_adds_changes_and_removes_an_email(session):
    guest = _guest(session, email=None)
    actor = load_actor(session, guest.id)
    accounts.update_profile(session, actor, inputs=ProfileInput(display_name="Ali H", email="Ali@Example.dk",
                                                                locale="en"))
    assert (guest.display_name, guest.email, guest.locale) == ("Ali H", "ali@example.dk", "en")
    old = _link(session)
    accounts.update_profile(session, actor, inputs=ProfileInput(display_name="Ali H", email="ali@home.dk"))
    assert guest.email == "ali@home.dk"
    with pytest.raises(accounts.LinkInvalid):  # a link mailed to the old address is used up
        accounts.use_login_link(session, ANONYMOUS, old.token)
    accounts.update_profile(session, actor, inputs=ProfileInput(display_name="Ali H", email=""))
    assert guest.email is None


def test_a_taken_email_is_a_field_error(session):
    staff_user(session)
    guest = _guest(session, email=None)
    with pytest.raises(InvalidInput) as caught:
        accounts.update_profile(session, load_actor(session, guest.id),
                                inputs=ProfileInput(display_name="Ali", email="mette@godialog.dk"))
    assert caught.value.fields["email"] == accounts.EMAIL_IN_USE


def test_changing_a_password_needs_the_current_one_and_uses_up_open_resets(session):
    user = staff_user(session)
    actor = load_actor(session, user.id)
    reset = accounts.request_password_reset(session, ANONYMOUS, inputs=ForgotPasswordInput(email=user.email))
    with pytest.raises(InvalidInput) as caught:
        accounts.change_password(session, actor, inputs=ChangePasswordInput(
            current_password="wrong", new_password="brand new pw", new_password_confirm="brand new pw"))
    assert "current_password" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        accounts.change_password(session, actor, inputs=ChangePasswordInput(
            current_password=PASSWORD, new_password="brand new pw", new_password_confirm="other pw!"))
    assert "new_password_confirm" in caught.value.fields
    assert verify_password(user.password_hash, PASSWORD)
    accounts.change_password(session, actor, inputs=ChangePasswordInput(
        current_password=PASSWORD, new_password="brand new pw", new_password_confirm="brand new pw"))
    assert verify_password(user.password_hash, "brand new pw")
    with pytest.raises(accounts.LinkInvalid):
        accounts.valid_reset(session, reset.token)


def test_a_guest_has_no_password_to_change(session):
    guest = _guest(session)
    with pytest.raises(Forbidden):
        accounts.change_password(session, load_actor(session, guest.id), inputs=ChangePasswordInput(
            current_password="x", new_password="brand new pw", new_password_confirm="brand new pw"))
