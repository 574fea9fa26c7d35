"""Pages for accounts: log in, sign up, log out, forgotten password, reset, accepting a staff invite,
the login link for people without a password, and the account page."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from app import i18n
from app.errors import DomainError, InvalidInput, RateLimited
from app.i18n import N_
from app.mail import Mail, mailer_of
from app.models import User
from app.services import accounts
from app.services.inputs import (
    AcceptStaffInviteInput,
    ChangePasswordInput,
    ForgotPasswordInput,
    LoginInput,
    LoginLinkInput,
    NewPasswordInput,
    ProfileInput,
    SignUpInput,
    parse,
)
from app.web import session as web_session
from app.web.forms import (
    SECRET_FIELDS,
    actor_or_login,
    client_ip,
    form_errors,
    kept_values,
    perform,
    read,
    read_form,
    safe_next,
    see_other,
)
from app.web.middleware import LANG_COOKIE_AGE
from app.web.ratelimit import limiter
from app.web.session import current_actor, flash
from app.web.templating import gettext, locale_of, render

LOGIN_WINDOW = 15 * 60
LOGIN_LIMIT_EMAIL, LOGIN_LIMIT_IP = 5, 20  # failed attempts in LOGIN_WINDOW seconds
RESET_LIMIT, RESET_WINDOW = 10, 60 * 60  # reset mails asked for, per IP
LINK_LIMIT_IP, LINK_LIMIT_EMAIL = 10, 5  # login-link mails asked for in RESET_WINDOW, per IP and per address
ACCOUNT_SECRETS = SECRET_FIELDS | {"email_password", "current_password", "new_password", "new_password_confirm"}


async def login(request: Request) -> Response:
    actor = await current_actor(request)
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if not actor.is_anonymous:
            return see_other(next_url)
        return render(request, "auth/login.html", {"next": next_url})
    data = await read_form(request)
    next_url = safe_next(data.get("next"))
    context = {"next": next_url, "values": kept_values(data)}
    by_email = limiter(request.app, "login-email", limit=LOGIN_LIMIT_EMAIL, window=LOGIN_WINDOW)
    by_ip = limiter(request.app, "login-ip", limit=LOGIN_LIMIT_IP, window=LOGIN_WINDOW)
    ip_key, email_key = client_ip(request), data.get("email", "").strip().lower()
    try:
        inputs = parse(LoginInput, data)
        if by_email.blocked(email_key) or by_ip.blocked(ip_key):
            raise RateLimited(N_("Too many attempts to log in. Wait 15 minutes and try again, "
                                 "or reset your password."))
        user = await perform(request, accounts.log_in, actor, inputs=inputs)
    except accounts.WrongCredentials as exc:
        by_email.hit(email_key)
        by_ip.hit(ip_key)
        return render(request, "auth/login.html", {**context, **form_errors(request, exc)}, status_code=exc.status)
    except DomainError as exc:
        return render(request, "auth/login.html", {**context, **form_errors(request, exc)}, status_code=exc.status)
    by_email.reset(email_key)
    web_session.log_in(request, user.id)  # type: ignore[arg-type]
    return remember_language(request, see_other(next_url), user.locale)


def remember_language(request: Request, response: Response, locale: str | None) -> Response:
    """Set the language cookie to a person's chosen language (no change when they chose none)."""
    code = i18n.normalise(locale)
    if code:
        response.set_cookie(i18n.LANG_COOKIE, code, max_age=LANG_COOKIE_AGE, path="/", samesite="lax",
                            secure=request.app.state.settings.cookie_secure)
    return response


async def logout(request: Request) -> Response:
    web_session.log_out(request)
    flash(request, gettext(request, N_("You are logged out.")))
    return see_other("/")


async def signup(request: Request) -> Response:
    actor = await current_actor(request)
    if request.method == "GET":
        return render(request, "auth/signup.html")
    data = await read_form(request)
    try:
        user = await perform(request, accounts.sign_up, actor, inputs=parse(SignUpInput, data))
    except DomainError as exc:
        return render(request, "auth/signup.html", {"values": kept_values(data), **form_errors(request, exc)},
                      status_code=exc.status)
    web_session.log_in(request, user.id)  # type: ignore[arg-type]
    flash(request, gettext(request, N_("Welcome to GoDialog, %(name)s! Your organisation is ready."),
                           name=user.display_name), "success")
    return see_other("/dashboard")


async def forgot_password(request: Request) -> Response:
    actor = await current_actor(request)
    if request.method == "GET":
        return render(request, "auth/forgot.html")
    data = await read_form(request)
    limits = limiter(request.app, "reset", limit=RESET_LIMIT, window=RESET_WINDOW)
    ip_key = f"ip:{client_ip(request)}"
    try:
        inputs = parse(ForgotPasswordInput, data)
        if limits.blocked(ip_key):
            raise RateLimited()
        limits.hit(ip_key)
        ticket = await perform(request, accounts.request_password_reset, actor, inputs=inputs)
    except DomainError as exc:
        return render(request, "auth/forgot.html", {"values": kept_values(data), **form_errors(request, exc)},
                      status_code=exc.status)
    if ticket is not None:
        await mailer_of(request.app).send(_reset_mail(request, ticket))
    return render(request, "auth/forgot_sent.html", {"email": inputs.email})


def _reset_mail(request: Request, ticket: accounts.ResetTicket) -> Mail:
    locale = i18n.normalise(ticket.locale) or locale_of(request)
    link = f"{request.app.state.settings.base_url.rstrip('/')}/password/reset/{ticket.token}"
    subject = i18n.gettext(locale, N_("Reset your GoDialog password"))
    body = i18n.gettext(locale, N_(
        "Hello %(name)s,\n\nSomeone (we hope you) asked to reset your password for GoDialog. "
        "Open this link within an hour to choose a new one:\n\n%(link)s\n\n"
        "The link works once. If you did not ask for it, you can ignore this mail."),
        name=ticket.display_name, link=link)
    return Mail(to=ticket.email, subject=subject, body=body)


async def reset_password(request: Request) -> Response:
    actor = await current_actor(request)
    token = request.path_params["token"]
    try:
        if request.method == "GET":
            await read(request, accounts.valid_reset, token)
            return render(request, "auth/reset.html", {"token": token})
        data = await read_form(request)
        try:
            user = await perform(request, accounts.reset_password, actor, token,
                                 inputs=parse(NewPasswordInput, data))
        except InvalidInput as exc:
            return render(request, "auth/reset.html", {"token": token, **form_errors(request, exc)},
                          status_code=exc.status)
    except accounts.LinkInvalid as exc:
        return render(request, "auth/reset_invalid.html", {"message": i18n.error_message(locale_of(request), exc)},
                      status_code=exc.status)
    web_session.log_in(request, user.id)  # type: ignore[arg-type]
    flash(request, gettext(request, N_("Your password is changed. You are logged in.")), "success")
    return see_other("/dashboard")


async def accept_staff_invite(request: Request) -> Response:
    actor = await current_actor(request)
    token = request.path_params["token"]
    try:
        invite = await read(request, accounts.staff_invite_view, token)
        context = {"token": token, "invite": invite[0], "org": invite[1]}
        if request.method == "GET":
            return render(request, "auth/staff_invite.html", context)
        data = await read_form(request)
        try:
            inputs = None if not actor.is_anonymous else parse(AcceptStaffInviteInput, data)
            user = await perform(request, accounts.accept_staff_invite, actor, token, inputs=inputs)
        except InvalidInput as exc:
            return render(request, "auth/staff_invite.html",
                          {**context, "values": kept_values(data), **form_errors(request, exc)},
                          status_code=exc.status)
    except accounts.LinkInvalid as exc:
        return render(request, "auth/reset_invalid.html",
                      {"message": i18n.error_message(locale_of(request), exc), "staff_invite": True},
                      status_code=exc.status)
    if actor.is_anonymous:
        web_session.log_in(request, user.id)  # type: ignore[arg-type]
    flash(request, gettext(request, N_("You have joined %(org)s."), org=context["org"].name), "success")
    return see_other("/dashboard")



async def login_link(request: Request) -> Response:
    """Ask for a login link by e-mail: the same answer whether or not the address has an account."""
    actor = await current_actor(request)
    if request.method == "GET":
        if not actor.is_anonymous:
            return see_other("/dashboard")
        return render(request, "auth/login_link.html")
    data = await read_form(request)
    by_ip = limiter(request.app, "login-link-ip", limit=LINK_LIMIT_IP, window=RESET_WINDOW)
    by_email = limiter(request.app, "login-link-email", limit=LINK_LIMIT_EMAIL, window=RESET_WINDOW)
    try:
        inputs = parse(LoginLinkInput, data)
        ip_key, email_key = client_ip(request), inputs.email
        if by_ip.blocked(ip_key) or by_email.blocked(email_key):
            raise RateLimited()
        by_ip.hit(ip_key)
        by_email.hit(email_key)
        ticket = await perform(request, accounts.request_login_link, actor, inputs=inputs)
    except DomainError as exc:
        return render(request, "auth/login_link.html", {"values": kept_values(data), **form_errors(request, exc)},
                      status_code=exc.status)
    # Sent after the response, so answering does not take longer when the address is known.
    background = BackgroundTask(mailer_of(request.app).send, _login_link_mail(request, ticket)) if ticket else None
    response = render(request, "auth/login_link_sent.html", {"email": inputs.email})
    response.background = background
    return response


def _login_link_mail(request: Request, ticket: accounts.LoginLinkTicket) -> Mail:
    locale = i18n.normalise(ticket.locale) or locale_of(request)
    base = request.app.state.settings.base_url.rstrip("/")
    if ticket.token is None:
        subject = i18n.gettext(locale, N_("Log in to GoDialog"))
        body = i18n.gettext(locale, N_(
            "Hello %(name)s,\n\nSomeone (we hope you) asked for a login link for GoDialog. Your account "
            "has a password, so log in with your e-mail and password here:\n\n%(login)s\n\n"
            "Forgot your password? Choose a new one here:\n\n%(forgot)s\n\n"
            "If you did not ask, you can ignore this mail."),
            name=ticket.display_name, login=f"{base}/login", forgot=f"{base}/password/forgot")
        return Mail(to=ticket.email, subject=subject, body=body)
    link = f"{base}/login/link/{ticket.token}"
    subject = i18n.gettext(locale, N_("Your login link for GoDialog"))
    body = i18n.gettext(locale, N_(
        "Hello %(name)s,\n\nOpen this link within 30 minutes to log in to GoDialog:\n\n%(link)s\n\n"
        "The link works once. If you did not ask for it, you can ignore this mail."),
        name=ticket.display_name, link=link)
    return Mail(to=ticket.email, subject=subject, body=body)


async def use_login_link(request: Request) -> Response:
    """Opening a login link logs the person in and goes to their projects."""
    actor = await current_actor(request)
    try:
        user = await perform(request, accounts.use_login_link, actor, request.path_params["token"])
    except accounts.LinkInvalid as exc:
        return render(request, "auth/reset_invalid.html",
                      {"message": i18n.error_message(locale_of(request), exc), "login_link": True},
                      status_code=exc.status)
    web_session.log_in(request, user.id)  # type: ignore[arg-type]
    locale = i18n.normalise(user.locale) or locale_of(request)
    flash(request, i18n.gettext(locale, N_("Welcome back, %(name)s. You are logged in."), name=user.display_name),
          "success")
    return remember_language(request, see_other("/dashboard"), user.locale)


def _account_values(user: User) -> dict[str, str]:
    return {"display_name": user.display_name, "email": user.email or "",
            "locale": i18n.normalise(user.locale) or ""}


async def account(request: Request) -> Response:
    """The account page: name, e-mail and language for everyone; the password for those who have one."""
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    user = await read(request, accounts.account_user, actor)
    values = _account_values(user)
    values["locale"] = values["locale"] or locale_of(request)
    context = {"user": user, "has_password": bool(user.password_hash), "values": values, "form": ""}
    if request.method == "GET":
        return render(request, "account/account.html", context)
    data = await read_form(request)
    form = data.get("form")
    try:
        if form == "password":
            await perform(request, accounts.change_password, actor, inputs=parse(ChangePasswordInput, data))
            flash(request, gettext(request, N_("Your password is changed.")), "success")
            return see_other("/account")
        changed = await perform(request, accounts.update_profile, actor, inputs=parse(ProfileInput, data))
    except DomainError as exc:
        if form != "password":
            values = {**values, **kept_values(data, ACCOUNT_SECRETS)}
        return render(request, "account/account.html",
                      {**context, "values": values, "form": "password" if form == "password" else "profile",
                       **form_errors(request, exc)}, status_code=exc.status)
    locale = i18n.normalise(changed.locale) or locale_of(request)
    if changed.email and changed.email != user.email and not changed.password_hash:
        message = N_("Saved. You can now log in again on any phone with a link we e-mail to %(email)s.")
    else:
        message = N_("Your details are saved.")
    flash(request, i18n.gettext(locale, message, email=changed.email or ""), "success")
    return remember_language(request, see_other("/account"), changed.locale)
