/* A meeting's page: the agenda, proposals, comments and materials, live (an ES module).
 *
 * The page is rendered on the server; events of the meeting's room (docs/realtime.md) are applied
 * to it as upserts by id, using the page's <template>s (tpl-agenda_item, tpl-comment,
 * tpl-material). A facilitator reorders by drag and drop (the whole new order is posted) or by the
 * arrow buttons (forms that also work without JavaScript); focus stays on the moved item's button
 * and the new position is announced.
 *
 * The minutes (ideas, votes, decisions, agreements item by item) and the live-session links are
 * fragments: when the live room changes them (idea.*, vote.*, agreement.created, live.started and
 * .ended), the page fetches /meetings/<id>/minutes again, a second or two later (events in a burst
 * cost one fetch), and swaps them in, keeping open <details> open and focus where it was. The
 * server applies the privacy rules (hidden ideas, anonymous authors, hidden results) as on load.
 */
import { announce, clone, connect, count, enhanceForms, fill, onDone, postJson, serverNow, state, t } from "./process.js";

const LISTS = { accepted: "agenda", proposed: "proposals", declined: "answered", removed: "removed" };
const page = document.querySelector("main");
let lastMoved = null;

function list(name) { return page.querySelector(`[data-list="${name}"]`); }

function itemNode(id) { return document.getElementById(`item-${id}`); }

function titleOf(id) {
  const node = itemNode(id);
  const title = node && node.querySelector(".item__title");
  return title ? title.textContent : "";
}

function refreshLists() {
  Object.values(LISTS).forEach((name) => {
    const el = list(name);
    if (!el) { return; }
    const empty = page.querySelector(`[data-empty="${name}"]`);
    if (empty) { empty.hidden = el.children.length > 0; }
    const wrapper = page.querySelector(`[data-if-any="${name}"]`);
    if (wrapper) { wrapper.hidden = el.children.length === 0; }
  });
  const mats = list("meeting-materials");
  const noMats = page.querySelector('[data-empty="meeting-materials"]');
  if (mats && noMats) { noMats.hidden = mats.children.length > 0; }
  const agenda = list("agenda");
  const summary = page.querySelector("[data-agenda-summary]");
  if (agenda && summary) {
    const minutes = Array.from(agenda.children).reduce((sum, li) => {
      const m = li.querySelector(".item__minutes [data-text]");
      return sum + (m && !m.closest("[hidden]") ? Number(m.textContent) || 0 : 0);
    }, 0);
    summary.textContent = count("items", agenda.children.length) + (minutes ? " · " + t("minutes", { minutes }) : "");
  }
}

function place(node, data) {
  const target = list(LISTS[data.status] || "agenda");
  if (!target) { node.remove(); return; }
  if (data.status !== "accepted") {
    if (node.parentElement !== target) { target.append(node); }
    return;
  }
  const after = Array.from(target.children).find((li) => li !== node && Number(li.dataset.position) > data.position);
  if (after) { if (node.nextElementSibling !== after) { target.insertBefore(node, after); } } else if (target.lastElementChild !== node) { target.append(node); }
}

function upsertItem(data) {
  let node = itemNode(data.id);
  if (!node) {
    node = clone("tpl-agenda_item", data, { has_materials: false });
  } else {
    const mats = node.querySelector('[data-list="materials"]');
    fill(node, data, { has_materials: mats && mats.children.length > 0 });
  }
  node.className = `item item--${data.status}`;
  node.dataset.position = data.position;
  if (state.manage && data.status === "accepted") { node.setAttribute("draggable", "true"); } else { node.removeAttribute("draggable"); }
  const focused = node.contains(document.activeElement) ? document.activeElement : null;
  place(node, data);
  syncAttach(data);
  if (focused && document.activeElement !== focused) { focused.focus(); }
}

/** Keep the material form's "Add it to" choices in step with the agenda. */
function syncAttach(data) {
  document.querySelectorAll('select[name="attach"]').forEach((select) => {
    const value = `item:${data.id}`;
    let option = Array.from(select.options).find((o) => o.value === value);
    if (data.status !== "accepted") { if (option && !option.selected) { option.remove(); } return; }
    if (!option) { option = document.createElement("option"); option.value = value; select.append(option); }
    option.textContent = t("itemOption", { title: data.title });
  });
}

function reorder(ids, fresh) {
  const agenda = list("agenda");
  const focused = agenda.contains(document.activeElement) ? document.activeElement : null;
  ids.forEach((id, position) => {
    const node = itemNode(id);
    if (node) { node.dataset.position = position; agenda.append(node); }
  });
  if (focused && document.activeElement !== focused) { focused.focus(); }
  if (!fresh) { return; }
  if (lastMoved !== null && ids.includes(lastMoved)) {
    announce(t("moved", { item: titleOf(lastMoved), position: ids.indexOf(lastMoved) + 1, count: ids.length }));
    lastMoved = null;
  } else {
    announce(t("reordered"));
  }
}

function editable(c) {
  return c.author_id !== null && c.author_id === state.me && !c.hidden && Date.parse(c.editable_until) > serverNow();
}

const expiries = new Map();

function upsertComment(c) {
  const item = itemNode(c.agenda_item_id);
  if (!item) { return false; }
  const comments = item.querySelector('[data-list="comments"]');
  let node = document.getElementById(`comment-${c.id}`);
  const fresh = !node;
  if (fresh) { node = clone("tpl-comment", c, { editable: editable(c) }); comments.append(node); } else { fill(node, c, { editable: editable(c) }); }
  node.classList.toggle("comment--hidden", c.hidden);
  const counter = item.querySelector('[data-count="comments"]');
  if (counter) { counter.textContent = comments.children.length; }
  if (editable(c) && !expiries.has(c.id)) {
    expiries.set(c.id, window.setTimeout(() => {
      expiries.delete(c.id);
      const current = document.getElementById(`comment-${c.id}`);
      const link = current && current.querySelector('[data-if="editable"]');
      if (link) { link.hidden = true; }
    }, Date.parse(c.editable_until) - serverNow() + 500));
  }
  return fresh;
}

function materialExtra(m) {
  return { removable: state.manage || (state.propose && m.added_by_id !== null && m.added_by_id === state.me) };
}

function upsertMaterial(m) {
  let target = null;
  let item = null;
  if (m.agenda_item_id !== null) {
    item = itemNode(m.agenda_item_id);
    target = item && item.querySelector('[data-list="materials"]');
  } else if (m.meeting_id === state.meetingId) {
    target = list("meeting-materials");
  }
  if (!target) { return false; }
  let node = document.getElementById(`material-${m.id}`);
  const fresh = !node;
  if (fresh) { node = clone("tpl-material", m, materialExtra(m)); target.append(node); } else { fill(node, m, materialExtra(m)); }
  node.className = `material material--${m.category}`;
  const label = node.querySelector("[data-category-label]");
  if (label) { label.textContent = t(m.category); }
  if (item) { item.querySelector('[data-if="has_materials"]').hidden = false; }
  return fresh;
}

function removeMaterial(m) {
  const node = document.getElementById(`material-${m.id}`);
  if (!node) { return; }
  const mats = node.parentElement;
  node.remove();
  const wrapper = mats.closest('[data-if="has_materials"]');
  if (wrapper) { wrapper.hidden = mats.children.length === 0; }
}

const MESSAGES = {
  "agenda_item.created": (d) => t("newItem", { item: d.title }),
  "agenda_item.updated": (d) => t("updatedItem", { item: d.title }),
  "agenda_item.proposed": (d) => (d.proposed_by_id === state.me ? t("saved") : t("proposed", { name: d.proposed_by_name, item: d.title })),
  "agenda_item.accepted": (d) => t("accepted", { item: d.title }),
  "agenda_item.declined": (d) => t("declined", { item: d.title }),
  "agenda_item.removed": (d) => t("removed", { item: d.title }),
  "agenda_item.concluded": (d) => t("concluded", { item: d.title }),
  "agenda_item.carried_over": (d) => t("carried", { item: d.title }),
};

/* ---- the minutes and the live-session links: fetched again ----------------------------------- */

const FRAGMENT_EVENTS = new Set(["idea.created", "idea.hidden", "idea.restored", "idea.merged", "idea.grouped",
  "idea.decided", "agreement.created", "vote.opened", "vote.revealed", "vote.locked", "vote.reopened", "vote.closed",
  "vote.answer_hidden", "vote.answer_restored", "live.started", "live.ended"]);
const FRAGMENT_MESSAGES = {
  "idea.decided": () => t("decided"),
  "agreement.created": () => t("agreement"),
  "live.started": () => t("liveStarted"),
  "live.ended": () => t("liveEnded"),
};
const FOCUSABLE = "a[href], button, summary, input, select, textarea";
let fragmentTimer = null;
let fragmentsStale = false;

/** Where focus is inside a fragment: the nearest element with an id and the focusable's index in it. */
function focusKey(fragment) {
  const active = document.activeElement;
  if (!active || !fragment.contains(active)) { return null; }
  const holder = active.id ? active : active.parentElement.closest("[id]");
  return { id: holder.id, index: active.id ? -1 : Array.from(holder.querySelectorAll(FOCUSABLE)).indexOf(active) };
}

function restoreFocus(key) {
  const holder = key && document.getElementById(key.id);
  if (!holder) { return; }
  const target = key.index < 0 ? holder : holder.querySelectorAll(FOCUSABLE)[key.index];
  if (target) { target.focus(); }
}

async function refreshFragments() {
  fragmentTimer = null;
  if (document.visibilityState === "hidden") { fragmentsStale = true; return; }
  fragmentsStale = false;
  let html = "";
  try {
    const response = await fetch(`/meetings/${state.meetingId}/minutes`, {
      credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) { fragmentsStale = true; return; }
    html = await response.text();
  } catch (e) { fragmentsStale = true; return; }
  const fresh = new DOMParser().parseFromString(html, "text/html");
  fresh.querySelectorAll("[data-fragment][id]").forEach((node) => {
    const current = document.getElementById(node.id);
    if (!current) { return; }
    current.querySelectorAll("details[open][id]").forEach((d) => {
      const again = node.querySelector(`#${CSS.escape(d.id)}`);
      if (again) { again.open = true; }
    });
    const key = focusKey(current);
    current.replaceWith(document.importNode(node, true));
    restoreFocus(key);
  });
}

function refreshSoon() {
  if (fragmentTimer === null) { fragmentTimer = window.setTimeout(refreshFragments, 800 + Math.random() * 1700); }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && fragmentsStale) { refreshSoon(); }
});

const seen = new Set();

function apply(frame) {
  const d = frame.data;
  const type = frame.type;
  const once = !seen.has(`${frame.room}:${frame.seq}`);
  seen.add(`${frame.room}:${frame.seq}`);
  if (FRAGMENT_EVENTS.has(type) || (type.startsWith("comment.") && d.idea_id)) {
    refreshSoon();
    if (once && FRAGMENT_MESSAGES[type]) { announce(FRAGMENT_MESSAGES[type](d)); }
    if (!type.startsWith("comment.")) { return; }
  }
  if (type.startsWith("agenda_item.")) {
    upsertItem(d);
    const minutes = document.getElementById("minutes");
    if (minutes && !minutes.hidden) { refreshSoon(); }
    if (once && MESSAGES[type]) { announce(MESSAGES[type](d)); }
  } else if (type === "agenda.reordered") {
    reorder(d.item_ids, once);
  } else if (type.startsWith("comment.")) {
    const fresh = upsertComment(d);
    if (once && fresh && d.author_id !== state.me) { announce(t("newComment", { name: d.author_name, item: titleOf(d.agenda_item_id) })); }
    if (once && type === "comment.hidden") { announce(t("hidden")); }
  } else if (type === "material.added") {
    if (upsertMaterial(d) && once && d.added_by_id !== state.me) { announce(t("material", { title: d.title })); }
  } else if (type === "material.removed") {
    removeMaterial(d);
  } else if (type === "meeting.updated") {
    const h1 = page.querySelector("h1");
    if (h1) { h1.textContent = d.title; }
  }
  refreshLists();
}

/* ---- drag and drop (the arrow buttons are the keyboard way) ---------------------------------- */

function sortable(agenda) {
  let dragged = null;
  let before = [];
  const order = () => Array.from(agenda.children).map((li) => Number(li.dataset.id));
  agenda.addEventListener("dragstart", (event) => {
    const li = event.target.closest && event.target.closest("li.item[draggable]");
    if (!li || li.parentElement !== agenda) { return; }
    dragged = li;
    before = order();
    li.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.dataset.id);
  });
  agenda.addEventListener("dragover", (event) => {
    if (!dragged) { return; }
    event.preventDefault();
    const over = event.target.closest && event.target.closest("li.item");
    if (!over || over === dragged || over.parentElement !== agenda) { return; }
    const box = over.getBoundingClientRect();
    agenda.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextElementSibling : over);
  });
  agenda.addEventListener("drop", (event) => { if (dragged) { event.preventDefault(); } });
  agenda.addEventListener("dragend", async () => {
    if (!dragged) { return; }
    const li = dragged;
    dragged = null;
    li.classList.remove("is-dragging");
    const now = order();
    if (now.join() === before.join()) { return; }
    lastMoved = Number(li.dataset.id);
    try {
      const answer = await postJson(`/meetings/${state.meetingId}/agenda/order`, { order: now });
      (answer.data.events || []).filter((f) => f.room === state.room).forEach(apply);
    } catch (e) {
      announce(t("moveFailed"));
      before.forEach((id) => { const n = itemNode(id); if (n) { agenda.append(n); } });
    }
  });
}

page.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches && form.matches("form[data-move]")) { lastMoved = Number(form.closest("li.item").dataset.id); }
}, true);

enhanceForms();
onDone(apply);
if (state.manage) { sortable(list("agenda")); }
connect(["agenda_item.created", "agenda_item.updated", "agenda_item.proposed", "agenda_item.accepted",
  "agenda_item.declined", "agenda_item.removed", "agenda_item.concluded", "agenda_item.carried_over",
  "agenda.reordered", "comment.created", "comment.edited", "comment.hidden", "comment.shown",
  "material.added", "material.removed", "meeting.updated", ...FRAGMENT_EVENTS], apply);
