/* GoDialog live room: the store shared by the phone view, the projector screen and the console.
 *
 * The page embeds its config in <script type="application/json" id="live-config">: the room's state
 * with its seq, the socket path, the texts in the page's language and the translations of error
 * messages. startLive() makes the Alpine store "live" from it and connects a RoomClient (room.js):
 * events are applied in seq order by the reducers below (upserts by id), commands are kept until
 * the server answers (state.pending, also in localStorage) and resent with the same id.
 *
 * CSP build of Alpine: the templates only read properties and call methods of the components
 * (live-phone.js, live-screen.js, live-console.js); all logic lives here and there.
 */
import { RoomClient, registerReducer, remove, upsert } from "./room.js";

export const REACTIONS = [
  { kind: "like", emoji: "👍" }, { kind: "love", emoji: "❤️" }, { kind: "clap", emoji: "👏" },
  { kind: "idea", emoji: "💡" }, { kind: "question", emoji: "❓" },
];

const IDEA_DEFAULTS = { status: "new", decision_note: "", decided_at: null, merged_into_id: null, hidden: false,
  hidden_reason: "", group_heading: "" };

/* ---- text ------------------------------------------------------------------------------------ */

let TEXTS = {};
let MESSAGES = {};

/** The page's text for key, with %(name)s filled from params. */
export function t(key, params) {
  const text = TEXTS[key] || key;
  return fill(text, params);
}

export function fill(text, params) {
  if (!params) { return text; }
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The text for a count: key_one for 1, key_many otherwise. */
export function tn(key, num, params) {
  return t(num === 1 ? `${key}_one` : `${key}_many`, { num, ...(params || {}) });
}

/** An error frame (or a field message) in the page's language. */
export function translate(message) {
  if (!message) { return t("error"); }
  const text = MESSAGES[message] || message;
  return /%\(\w+\)s/.test(text) ? t("check_input") : text;
}

export function errorText(frame) {
  if (!frame) { return ""; }
  if (frame.fields) {
    const first = Object.values(frame.fields)[0];
    if (first) { return translate(first); }
  }
  return translate(frame.message);
}

/* ---- time ------------------------------------------------------------------------------------ */

// server time - this device's time, in ms. A frame's "at" is never later than the server's clock when
// it arrives, so the largest (at - arrival) seen is the best estimate (replayed frames are older and
// never raise it); it starts from the page's render time.
let clockOffset = null;

export function serverNow() { return Date.now() + (clockOffset || 0); }

function learnClock(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) { return; }
  const offset = at - Date.now();
  if (clockOffset === null || offset > clockOffset) { clockOffset = offset; }
}

/** "12:05" (m:ss), or "1:02:05". */
export function clock(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** Seconds left on the focus item's timer (negative: over time), or null without a timer. */
export function secondsLeft(live, now) {
  if (!live || !live.focus_started_at || live.focus_minutes === null || live.focus_minutes === undefined) {
    return null;
  }
  return (Date.parse(live.focus_started_at) + live.focus_minutes * 60000 - now) / 1000;
}

export function timerText(live, now) {
  const left = secondsLeft(live, now);
  if (left === null) { return t("no_timer"); }
  return left >= 0 ? t("minutes_left", { time: clock(left) }) : t("overtime", { time: clock(-left) });
}

export function formatDate(iso, locale) {
  if (!iso) { return ""; }
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(locale === "da" ? "da-DK" : "en-GB",
    { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/* ---- reducers -------------------------------------------------------------------------------- */

function upsertIdea(state, data) {
  const list = state.ideas || (state.ideas = []);
  const at = list.findIndex((x) => x.id === data.id);
  const old = at >= 0 ? list[at] : {};
  const merged = { ...IDEA_DEFAULTS, ...old, ...data };
  if (data.hidden && state.me && state.me.facilitator && old.title) {
    // a hidden idea travels without its text; the console keeps what it already had
    Object.assign(merged, { title: old.title, body: old.body, author_name: old.author_name });
  }
  if (at >= 0) { list[at] = merged; } else { list.push(merged); }
}

function findVote(state, id) { return (state.votes || []).find((v) => v.id === id); }

function resultsShown(vote) { return vote.results_live || vote.revealed; }

function upsertVote(state, data) {
  const old = findVote(state, data.id);
  const vote = { ...data };
  const oldVersion = old && old.version ? old.version : 0;
  const newVersion = data.tally ? data.tally.version : 0;
  vote.version = Math.max(oldVersion, newVersion);
  if (old && oldVersion > newVersion) { vote.voters = old.voters; }
  if (!data.tally && old && old.tally && state.me && state.me.facilitator) {
    vote.tally = old.tally; // the console keeps its preview while results are hidden
  } else if (data.tally && old && old.tally && old.tally.version > data.tally.version && resultsShown(vote)) {
    vote.tally = old.tally; // a newer coalesced tally already arrived
  }
  upsert(state, "votes", vote);
}

function applyTally(state, data, preview) {
  const vote = findVote(state, data.vote_id);
  if (!vote || data.version < (vote.version || 0)) { return; }
  vote.version = data.version;
  vote.voters = data.voters;
  if (preview || resultsShown(vote)) { vote.tally = data; }
}

function agendaItem(state, data) {
  if (data.status === "accepted") {
    upsert(state, "agenda", { id: data.id, title: data.title, description: data.description,
      planned_minutes: data.planned_minutes, position: data.position });
    state.agenda.sort((a, b) => a.position - b.position || a.id - b.id);
  } else {
    remove(state, "agenda", data.id);
  }
}

let reactionSerial = 0;

const REDUCERS = {
  "idea.created": (state, data) => upsertIdea(state, data),
  "idea.hidden": (state, data) => upsertIdea(state, data),
  "idea.restored": (state, data) => upsertIdea(state, data),
  "idea.merged": (state, data) => { upsertIdea(state, data.duplicate); upsertIdea(state, data.target); },
  "idea.grouped": (state, data) => data.ideas.forEach((idea) => upsertIdea(state, idea)),
  "idea.decided": (state, data) => {
    upsertIdea(state, data.idea);
    data.agreements.forEach((a) => { upsert(state, "agreements", a); state.lastAgreementId = a.id; });
  },
  "agreement.created": (state, data) => {
    if (data.meeting_id === state.meeting.id) { upsert(state, "agreements", data); state.lastAgreementId = data.id; }
  },
  "live.started": (state, data) => { state.live = data; },
  "live.focus_changed": (state, data) => { state.live = data; },
  "live.timer_changed": (state, data) => { state.live = data; },
  "live.anonymity_changed": (state, data) => { state.live = data; },
  "live.ended": (state, data) => { state.live = data; },
  "vote.opened": (state, data) => { upsertVote(state, data); state.lastVoteId = data.id; },
  "vote.revealed": (state, data) => { upsertVote(state, data); state.lastVoteId = data.id; },
  "vote.locked": upsertVote,
  "vote.reopened": upsertVote,
  "vote.closed": upsertVote,
  "vote.answer_hidden": upsertVote,
  "vote.answer_restored": upsertVote,
  "vote.tallied": (state, data) => applyTally(state, data, false),
  "vote.tally_previewed": (state, data) => applyTally(state, data, true),
  "ballot.recorded": (state, data) => { state.ballots[String(data.vote_id)] = data.choices; },
  "reaction.counted": (state, data) => {
    const bursts = state.reactions || (state.reactions = []);
    Object.entries(data.counts).forEach(([kind, num]) => {
      for (let n = 0; n < Math.min(num, 8); n += 1) {
        reactionSerial += 1;
        bursts.push({ id: reactionSerial, kind, left: 5 + Math.floor(Math.random() * 90) });
      }
    });
    if (bursts.length > 40) { bursts.splice(0, bursts.length - 40); }
  },
  "comment.created": (state, data) => upsert(state, "comments", data),
  "comment.edited": (state, data) => upsert(state, "comments", data),
  "comment.hidden": (state, data) => upsert(state, "comments", data),
  "comment.shown": (state, data) => upsert(state, "comments", data),
  "agenda_item.created": agendaItem,
  "agenda_item.updated": agendaItem,
  "agenda_item.accepted": agendaItem,
  "agenda_item.removed": agendaItem,
  "agenda_item.carried_over": agendaItem,
  "agenda.reordered": (state, data) => {
    const order = new Map(data.item_ids.map((id, n) => [id, n]));
    state.agenda.forEach((item) => { if (order.has(item.id)) { item.position = order.get(item.id); } });
    state.agenda.sort((a, b) => a.position - b.position || a.id - b.id);
  },
  "meeting.updated": (state, data) => { if (data.id === state.meeting.id) { state.meeting.title = data.title; } },
};

Object.entries(REDUCERS).forEach(([type, fn]) => registerReducer(type, (state, data, frame) => {
  if (frame && frame.at) { learnClock(frame.at); }
  fn(state, data, frame);
}));

/* ---- the store ------------------------------------------------------------------------------- */

let client = null;

function readConfig() {
  const element = document.getElementById("live-config");
  return element ? JSON.parse(element.textContent) : null;
}

async function reloadState(store, config) {
  try {
    const response = await fetch(config.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) { throw new Error(String(response.status)); }
    const fresh = await response.json();
    ["live", "agenda", "ideas", "votes", "ballots", "agreements", "comments", "people", "me", "meeting"]
      .forEach((key) => { store[key] = fresh[key]; });
    store.seq = fresh.seq;
    client.reconnect();
  } catch (e) {
    globalThis.location.reload();
  }
}

/** After a reconnect: the tallies (ephemeral, not replayed) and one's own ballots, read afresh. */
async function refreshAggregates(store, config) {
  try {
    const response = await fetch(config.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) { return; }
    const fresh = await response.json();
    fresh.votes.forEach((vote) => {
      const local = findVote(store, vote.id);
      const version = vote.tally ? vote.tally.version : 0;
      if (!local || version < (local.version || 0)) { return; }
      local.version = version;
      local.voters = vote.voters;
      if (vote.tally) { local.tally = vote.tally; }
    });
    store.ballots = fresh.ballots;
  } catch (e) { /* the next tally brings them anyway */ }
}

/** Make the store "live" and connect (call on alpine:init). */
export function startLive(Alpine) {
  const config = readConfig();
  if (!config) { return null; }
  TEXTS = config.texts || {};
  MESSAGES = config.messages || {};
  if (config.serverNow) { learnClock(config.serverNow); }
  const initial = config.state;
  Alpine.store("live", { ...initial, view: config.view, joinUrl: config.joinUrl, joinCode: config.joinCode,
    locale: config.locale, presence: { count: 0, people: [] }, reactions: [], lastAgreementId: null,
    lastVoteId: null, ballots: initial.ballots || {}, comments: initial.comments || [], pending: [],
    notice: "", now: serverNow() });
  const store = Alpine.store("live");
  client = new RoomClient({ room: initial.room, seq: initial.seq, url: config.socket, state: store,
    storage: globalThis.localStorage, onResync: () => reloadState(store, config) });
  globalThis.addEventListener("online", () => client.reconnect());
  // The browser knows it lost the network: drop the (stale) socket, so commands wait on the phone
  // (and show as waiting) instead of going into a connection that cannot deliver them.
  globalThis.addEventListener("offline", () => client.reconnect());
  let seenLive = false;
  let lastStatus = store.status;
  globalThis.setInterval(() => {
    store.now = serverNow();
    if (store.status === "live" && lastStatus !== "live") {
      if (seenLive) { refreshAggregates(store, config); }
      seenLive = true;
    }
    lastStatus = store.status;
  }, 1000);
  client.start();
  return store;
}

/** Send a command; resolves with the ack or rejects with the error frame (kept while unanswered). */
export function send(type, data) {
  return client.send(type, data);
}

/** Has the server not yet answered this command? (It is kept and resent.) */
export function isPending(store, type) {
  return store.pending.some((c) => c.type === type);
}

/* ---- shared views ---------------------------------------------------------------------------- */

export function focusItem(store) {
  const id = store.live && store.live.focus_item_id;
  return id ? (store.agenda || []).find((i) => i.id === id) || null : null;
}

export function isRunning(store) { return Boolean(store.live && !store.live.ended_at); }

export function isAnonymous(store) { return Boolean(store.live && store.live.anonymous); }

/** Ideas on the wall: visible ones that are not merged into another, newest first. */
export function wallIdeas(store) {
  return (store.ideas || []).filter((i) => !i.merged_into_id).sort((a, b) => b.id - a.id);
}

export function mergedCount(store, idea) {
  return (store.ideas || []).filter((i) => i.merged_into_id === idea.id).length;
}

export function authorText(store, idea) {
  if (idea.hidden || isAnonymous(store) || !idea.author_name) { return ""; }
  if (store.me && idea.author_id === store.me.id) { return t("you"); }
  return idea.author_name;
}

export function statusText(status) { return t(`status_${status}`); }

/** The votes people can see now: open or locked (most recent first); closed ones leave. */
export function activeVotes(store) {
  return (store.votes || []).filter((v) => v.status !== "closed").sort((a, b) => b.id - a.id);
}

/** A vote's result rows: [{key, label, count, share}] biggest first (answers: by count). */
export function resultRows(vote) {
  const tally = vote.tally;
  if (!tally) { return []; }
  let rows;
  if (vote.kind === "dots") {
    rows = vote.options.filter((o) => !o.hidden).map((o) => ({ key: String(o.id), label: o.label }));
  } else if (vote.kind === "yes-no") {
    rows = ["yes", "no", "abstain"].map((key) => ({ key, label: t(key) }));
  } else if (vote.kind === "scale") {
    rows = ["1", "2", "3", "4", "5"].map((key) => ({ key, label: key }));
  } else {
    rows = Object.entries(tally.labels || {}).map(([key, label]) => ({ key, label }));
  }
  const counts = tally.counts || {};
  const max = Math.max(1, ...rows.map((r) => counts[r.key] || 0));
  rows = rows.map((r) => ({ ...r, count: counts[r.key] || 0, share: Math.round(((counts[r.key] || 0) / max) * 100),
    hidden: (tally.hidden || []).includes(r.key) }));
  if (vote.kind === "dots" || vote.kind === "open") { rows.sort((a, b) => b.count - a.count); }
  return rows;
}

export function countText(vote, num) {
  return vote.kind === "dots" ? tn("count_dots", num) : tn("count_votes", num);
}

export function agreementOwner(agreement) {
  return agreement.owner_name ? t("owner", { name: agreement.owner_name }) : t("no_owner");
}

export function agreementDeadline(agreement, locale) {
  return agreement.deadline ? t("deadline", { date: formatDate(agreement.deadline, locale) }) : t("no_deadline");
}

export function connectionText(store) {
  if (store.status === "live") { return t("online"); }
  if (store.status === "resync") { return t("reloading"); }
  if (store.status === "connecting") { return t("connecting"); }
  return t("offline");
}
