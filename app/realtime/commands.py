"""Client -> server commands: one strict model per command type, and the service that handles it.

A command is ``{"type": "idea.submit", "id": "<client-made id>", "data": {...}}``, named
imperatively (``<noun>.<verb>``). The model checks the shape only; the service validates the
content (its InvalidInput is the same for a form and a socket). ``execute`` runs inside the
command's unit of work and writes a receipt keyed by (actor, client id) in the same transaction:
a resend returns the first answer and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app.db import pending_events
from app.models import CommandReceipt
from app.services import ideas
from app.services.actor import Actor

CLIENT_ID_MAX = 64


class CommandData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class IdeaSubmit(CommandData):
    title: str = Field(max_length=ideas.TITLE_MAX * 2)
    body: str = Field(default="", max_length=ideas.BODY_MAX * 2)


Handler = Callable[[Session, Actor, int, Any], object]


@dataclass(frozen=True)
class Command:
    type: str
    model: type[CommandData]
    handler: Handler
    service: str  # the service function, for the docs
    rooms: tuple[str, ...]  # the room kinds it can be sent in; the room's id is the target
    doc: str
    concurrent: bool = False  # may run beside the same socket's other concurrent commands (order free)


def _submit_idea(session: Session, actor: Actor, meeting_id: int, data: IdeaSubmit) -> object:
    return ideas.submit_idea(session, actor, meeting_id, title=data.title, body=data.body)


COMMANDS: dict[str, Command] = {c.type: c for c in [
    Command("idea.submit", IdeaSubmit, _submit_idea, "app.services.ideas.submit_idea", ("meeting",),
            "Propose an idea in the meeting. Needs the propose right in the meeting's (active) phase. "
            "Answers with the seq of its idea.created.", concurrent=True),
]}


def execute(session: Session, actor: Actor, room: str, client_id: str, command: Command,
            data: CommandData) -> dict[str, Any]:
    """Run ``command`` once for (actor, client id); return the ack (the stored one on a resend)."""
    receipt = session.get(CommandReceipt, (actor.key, client_id))
    if receipt is not None:
        return receipt.response
    command.handler(session, actor, int(room.partition(":")[2]), data)
    seqs = [env.seq for env in pending_events(session) if env.room == room and env.seq is not None]
    response: dict[str, Any] = {"type": "ack", "id": client_id, "seq": max(seqs) if seqs else None}
    session.add(CommandReceipt(actor_key=actor.key, client_id=client_id, response=response))
    session.flush()
    return response


def stored_ack(session: Session, actor_key: str, client_id: str) -> dict[str, Any] | None:
    """The receipt written by a concurrent twin of this command, if it committed."""
    receipt = session.get(CommandReceipt, (actor_key, client_id))
    return receipt.response if receipt is not None else None
import app.realtime.commands_live  # noqa: E402,F401
from app.realtime import commands_process  # noqa: E402,F401
