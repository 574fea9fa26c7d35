"""Write ``docs/realtime.md`` from the catalogue: ``python -m app.realtime.docs`` (``--check`` exits
non-zero when the file is out of date). A test fails when the file drifts from the code."""

from __future__ import annotations

import inspect
import sys
import types
from datetime import datetime
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from app.realtime.commands import COMMANDS
from app.realtime.events import CATALOGUE
from app.realtime.protocol import ERROR_CODES
from app.realtime.socket import CLOSE_CODES
from app.settings import ROOT

PATH = ROOT / "docs" / "realtime.md"

INTRO = """\
# Real-time protocol

Generated from `app/realtime/` by `python -m app.realtime.docs`; do not edit by hand.

## Connecting

Open `ws(s)://<host>/ws/<room>?since=<last seq seen>`. Rooms are `meeting:<id>` (the live room) and
`project:<id>` (the activity feed). The socket is authenticated by the session cookie, or by
`?token=` (signed, for the projector screen and guests). A browser's `Origin` must be this site.
`hello` carries a `ticket`: send it back as `?ticket=` when reconnecting to the same room (within
`WS_TICKET_SECONDS`, as the same person) and the server admits the socket without the database.

1. The server subscribes to the room, then replays every stored event after `since` (none when
   `since` is absent), in `seq` order, then sends `hello` with the `seq` the socket is now at, then
   streams live events. No event is lost or doubled between replay and live.
2. If `since` is older than the log keeps (or newer than the room has), the server sends `resync`
   first: reload the room's state, then go on from `hello`.
3. `heartbeat` frames (every `WS_HEARTBEAT_SECONDS`, randomised +-25%) carry the room's last `seq`:
   a client that has seen less has missed something and reconnects with `since`.

Persisted events carry `seq` (per room, gapless, in commit order): apply them in order, ignore a
`seq` already applied. Ephemeral events carry no `seq`.

## Frames from the server

| type | fields | when |
|---|---|---|
| *event* | `type`, `room`, `seq` (persisted only), `at`, `data` | see "Events" |
| `hello` | `room`, `seq`, `ticket` | once, after the replay |
| `heartbeat` | `seq` | at randomised intervals |
| `resync` | `room`, `seq` | `since` could not be served from the log |
| `ack` | `id`, `seq` | a command was done (the same answer again for a resend of the same `id`) |
| `error` | `id`, `code`, `message`, (`fields`) | a command was refused; the socket stays open |

## Commands from the client

`{"type": "<noun>.<verb>", "id": "<client-made id, 1-64 chars>", "data": {...}}`. Each command
is one transaction; a receipt keyed by (person, `id`) makes a resend (after a reconnect, from
another tab or process) return the first `ack` and change nothing. Keep unsent commands and resend
them with the same `id`.
"""


def type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(type_name(a) for a in get_args(annotation)).replace("NoneType", "null")
    if origin is list:
        return f"list of {type_name(get_args(annotation)[0])}"
    if annotation is datetime:
        return "time (ISO 8601)"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def fields_table(model: type[BaseModel]) -> list[str]:
    lines = ["| field | type |", "|---|---|"]
    lines += [f"| `{name}` | {type_name(field.annotation)} |" for name, field in model.model_fields.items()]
    nested = {a for f in model.model_fields.values() for a in get_args(f.annotation)
              if inspect.isclass(a) and issubclass(a, BaseModel)}
    for sub in sorted(nested, key=lambda m: m.__name__):
        lines += ["", f"`{sub.__name__}`:", "", *fields_table(sub)]
    return lines


def render() -> str:
    out = [INTRO, "## Commands", "", "A socket runs its commands one by one, in order; those marked *beside* "
           "may also run next to each other (up to `WS_COMMANDS_IN_FLIGHT`), so their acks can come in "
           "another order.", "", "| type | in rooms | runs | handled by | what it does |", "|---|---|---|---|---|"]
    for c in COMMANDS.values():
        runs = "beside" if c.concurrent else "in order"
        out.append(f"| `{c.type}` | {', '.join(c.rooms)} | {runs} | `{c.service}` | {c.doc} |")
    for c in COMMANDS.values():
        out += ["", f"### `{c.type}`", "", *fields_table(c.model)]
    out += ["", "## Events", "", "| type | audience | stored | what happened |", "|---|---|---|---|"]
    for name, cls in CATALOGUE.items():
        doc = " ".join(inspect.cleandoc(cls.__doc__ or "").split())
        out.append(f"| `{name}` | {cls.audience.value} | {'yes' if cls.persisted else 'no (ephemeral)'} | {doc} |")
    for name, cls in CATALOGUE.items():
        out += ["", f"### `{name}`", "", *fields_table(cls)]
    out += ["", "## Error codes", "", "| code | meaning |", "|---|---|"]
    out += [f"| `{code}` | {text} |" for code, text in ERROR_CODES.items()]
    out += ["", "## Close codes", "", "| code | meaning |", "|---|---|"]
    out += [f"| {code} | {text} |" for code, text in CLOSE_CODES.items()]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PATH.read_text() if PATH.exists() else ""
        if current != text:
            print(f"{PATH} is out of date: run python -m app.realtime.docs", file=sys.stderr)
            return 1
        return 0
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(text)
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
