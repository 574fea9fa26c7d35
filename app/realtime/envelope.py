"""The wire form of an event: the client frame, encoded once, plus what the hub needs to route it.

Frame (what a socket receives; key order is part of the contract — ``type`` first, ``data`` last)::

    {"type": "idea.created", "room": "meeting:7", "seq": 42, "at": "...", "data": {...}}

Ephemeral frames have no ``seq``. Between processes the broker carries ``Envelope.to_broker()``:
the routing fields and the already-encoded frame, so no process encodes an event twice.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from app.realtime.events import Audience, Event, check_registered


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 kept as is: every frame is made with this."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Envelope:
    """One event ready to route: ``frame`` is the exact text every socket receives."""

    __slots__ = ("actor_id", "audience", "frame", "room", "seq", "type")

    def __init__(self, *, room: str, type: str, seq: int | None, frame: str,
                 audience: str = Audience.room.value, actor_id: int | None = None) -> None:
        self.room = room
        self.type = type
        self.seq = seq
        self.frame = frame
        self.audience = audience
        self.actor_id = actor_id

    @classmethod
    def build(cls, room: str, event: Event, *, seq: int | None, at: datetime | None = None,
              actor_id: int | None = None) -> Envelope:
        """The envelope of a registered ``event`` (``seq`` None for an ephemeral one)."""
        kind = check_registered(event)
        if kind.persisted != (seq is not None):
            raise TypeError(f"{kind.type}: a persisted event needs a seq, an ephemeral one none")
        return cls.from_data(room, kind.type, seq, event.payload(), at or datetime.now(UTC),
                             audience=kind.audience.value, actor_id=actor_id)

    @classmethod
    def from_data(cls, room: str, type: str, seq: int | None, data: dict[str, Any], at: datetime,
                  *, audience: str = Audience.room.value, actor_id: int | None = None) -> Envelope:
        head: dict[str, Any] = {"type": type, "room": room}
        if seq is not None:
            head["seq"] = seq
        head["at"] = at.isoformat()
        head["data"] = data
        return cls(room=room, type=type, seq=seq, frame=dumps(head), audience=audience, actor_id=actor_id)

    def to_broker(self) -> str:
        return dumps({"room": self.room, "type": self.type, "seq": self.seq, "aud": self.audience,
                      "actor": self.actor_id, "frame": self.frame})

    @classmethod
    def from_broker(cls, message: dict[str, Any]) -> Envelope:
        return cls(room=message["room"], type=message["type"], seq=message["seq"], frame=message["frame"],
                   audience=message["aud"], actor_id=message["actor"])

    def __repr__(self) -> str:
        return f"<Envelope {self.type} {self.room} seq={self.seq}>"


def control(type: str, **fields: Any) -> str:
    """A control frame (hello, heartbeat, resync, ack, error): not an event, never stored."""
    return dumps({"type": type, **fields})
