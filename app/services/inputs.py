"""Input models shared by forms, JSON and socket commands, with their length limits.

``parse(Model, data)`` turns a form or JSON body into a model, or raises InvalidInput whose field
messages are English source strings (``FieldMessage``) translated when they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from app.errors import InvalidInput
from app.i18n import N_

M = TypeVar("M", bound=BaseModel)

NAME_MAX = 80
EMAIL_MAX = 254
PASSWORD_MIN = 8
PASSWORD_MAX = 200
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
ORG_NAME_MAX = 200
PHASES_MAX = 10

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FieldMessage(str):
    """A field error: the English msgid, with the params to fill in after translation."""

    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> FieldMessage:
        obj = super().__new__(cls, msgid)
        obj.params = params
        return obj


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise PydanticCustomError("email", "invalid e-mail")
    return value.lower()


def _optional_email(value: str) -> str:
    return _email(value) if value.strip() else ""


def _phase_titles(value: str) -> str:
    titles = [line.strip() for line in value.splitlines() if line.strip()]
    if len(titles) > PHASES_MAX:
        raise PydanticCustomError("too_many_phases", "too many phases", {"max": PHASES_MAX})
    if any(len(t) > TITLE_MAX for t in titles):
        raise PydanticCustomError("string_too_long", "too long", {"max_length": TITLE_MAX})
    return "\n".join(titles)


def Text(max_length: int, *, required: bool = True) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1 if required else 0,
                                            max_length=max_length)]


Email = Annotated[str, StringConstraints(min_length=1, max_length=EMAIL_MAX), AfterValidator(_email)]
OptionalEmail = Annotated[str, StringConstraints(max_length=EMAIL_MAX), AfterValidator(_optional_email)]
Password = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]


class Input(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LoginInput(Input):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX)]


class SignUpInput(Input):
    display_name: Text(NAME_MAX)
    email: Email
    password: Password
    organisation: Text(ORG_NAME_MAX)


class ForgotPasswordInput(Input):
    email: Email


class NewPasswordInput(Input):
    password: Password
    password_confirm: Annotated[str, StringConstraints(max_length=PASSWORD_MAX)] = ""


class LoginLinkInput(Input):
    email: Email


Locale = Annotated[str, StringConstraints(pattern="^(da|en)$")]
OptionalPassword = Annotated[str, StringConstraints(max_length=PASSWORD_MAX)]


class ProfileInput(Input):
    """The account page: name, e-mail (optional for guests), language; staff confirm an e-mail change
    with their password."""

    display_name: Text(NAME_MAX)
    email: OptionalEmail = ""
    locale: Locale = "da"
    email_password: OptionalPassword = ""


class ChangePasswordInput(Input):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX)]
    new_password: Password
    new_password_confirm: OptionalPassword = ""


class AcceptStaffInviteInput(Input):
    display_name: Text(NAME_MAX)
    password: Password


class ProjectInput(Input):
    title: Text(TITLE_MAX)
    description: Text(DESCRIPTION_MAX, required=False) = ""
    phases: Annotated[str, StringConstraints(max_length=PHASES_MAX * (TITLE_MAX + 2)),
                      AfterValidator(_phase_titles)] = ""


class StaffInviteInput(Input):
    email: Email
    role: Annotated[str, StringConstraints(pattern="^(staff|admin)$")] = "staff"


class InviteLinkInput(Input):
    phase_id: int | None = None


class JoinInput(Input):
    display_name: Text(NAME_MAX)
    email: OptionalEmail = ""


MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("Use at most %(max)s characters."),
    "email": N_("Enter a valid e-mail address, like name@example.dk."),
    "too_many_phases": N_("Use at most %(max)s phases."),
    "string_pattern_mismatch": N_("Choose one of the options."),
    "int_parsing": N_("Choose one of the options."),
}
PASSWORD_SHORT = N_("Use at least %(min)s characters.")


def _message(error: Mapping[str, Any]) -> FieldMessage:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing" or (isinstance(error.get("input"), str) and not error["input"].strip()):
        return FieldMessage(MESSAGES["missing"])
    if kind == "string_too_short" and ctx.get("min_length", 1) > 1:
        return FieldMessage(PASSWORD_SHORT, min=ctx["min_length"])
    if kind == "string_too_long":
        return FieldMessage(MESSAGES[kind], max=ctx.get("max_length"))
    if kind == "too_many_phases":
        return FieldMessage(MESSAGES[kind], max=ctx.get("max"))
    return FieldMessage(MESSAGES.get(kind, N_("Please check this field.")))


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """``model`` from form/JSON data; InvalidInput with one message per wrong field."""
    clean = {k: v for k, v in data.items() if v is not None}
    if clean.get("phase_id") == "":
        clean.pop("phase_id")
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "__all__"
            fields.setdefault(name, _message(error))
        raise InvalidInput(fields=fields) from None
