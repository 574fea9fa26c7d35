/* GoDialog room: the browser side of the real-time protocol (docs/realtime.md). An ES module.
 *
 * - Connects to /ws/<room>?since=<seq> and applies events in seq order: a seq already applied is
 *   ignored, a gap (or a heartbeat/hello ahead of us) reconnects with since, so the server fills it.
 * - Reconnects with full-jitter exponential backoff; not after a refusal (4001, 4003, 4004); a
 *   reconnect presents the ticket of the last hello, so the server admits it without the database.
 * - Commands are kept (localStorage) until the server answers, and resent with the same client id
 *   after every reconnect: the server's receipts make that safe ("waiting" until acknowledged).
 * - Exposes the room as an Alpine store, "room" (CSP build: no inline code, no eval). The page gives
 *   the starting state, with its seq, in <script type="application/json" id="room-state">:
 *     {"room": "meeting:7", "seq": 42, "state": {"ideas": [...]}}
 *   and loads this module before Alpine. Other modules add reducers with registerReducer(type, fn).
 */

export const REFUSED = new Set([4000, 4001, 4003, 4004]);

/** Reducers by event type: fn(state, data, frame) changes the store in place. */
export const reducers = {
  "idea.created": (state, data) => upsert(state, "ideas", data),
  "presence.changed": (state, data) => { state.presence = data; },
};

export function registerReducer(type, fn) { reducers[type] = fn; }

/** Insert or replace the item with item.id in state[collection] (an array). */
export function upsert(state, collection, item) {
  const list = state[collection] || (state[collection] = []);
  const at = list.findIndex((x) => x.id === item.id);
  if (at >= 0) { list[at] = item; } else { list.push(item); }
}

export function remove(state, collection, id) {
  const list = state[collection] || [];
  const at = list.findIndex((x) => x.id === id);
  if (at >= 0) { list.splice(at, 1); }
}

/** Full jitter: a random delay in [0, min(cap, base * 2^attempt)) milliseconds. */
export function backoff(attempt, random = Math.random, base = 500, cap = 15000) {
  return random() * Math.min(cap, base * 2 ** attempt);
}

function newId() {
  if (globalThis.crypto && globalThis.crypto.randomUUID) { return globalThis.crypto.randomUUID(); }
  return Array.from({ length: 4 }, () => Math.random().toString(16).slice(2, 10)).join("-");
}

export class RoomClient {
  constructor(options) {
    this.room = options.room;
    this.url = options.url || `/ws/${options.room}`;
    this.state = options.state || {};
    this.state.room = this.room;
    this.state.seq = options.seq ?? null;
    this.state.status = "connecting";
    this.state.pending = this.state.pending || [];
    this.state.error = null;
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.storage = options.storage || null;
    this.random = options.random || Math.random;
    this.setTimeout = options.setTimeout || globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = options.clearTimeout || globalThis.clearTimeout.bind(globalThis);
    this.onResync = options.onResync || (() => globalThis.location && globalThis.location.reload());
    this.key = `godialog:pending:${this.room}`;
    this.attempt = 0;
    this.ticket = null;
    this.socket = null;
    this.timer = null;
    this.stopped = false;
    this.waiters = new Map();
    this._loadPending();
  }

  start() { this.stopped = false; this._connect(); return this; }

  stop() {
    this.stopped = true;
    if (this.timer !== null) { this.clearTimeout(this.timer); this.timer = null; }
    if (this.socket) { this.socket.close(1000); this.socket = null; }
  }

  /** Send a command; resolves with the ack, rejects with the error frame. Kept until answered. */
  send(type, data) {
    const command = { type, id: newId(), data };
    this.state.pending.push(command);
    this._savePending();
    this._transmit(command);
    return new Promise((resolve, reject) => this.waiters.set(command.id, { resolve, reject }));
  }

  /** Reconnect now (e.g. the browser says it is online again). */
  reconnect() {
    if (this.stopped) { return; }
    if (this.timer !== null) { this.clearTimeout(this.timer); this.timer = null; }
    if (this.socket) { const s = this.socket; this.socket = null; s.close(1000); }
    this._connect();
  }

  _connect() {
    const query = [];
    if (this.state.seq !== null) { query.push(`since=${this.state.seq}`); }
    if (this.ticket) { query.push(`ticket=${encodeURIComponent(this.ticket)}`); }
    const base = this.url.startsWith("ws") ? this.url : this._absolute(this.url);
    const socket = new this.WebSocket(base + (query.length ? `?${query.join("&")}` : ""));
    this.socket = socket;
    this.state.status = this.attempt ? "offline" : "connecting";
    socket.onmessage = (event) => { if (this.socket === socket) { this._onFrame(JSON.parse(event.data)); } };
    socket.onclose = (event) => { if (this.socket === socket) { this._onClose(event); } };
  }

  _absolute(path) {
    const loc = globalThis.location;
    return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
  }

  _onFrame(frame) {
    const type = frame.type;
    if (type === "hello") {
      if (this.state.seq !== null && frame.seq > this.state.seq) { this._gap(); return; }
      this.state.seq = frame.seq;
      this.state.status = "live";
      this.attempt = 0;
      this.ticket = frame.ticket || null;
      this.state.pending.forEach((command) => this._transmit(command));
    } else if (type === "heartbeat") {
      if (this.state.seq !== null && frame.seq > this.state.seq) { this._gap(); }
    } else if (type === "resync") {
      this.state.status = "resync";
      this.state.seq = frame.seq;
      this.onResync(frame);
    } else if (type === "ack" || type === "error") {
      this._answered(frame);
    } else if (frame.seq === undefined) {
      this._apply(frame);
    } else if (this.state.seq === null || frame.seq === this.state.seq + 1) {
      this._apply(frame);
      this.state.seq = frame.seq;
    } else if (frame.seq > this.state.seq + 1) {
      this._gap();
    } // else: a seq already applied (a duplicate) is ignored
  }

  _apply(frame) {
    const reducer = reducers[frame.type];
    if (reducer) { reducer(this.state, frame.data, frame); }
  }

  _gap() { this.reconnect(); }

  _answered(frame) {
    if (frame.type === "error" && frame.code === "rate_limited") {
      const command = this.state.pending.find((c) => c.id === frame.id);
      if (command) { this.setTimeout(() => this._transmit(command), 1000 + this.random() * 1000); }
      return;
    }
    const at = this.state.pending.findIndex((c) => c.id === frame.id);
    if (at >= 0) { this.state.pending.splice(at, 1); this._savePending(); }
    if (frame.type === "error") { this.state.error = frame; }
    const waiter = this.waiters.get(frame.id);
    if (waiter) {
      this.waiters.delete(frame.id);
      if (frame.type === "ack") { waiter.resolve(frame); } else { waiter.reject(frame); }
    }
  }

  _onClose(event) {
    this.socket = null;
    if (this.stopped) { return; }
    if (REFUSED.has(event.code)) { this.state.status = "refused"; this.state.error = { code: event.code, message: event.reason }; return; }
    this.state.status = "offline";
    const delay = backoff(this.attempt, this.random);
    this.attempt += 1;
    this.timer = this.setTimeout(() => { this.timer = null; this._connect(); }, delay);
  }

  _transmit(command) {
    if (this.socket && this.socket.readyState === 1 && this.state.status === "live") {
      this.socket.send(JSON.stringify(command));
    } // else: it stays pending and is sent after the next hello
  }

  _loadPending() {
    if (!this.storage) { return; }
    try {
      const saved = JSON.parse(this.storage.getItem(this.key) || "[]");
      const known = new Set(this.state.pending.map((c) => c.id));
      saved.forEach((c) => { if (!known.has(c.id)) { this.state.pending.push(c); } });
    } catch (e) { /* unreadable: start empty */ }
  }

  _savePending() {
    if (!this.storage) { return; }
    try {
      if (this.state.pending.length) { this.storage.setItem(this.key, JSON.stringify(this.state.pending)); }
      else { this.storage.removeItem(this.key); }
    } catch (e) { /* storage full or blocked: the command is still kept in memory */ }
  }
}

/** The Alpine store "room", from the page's #room-state element (call before Alpine starts). */
export function installRoomStore(Alpine, doc = globalThis.document) {
  const element = doc && doc.getElementById("room-state");
  if (!element) { return null; }
  const initial = JSON.parse(element.textContent);
  Alpine.store("room", { ideas: [], presence: { count: 0, people: [] }, ...(initial.state || {}) });
  const store = Alpine.store("room");
  const client = new RoomClient({ room: initial.room, seq: initial.seq, url: initial.url, state: store,
    storage: globalThis.localStorage });
  store.send = (type, data) => client.send(type, data).catch(() => undefined);
  store.isWaiting = () => store.pending.length > 0;
  globalThis.addEventListener("online", () => client.reconnect());
  return client.start();
}

if (typeof document !== "undefined") {
  document.addEventListener("alpine:init", () => installRoomStore(globalThis.Alpine));
}
