"""THE event catalogue: one strict class per event type, named ``<noun>.<past verb>``.

Each class says in its docstring what happened and who receives it, and declares its ``audience``
and whether it is ``persisted`` (stored in the room's log with a ``seq``) or ephemeral (no ``seq``,
never stored). Only registered classes can be appended to the log, published or sent to a socket;
``docs/realtime.md`` is generated from this module (``python -m app.realtime.docs``).

Rule: a persisted event goes to the whole room. Every socket of a room sees the same gapless ``seq``
stream, so a narrower audience (facilitators, the actor) is only allowed for ephemeral events.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Audience(StrEnum):
    room = "room"  # every socket in the room
    facilitators = "facilitators"  # sockets whose actor may manage the room's object
    actor = "actor"  # the sockets of the person who caused the event


class Event(BaseModel):
    """Base of every event: strict (unknown fields are an error) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    type: ClassVar[str]
    audience: ClassVar[Audience] = Audience.room
    persisted: ClassVar[bool] = True

    def payload(self) -> dict[str, Any]:
        """The ``data`` of the frame: the model as JSON-ready values."""
        return self.model_dump(mode="json")


CATALOGUE: dict[str, type[Event]] = {}
E = TypeVar("E", bound=type[Event])


def register(cls: E) -> E:
    """Add ``cls`` to the catalogue (a class decorator); refuses what the rules above forbid."""
    name = cls.__dict__.get("type")
    if not isinstance(name, str) or "." not in name:
        raise TypeError(f"{cls.__name__} needs a type named '<noun>.<past verb>'")
    if name in CATALOGUE and CATALOGUE[name] is not cls:
        raise TypeError(f"event type {name!r} is registered twice")
    if cls.persisted and cls.audience is not Audience.room:
        raise TypeError(f"{name}: a persisted event goes to the whole room (make it ephemeral)")
    if not (cls.__doc__ or "").strip():
        raise TypeError(f"{name}: say in a docstring what happened and who receives it")
    CATALOGUE[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a type (tests that register a probe event use this to clean up)."""
    CATALOGUE.pop(name, None)


def check_registered(event: Event) -> type[Event]:
    """The class of ``event`` if it is the registered one for its type; else TypeError."""
    cls = type(event)
    if CATALOGUE.get(getattr(cls, "type", "")) is not cls:
        raise TypeError(f"{cls.__name__} is not a registered event type")
    return cls


# --- ideas -------------------------------------------------------------------------------------


class Part(BaseModel):
    """A nested part of an event payload (strict, like the events)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class IdeaState(Part):
    """An idea as everyone in the room may see it. ``hidden``: a facilitator hid it, with
    ``hidden_reason`` — its title, body and author name are then empty. ``merged_into_id``: a
    duplicate merged into that idea. ``status``: new, go-on, parked or rejected (with
    ``decision_note``). ``author_id``/``author_name`` are empty in anonymous mode. Built by
    ``app.services.ideas.public_idea`` only."""

    id: int
    project_id: int
    phase_id: int
    meeting_id: int | None
    agenda_item_id: int | None
    author_id: int | None
    author_name: str
    title: str
    body: str
    status: str
    group_heading: str
    created_at: datetime
    decision_note: str
    decided_at: datetime | None
    merged_into_id: int | None
    hidden: bool
    hidden_reason: str


class IdeaStateEvent(Event, IdeaState):
    """The full public state of one idea (the fields of ``IdeaState``)."""


@register
class IdeaCreated(IdeaStateEvent):
    """Someone submitted an idea in the meeting (from a phone, the console or a form).
    Sent to everyone in the meeting's room; the payload is the whole idea."""

    type: ClassVar[str] = "idea.created"


# --- presence ----------------------------------------------------------------------------------


class PresentPerson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: int | None = Field(description="user id; null for an anonymous connection")
    name: str


@register
class PresenceChanged(Event):
    """Who is in the room now, across every app process: ``count`` people (a person with two tabs
    counts once) and the first 100 of them by name. Sent to the room at most once a second (every 5 s
    in rooms of more than 100 people), and to a socket right after it joins; never stored."""

    type: ClassVar[str] = "presence.changed"
    persisted: ClassVar[bool] = False

    count: int
    people: list[PresentPerson]


import app.realtime.events_live  # noqa: E402,F401
from app.realtime import events_process  # noqa: E402,F401
