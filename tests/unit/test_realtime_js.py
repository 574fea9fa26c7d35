"""The browser module app/static/js/room.js, run under Node with a stand-in WebSocket, timers and
storage: seq order, duplicates, gaps, backoff, kept commands resent with the same id."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest

from app.settings import ROOT

MODULE = (ROOT / "app" / "static" / "js" / "room.js").as_uri()

HARNESS = """
import assert from "node:assert/strict";
import { RoomClient, backoff, registerReducer } from "%s";

class FakeSocket {
  static all = [];
  constructor(url) { this.url = url; this.sent = []; this.readyState = 1; FakeSocket.all.push(this); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code) { this.readyState = 3; if (this.onclose) this.onclose({ code: code || 1000, reason: "" }); }
  frame(obj) { this.onmessage({ data: JSON.stringify(obj) }); }
  drop(code) { this.readyState = 3; this.onclose({ code, reason: "" }); }
}
const last = () => FakeSocket.all[FakeSocket.all.length - 1];
const timers = [];
const storage = new Map();
const store = { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v),
  removeItem: (k) => storage.delete(k) };
const idea = (seq, id) => ({ type: "idea.created", room: "meeting:7", seq, at: "", data: { id, title: "t" + id } });
const options = () => ({ room: "meeting:7", seq: 3, url: "ws://x/ws/meeting:7", state: { ideas: [] },
  WebSocket: FakeSocket, storage: store, random: () => 0.5,
  setTimeout: (fn, ms) => { timers.push([fn, ms]); return timers.length; },
  clearTimeout: () => {}, onResync: () => { resyncs += 1; } });
let resyncs = 0;
%s
console.log("ok");
"""


def run_js(body: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = HARNESS % (MODULE, textwrap.dedent(body))
    result = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr or result.stdout


def test_events_apply_in_seq_order_and_duplicates_are_ignored() -> None:
    run_js("""
    const c = new RoomClient(options()).start();
    assert.equal(last().url, "ws://x/ws/meeting:7?since=3");
    last().frame(idea(4, 1)); last().frame({ type: "hello", room: "meeting:7", seq: 4 });
    last().frame(idea(4, 1)); last().frame(idea(5, 2));
    assert.deepEqual(c.state.ideas.map((i) => i.id), [1, 2]);
    assert.equal(c.state.seq, 5); assert.equal(c.state.status, "live");
    last().frame({ type: "presence.changed", room: "meeting:7", at: "", data: { count: 2, people: [] } });
    assert.equal(c.state.presence.count, 2); assert.equal(c.state.seq, 5);
    """)


def test_a_gap_or_a_heartbeat_ahead_reconnects_with_since() -> None:
    run_js("""
    const c = new RoomClient(options()).start();
    last().frame({ type: "hello", room: "meeting:7", seq: 3 });
    last().frame(idea(5, 9));  // 4 is missing
    assert.equal(c.state.ideas.length, 0);
    assert.equal(last().url, "ws://x/ws/meeting:7?since=3");
    assert.equal(FakeSocket.all.length, 2);
    last().frame(idea(4, 8)); last().frame(idea(5, 9)); last().frame({ type: "hello", room: "meeting:7", seq: 5 });
    last().frame({ type: "heartbeat", seq: 6 });
    assert.equal(FakeSocket.all.length, 3); assert.equal(last().url, "ws://x/ws/meeting:7?since=5");
    last().frame({ type: "hello", room: "meeting:7", seq: 5, ticket: "t.k-1" });
    last().drop(1006); timers.shift()[0]();  // a reconnect presents the last hello's ticket
    assert.equal(last().url, "ws://x/ws/meeting:7?since=5&ticket=t.k-1");
    assert.deepEqual(c.state.ideas.map((i) => i.id), [8, 9]);
    """)


def test_commands_are_kept_and_resent_with_the_same_id_until_answered() -> None:
    run_js("""
    const c = new RoomClient(options()).start();
    const answered = c.send("idea.submit", { title: "Offline" });  // before hello: kept, not sent
    assert.equal(last().sent.length, 0);
    const id = c.state.pending[0].id;
    assert.equal(JSON.parse(storage.get("godialog:pending:meeting:7"))[0].id, id);
    last().frame({ type: "hello", room: "meeting:7", seq: 3 });
    assert.equal(last().sent[0].id, id);
    last().drop(1006);  // the network went away before the ack
    assert.equal(c.state.status, "offline");
    timers.shift()[0]();
    last().frame({ type: "hello", room: "meeting:7", seq: 3 });
    assert.equal(last().sent[0].id, id);  // resent, same id
    last().frame({ type: "ack", id, seq: 4 });
    assert.deepEqual((await answered).seq, 4);
    assert.equal(c.state.pending.length, 0); assert.equal(storage.has("godialog:pending:meeting:7"), false);
    const again = new RoomClient({ ...options(), state: { ideas: [] } });  // a reload keeps nothing stale
    assert.equal(again.state.pending.length, 0);
    """)


def test_a_reload_resends_what_was_kept() -> None:
    run_js("""
    const kept = [{ type: "idea.submit", id: "kept-1", data: { title: "x" } }];
    storage.set("godialog:pending:meeting:7", JSON.stringify(kept));
    const c = new RoomClient(options()).start();
    last().frame({ type: "hello", room: "meeting:7", seq: 3 });
    assert.deepEqual(last().sent.map((m) => m.id), ["kept-1"]);
    """)


def test_backoff_is_full_jitter_and_refusals_are_final() -> None:
    run_js("""
    assert.equal(backoff(0, () => 0.5), 250); assert.equal(backoff(3, () => 0.5), 2000);
    assert.equal(backoff(20, () => 0.999) < 15000, true); assert.equal(backoff(5, () => 0), 0);
    const c = new RoomClient(options()).start();
    last().drop(4004);
    assert.equal(c.state.status, "refused"); assert.equal(timers.length, 0);
    const d = new RoomClient(options()).start();
    last().drop(4008);  // too slow: comes back
    assert.equal(d.state.status, "offline"); assert.equal(timers.length, 1);
    """)


def test_resync_hands_over_and_reducers_can_be_added() -> None:
    run_js("""
    registerReducer("idea.hidden", (state, data) => { state.hidden = data.id; });
    const c = new RoomClient(options()).start();
    last().frame({ type: "resync", room: "meeting:7", seq: 20 });
    assert.equal(resyncs, 1); assert.equal(c.state.seq, 20);
    last().frame({ type: "idea.hidden", room: "meeting:7", seq: 21, at: "", data: { id: 4 } });
    assert.equal(c.state.hidden, 4);
    """)
