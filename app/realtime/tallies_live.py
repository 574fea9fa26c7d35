"""Coalesced aggregates of the live room: vote tallies and reaction counts.

A ballot's ``ballot.recorded`` (and a reaction's ``reaction.sent``) is published by the process
that ran the command; a hook registered in ``runtime.AFTER_PUBLISH`` then marks the vote (or the
room) in this process's ``LiveAggregates``. Its Coalescers send the room at most ``TALLY_RATE``
tallies a second per vote — each the full tally, read fresh from the database with the version it
reflects — and at most ``REACTION_RATE`` reaction counts a second per room, however many ballots or
reactions arrive. Tallies from several processes may cross: clients keep the highest ``version``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import anyio

from app.realtime.coalesce import Coalescer
from app.realtime.envelope import Envelope
from app.realtime.events_live import ReactionCounted, VoteTallied, VoteTallyPreviewed
from app.realtime.log import ephemeral
from app.realtime.runtime import AFTER_PUBLISH, Realtime

TALLY_RATE = 4.0
REACTION_RATE = 2.0
KEY = "live"


class LiveAggregates:
    """Per process (on ``realtime.extensions``): the tally and reaction coalescers."""

    def __init__(self, realtime: Realtime) -> None:
        self.realtime = realtime
        self.tallies: Coalescer[list[Envelope]] = Coalescer(TALLY_RATE, self._tally, self._send)
        self.reactions: Coalescer[list[Envelope]] = Coalescer(REACTION_RATE, self._reactions, self._send)
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)

    @classmethod
    def of(cls, realtime: Realtime) -> LiveAggregates:
        found = realtime.extensions.get(KEY)
        if found is None:
            found = realtime.extensions[KEY] = cls(realtime)
        return found

    def ballot(self, room: str, vote_id: int) -> None:
        self.tallies.mark(f"{room}|{vote_id}")

    def reaction(self, room: str, kind: str) -> None:
        self._counts[room][kind] += 1
        self.reactions.mark(room)

    async def _tally(self, key: str) -> list[Envelope]:
        from app.services.votes import count, read_tally, results_visible

        room, _, vote_id = key.partition("|")

        def read() -> list[Envelope]:
            with self.realtime.db.read() as session:
                vote, options, version, ballots = read_tally(session, int(vote_id))
                public = count(vote, options, version, ballots, view="public")
                envelopes = [ephemeral(room, VoteTallied(**public))]
                if not results_visible(vote):
                    preview = count(vote, options, version, ballots, view="preview")
                    envelopes.append(ephemeral(room, VoteTallyPreviewed(**preview)))
                return envelopes

        return await anyio.to_thread.run_sync(read)

    async def _reactions(self, room: str) -> list[Envelope]:
        counts = self._counts.pop(room, None)
        return [ephemeral(room, ReactionCounted(counts=dict(counts)))] if counts else []

    async def _send(self, _key: str, envelopes: list[Envelope]) -> None:
        await self.realtime.publish(envelopes)

    async def stop(self) -> None:
        await self.tallies.stop()
        await self.reactions.stop()


def _data(env: Envelope) -> dict[str, Any]:
    return json.loads(env.frame)["data"]


def _on_ballot(realtime: Realtime, env: Envelope) -> None:
    LiveAggregates.of(realtime).ballot(env.room, int(_data(env)["vote_id"]))


def _on_reaction(realtime: Realtime, env: Envelope) -> None:
    LiveAggregates.of(realtime).reaction(env.room, str(_data(env)["kind"]))


AFTER_PUBLISH.setdefault("ballot.recorded", []).append(_on_ballot)
AFTER_PUBLISH.setdefault("reaction.sent", []).append(_on_reaction)
