"""The event catalogue: strict classes, only registered types travel, the frame format, the docs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from pydantic import ValidationError

from app.realtime import docs
from app.realtime.envelope import Envelope
from app.realtime.events import CATALOGUE, Audience, Event, IdeaCreated, PresenceChanged, register, unregister

IDEA = dict(id=1, project_id=2, phase_id=3, meeting_id=4, agenda_item_id=None, author_id=5, author_name="Mette",
            title="Flere bænke", body="", status="new", group_heading="", created_at=datetime(2026, 5, 1, tzinfo=UTC),
            decision_note="", decided_at=None, merged_into_id=None, hidden=False, hidden_reason="")


def test_events_are_strict_an_unknown_or_mistyped_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        IdeaCreated(**IDEA, colour="red")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        IdeaCreated(**{**IDEA, "id": "1"})  # type: ignore[arg-type]


def test_only_a_registered_type_can_be_sent() -> None:
    class Unlisted(Event):
        """Not in the catalogue."""

        type: ClassVar[str] = "thing.happened"

    with pytest.raises(TypeError):
        Envelope.build("meeting:1", Unlisted(), seq=1)


def test_the_catalogue_refuses_what_its_rules_forbid() -> None:
    class Secret(Event):
        """Stored, but only for facilitators: forbidden (the seq stream is shared by the room)."""

        type: ClassVar[str] = "secret.kept"
        audience: ClassVar[Audience] = Audience.facilitators

    class Undocumented(Event):
        type: ClassVar[str] = "thing.undocumented"

    class Twin(Event):
        """Another class for an existing type."""

        type: ClassVar[str] = "idea.created"

    for cls in (Secret, Undocumented, Twin):
        with pytest.raises(TypeError):
            register(cls)
    assert CATALOGUE["idea.created"] is IdeaCreated


def test_an_ephemeral_type_may_have_a_narrow_audience() -> None:
    @register
    class Whisper(Event):
        """Only for facilitators, never stored."""

        type: ClassVar[str] = "test.whispered"
        audience: ClassVar[Audience] = Audience.facilitators
        persisted: ClassVar[bool] = False

    try:
        env = Envelope.build("meeting:1", Whisper(), seq=None)
        assert env.audience == "facilitators" and env.seq is None
        with pytest.raises(TypeError):
            Envelope.build("meeting:1", Whisper(), seq=3)  # ephemeral events carry no seq
    finally:
        unregister("test.whispered")


def test_the_frame_has_the_contract_keys_in_order_and_survives_the_broker() -> None:
    env = Envelope.build("meeting:4", IdeaCreated(**IDEA), seq=42, actor_id=5)  # type: ignore[arg-type]
    frame = json.loads(env.frame)
    assert list(frame) == ["type", "room", "seq", "at", "data"]
    assert frame["data"]["title"] == "Flere bænke" and "Flere bænke" in env.frame  # UTF-8, not escaped
    again = Envelope.from_broker(json.loads(env.to_broker()))
    assert (again.frame, again.seq, again.audience, again.actor_id) == (env.frame, 42, "room", 5)
    presence = json.loads(Envelope.build("meeting:4", PresenceChanged(count=0, people=[]), seq=None).frame)
    assert list(presence) == ["type", "room", "at", "data"]


def test_docs_realtime_md_is_generated_from_the_catalogue() -> None:
    assert docs.PATH.exists() and docs.PATH.read_text() == docs.render(), (
        "docs/realtime.md is out of date: run `python -m app.realtime.docs`")
    text = docs.PATH.read_text()
    for name in CATALOGUE:
        assert f"`{name}`" in text
