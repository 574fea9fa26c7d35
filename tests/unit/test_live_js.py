"""The live pages' store (app/static/js/live.js) under Node: its reducers keep the newest tally when
tallies from several processes cross, keep the console's text of an idea it hid, merge new ideas
into their defaults; the timer and the result rows the screen draws."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest

from app.settings import ROOT

LIVE = (ROOT / "app" / "static" / "js" / "live.js").as_uri()
ROOM = (ROOT / "app" / "static" / "js" / "room.js").as_uri()

HARNESS = """
import assert from "node:assert/strict";
import { reducers } from "%s";
import { clock, fill, resultRows, secondsLeft, wallIdeas, activeVotes } from "%s";

const apply = (state, type, data) => reducers[type](state, data, { type, at: "" });
const idea = (id, more) => ({ id, project_id: 1, phase_id: 1, meeting_id: 7, agenda_item_id: null, author_id: 2,
  author_name: "Ali", title: "Idé " + id, body: "", status: "new", group_heading: "", created_at: "", ...more });
const vote = (more) => ({ id: 5, meeting_id: 7, agenda_item_id: null, kind: "dots", question: "?", dots_per_person: 3,
  status: "open", results_live: true, revealed: false, created_at: "", closed_at: null,
  options: [{ id: 1, idea_id: 1, label: "A", position: 0, hidden: false },
            { id: 2, idea_id: 2, label: "B", position: 1, hidden: false }], voters: 0, tally: null, ...more });
const tally = (version, counts, voters) => ({ vote_id: 5, version, voters, counts, labels: {}, mean: null,
  hidden: [] });
%s
console.log("ok");
"""


def run(body: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = HARNESS % (ROOM, LIVE, textwrap.dedent(body))
    result = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr or result.stdout


def test_crossing_tallies_leave_the_newest_on_every_screen():
    run("""
    const state = { votes: [], me: { id: 9, facilitator: false } };
    apply(state, "vote.opened", vote());
    apply(state, "vote.tallied", tally(3, { "1": 4, "2": 1 }, 2));
    apply(state, "vote.tallied", tally(2, { "1": 2, "2": 1 }, 1));  // late, from the other process
    assert.deepEqual(state.votes[0].tally.counts, { "1": 4, "2": 1 });
    assert.equal(state.votes[0].voters, 2);
    apply(state, "vote.locked", vote({ status: "locked", voters: 2, tally: tally(3, { "1": 4, "2": 1 }, 2) }));
    assert.equal(state.votes[0].status, "locked");
    assert.deepEqual(resultRows(state.votes[0]).map((r) => [r.label, r.count, r.share]), [["A", 4, 100], ["B", 1, 25]]);
    """)


def test_hidden_results_show_only_how_many_voted_and_the_console_keeps_its_preview():
    run("""
    const phone = { votes: [], me: { id: 9, facilitator: false } };
    const console_ = { votes: [], me: { id: 1, facilitator: true } };
    for (const state of [phone, console_]) {
      apply(state, "vote.opened", vote({ results_live: false }));
      apply(state, "vote.tallied", { ...tally(1, {}, 1) });
    }
    apply(console_, "vote.tally_previewed", tally(1, { "1": 3 }, 1));
    assert.equal(phone.votes[0].tally, null);
    assert.equal(phone.votes[0].voters, 1);
    assert.deepEqual(console_.votes[0].tally.counts, { "1": 3 });
    apply(console_, "vote.locked", vote({ results_live: false, status: "locked", voters: 1, tally: null }));
    assert.deepEqual(console_.votes[0].tally.counts, { "1": 3 });  // still the preview
    apply(phone, "vote.revealed", vote({ revealed: true, voters: 1, tally: tally(1, { "1": 3, "2": 0 }, 1) }));
    assert.equal(resultRows(phone.votes[0])[0].count, 3);
    apply(phone, "vote.closed", vote({ status: "closed", revealed: true }));
    assert.deepEqual(activeVotes(phone), []);
    """)


def test_ideas_merge_into_defaults_and_the_console_keeps_what_it_hid():
    run("""
    const phone = { ideas: [], me: { id: 9, facilitator: false } };
    const console_ = { ideas: [], me: { id: 1, facilitator: true } };
    for (const state of [phone, console_]) {
      apply(state, "idea.created", idea(1));
      apply(state, "idea.created", idea(2));
      apply(state, "idea.hidden", { ...idea(2, { title: "", author_name: "" }), hidden: true, hidden_reason: "Sprog",
        decision_note: "", decided_at: null, merged_into_id: null });
    }
    assert.equal(phone.ideas[0].hidden, false);
    assert.equal(phone.ideas[0].merged_into_id, null);
    assert.equal(phone.ideas[1].title, "");
    assert.equal(console_.ideas[1].title, "Idé 2");
    assert.equal(console_.ideas[1].hidden, true);
    apply(phone, "idea.merged", { duplicate: { ...idea(1), merged_into_id: 2 }, target: idea(2) });
    assert.deepEqual(wallIdeas(phone).map((i) => i.id), [2]);
    """)


def test_the_timer_counts_down_from_the_planned_minutes_and_goes_over():
    run("""
    const live = { focus_started_at: "2026-12-09T17:00:00Z", focus_minutes: 10 };
    const start = Date.parse(live.focus_started_at);
    assert.equal(secondsLeft(live, start + 60000), 540);
    assert.equal(clock(secondsLeft(live, start + 60000)), "9:00");
    assert.equal(secondsLeft(live, start + 11 * 60000), -60);
    assert.equal(secondsLeft({ focus_started_at: null, focus_minutes: null }, start), null);
    assert.equal(clock(3725), "1:02:05");
    assert.equal(fill("%(left)s af %(total)s", { left: 2, total: 3 }), "2 af 3");
    """)
