"""Input models of the co-creation process (phases, meetings, agenda, comments, materials), with
their length limits. Shared by forms, JSON and socket commands.

Text fields go through ``app.services.text.clean`` (plain text, line breaks kept); titles through
``one_line``. A rule that fails raises a ``Problem`` naming the English message to show, which
``parse`` turns into a translated field error (``FieldMessage``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from app.errors import InvalidInput
from app.i18n import N_, TIMEZONE
from app.services.inputs import FieldMessage, Input
from app.services.inputs import _message as base_message
from app.services.text import clean, one_line

M = TypeVar("M", bound=BaseModel)

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
GOAL_MAX = 2000
REASON_MAX = 2000
ANSWER_MAX = 2000
CONCLUSION_MAX = 3000
COMMENT_MAX = 4000
HIDE_REASON_MAX = 300
PLACE_MAX = 300
URL_MAX = 500
MATERIAL_URL_MAX = 1000
MINUTES_MAX = 600

REQUIRED = N_("This field is required.")
TOO_LONG = N_("Use at most %(max)s characters.")


def problem(msgid: str, **params: object) -> PydanticCustomError:
    """A failed rule: ``msgid`` (English, translated when shown) with its ``%(name)s`` params."""
    return PydanticCustomError("gd_problem", "{msgid}", {"msgid": msgid, "params": params})


def _text(max_length: int, *, required: bool, single_line: bool, empty: str = REQUIRED) -> Any:
    def check(value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise problem(N_("Please check this field."))
        value = one_line(value) if single_line else clean(value)
        if required and not value:
            raise problem(empty)
        if len(value) > max_length:
            raise problem(TOO_LONG, max=max_length)
        return value
    return Annotated[str, BeforeValidator(check)]


def Line(max_length: int = TITLE_MAX, *, required: bool = True, empty: str = REQUIRED) -> Any:
    """One line of plain text (titles, names, places)."""
    return _text(max_length, required=required, single_line=True, empty=empty)


def Plain(max_length: int, *, required: bool = False, empty: str = REQUIRED) -> Any:
    """Plain text with line breaks (descriptions, comments)."""
    return _text(max_length, required=required, single_line=False, empty=empty)


def _web_address(value: str, *, max_length: int = URL_MAX) -> str:
    value = value.strip()
    if not value:
        return ""
    if len(value) > max_length:
        raise problem(TOO_LONG, max=max_length)
    if "://" not in value and value.lower().startswith("www."):
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        raise problem(N_("Enter a web address that starts with https://"))
    return value


def Url(max_length: int = URL_MAX, *, required: bool = False) -> Any:
    def check(value: Any) -> str:
        value = _web_address(value if isinstance(value, str) else "", max_length=max_length)
        if required and not value:
            raise problem(REQUIRED)
        return value
    return Annotated[str, BeforeValidator(check)]


def _optional_int(low: int, high: int, msgid: str) -> Any:
    def check(value: Any) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            raise problem(msgid, min=low, max=high) from None
        if not low <= number <= high:
            raise problem(msgid, min=low, max=high)
        return number
    return Annotated[int | None, BeforeValidator(check)]


def _optional_id(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise problem(N_("Choose one of the options.")) from None
    if number <= 0:
        raise problem(N_("Choose one of the options."))
    return number


OptionalId = Annotated[int | None, BeforeValidator(_optional_id)]
Minutes = _optional_int(1, MINUTES_MAX, N_("Write the minutes as a whole number from %(min)s to %(max)s."))


def _optional_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise problem(N_("Write the date like 2026-03-31.")) from None


def _optional_time(value: Any) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise problem(N_("Write the time like 17:30.")) from None


OptionalDate = Annotated[date | None, BeforeValidator(_optional_date)]
OptionalTime = Annotated[time | None, BeforeValidator(_optional_time)]


def local_to_utc(day: date, at: time) -> datetime:
    """A Copenhagen wall-clock date and time as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=TIMEZONE).astimezone(UTC)


# --- phases ------------------------------------------------------------------------------------


class PhaseInput(Input):
    title: Line()
    goal: Plain(GOAL_MAX) = ""
    starts_on: OptionalDate = None
    ends_on: OptionalDate = None


class CircleInput(Input):
    user_id: OptionalId = None
    role: Annotated[str, AfterValidator(lambda v: _choice(v, ("participant", "facilitator")))] = "participant"


class AdvanceInput(Input):
    """Close the current phase and start the next; ``carry`` are the participants who go along."""

    carry: tuple[int, ...] = ()


# --- meetings and agenda --------------------------------------------------------------------------


class MeetingInput(Input):
    kind: Annotated[str, AfterValidator(lambda v: _choice(v, ("dialogue", "workshop", "lab")))] = "dialogue"
    title: Line()
    day: Annotated[date | None, BeforeValidator(_optional_date)] = None
    starts: OptionalTime = None
    ends: OptionalTime = None
    place: Line(PLACE_MAX, required=False) = ""
    online_url: Url() = ""


class AgendaItemInput(Input):
    title: Line(empty=N_("Give the item a short title."))
    description: Plain(DESCRIPTION_MAX) = ""
    planned_minutes: Minutes = None


class ProposalInput(Input):
    title: Line(empty=N_("Give the item a short title."))
    description: Plain(DESCRIPTION_MAX) = ""
    reason: Plain(REASON_MAX, required=True, empty=N_("Say in a few words why the item should be on the agenda."))


class AcceptInput(Input):
    answer: Plain(ANSWER_MAX) = ""
    planned_minutes: Minutes = None


class AnswerInput(Input):
    answer: Plain(ANSWER_MAX, required=True, empty=N_("Write an answer to the person who proposed the item."))


class ConclusionInput(Input):
    conclusion: Plain(CONCLUSION_MAX) = ""


class MoveInput(Input):
    direction: Annotated[str, AfterValidator(lambda v: _choice(v, ("up", "down")))]


class OrderInput(Input):
    order: tuple[int, ...]


class CarryOverInput(Input):
    to_meeting_id: OptionalId = None
    item_ids: tuple[int, ...] = ()


# --- comments ----------------------------------------------------------------------------------


class CommentInput(Input):
    body: Plain(COMMENT_MAX, required=True, empty=N_("Write your comment first."))


class HideInput(Input):
    reason: Line(HIDE_REASON_MAX, empty=N_("Say briefly why the comment is hidden; everyone sees the reason."))


# --- materials ---------------------------------------------------------------------------------


class MaterialInput(Input):
    """Where a file or link goes: the project (``meeting_id`` and ``agenda_item_id`` empty), a
    meeting, or an agenda item. ``url`` only for links."""

    title: Line(required=False) = ""
    url: Url(MATERIAL_URL_MAX) = ""
    meeting_id: OptionalId = None
    agenda_item_id: OptionalId = None


class MaterialFilter(Input):
    phase_id: OptionalId = None
    meeting_id: OptionalId = None
    kind: Literal["", "link", "image", "pdf", "document"] = ""
    q: Line(100, required=False) = ""


class TimelineFilter(Input):
    phase_id: OptionalId = None
    meeting_id: OptionalId = None
    kind: Literal["", "agenda", "proposal", "comment", "material", "idea", "decision", "vote", "agreement"] = ""
    person_id: OptionalId = None


def _choice(value: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise problem(N_("Choose one of the options."))
    return value


def _field_message(error: Mapping[str, Any]) -> FieldMessage:
    if error["type"] == "gd_problem":
        ctx = error.get("ctx") or {}
        return FieldMessage(ctx.get("msgid", N_("Please check this field.")), **(ctx.get("params") or {}))
    if error["type"] in ("literal_error", "int_parsing", "int_type", "tuple_type"):
        return FieldMessage(N_("Choose one of the options."))
    return base_message(error)


def ids(values: list[str]) -> tuple[int, ...]:
    """Whole numbers from a form's repeated field (anything else is dropped)."""
    return tuple(int(v) for v in values if isinstance(v, str) and v.strip().isdigit())


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """``model`` from form/JSON data; InvalidInput with one translated-at-render message per field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "__all__"
            fields.setdefault(name, _field_message(error))
        raise InvalidInput(fields=fields) from None
