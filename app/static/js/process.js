/* GoDialog process pages (meeting/agenda, material bank, timeline): shared helpers. An ES module.
 *
 * The pages are rendered on the server and work without JavaScript. This module adds:
 * - enhanced forms: form[data-enhance] is sent with fetch (Accept: application/json, the CSRF
 *   header); on success the page stays put (the change arrives as events), on an error the
 *   messages appear at the fields. [data-reset] empties the form after success, [data-confirm]
 *   asks first, [data-max-bytes] refuses a too large file before uploading it;
 * - drafts: what is typed in form[data-draft] is kept in sessionStorage until it is sent (a locked
 *   phone or a reload does not lose it);
 * - live updates: connect(state, apply) follows the page's room with room.js's RoomClient and
 *   hands every event frame to apply(frame); the status line shows whether the page is live;
 * - filling server-rendered <template>s from an event's data (clone, fill), plain text with
 *   clickable links (plainText, as app/services/text.py renders it), announcements (announce).
 * No inline code, no eval, no innerHTML: text goes in as text nodes.
 */
import { RoomClient, registerReducer } from "./room.js";

export const state = JSON.parse(document.getElementById("page-state").textContent);
const TEXT = state.text || {};
const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
const CLOCK_SKEW = state.now ? Date.parse(state.now) - Date.now() : 0;

/* ---- text ------------------------------------------------------------------------------------ */

export function t(key, params) {
  const text = TEXT[key] || key;
  return params ? text.replace(/%\((\w+)\)[sd]/g, (all, name) => (name in params ? String(params[name]) : all)) : text;
}

export function count(key, num, params) {
  return t(num === 1 ? key + "1" : key + "N", Object.assign({ num }, params || {}));
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = ".,;:!?'\")]}»”’";

function splitUrl(match) {
  let url = match;
  let tail = "";
  while (url && TRAILING.includes(url[url.length - 1])) {
    if (url.endsWith(")") && (url.match(/\(/g) || []).length >= (url.match(/\)/g) || []).length) { break; }
    tail = url[url.length - 1] + tail;
    url = url.slice(0, -1);
  }
  return [url, tail];
}

/** Put text into el as typed: text nodes, with http(s):// and www. addresses made links. */
export function plainText(el, text) {
  el.textContent = "";
  const value = text || "";
  let position = 0;
  value.replace(URL_RE, (match, offset) => {
    const [url, tail] = splitUrl(match);
    if (url.length <= 4 || /^https?:\/\/$/i.test(url)) { return match; }
    el.append(value.slice(position, offset));
    const a = document.createElement("a");
    a.href = /^https?:\/\//i.test(url) ? url : "https://" + url;
    a.rel = "nofollow ugc noopener noreferrer";
    a.textContent = url;
    el.append(a, tail);
    position = offset + match.length;
    return match;
  });
  el.append(value.slice(position));
}

const TIME = new Intl.DateTimeFormat(state.locale || "da", {
  dateStyle: "short", timeStyle: "short", timeZone: "Europe/Copenhagen" });

export function formatSize(size) {
  if (!size) { return ""; }
  if (size >= 1048576) { return (size / 1048576).toFixed(1) + " MB"; }
  return size >= 1024 ? Math.round(size / 1024) + " kB" : size + " B";
}

/* ---- templates ------------------------------------------------------------------------------- */

function truthy(value) {
  if (Array.isArray(value)) { return value.length > 0; }
  return value !== null && value !== undefined && value !== false && value !== "" && value !== 0;
}

function test(values, expression) {
  let m = expression.match(/^(\w+)(!?=)(.*)$/);
  if (m) { return (String(values[m[1]] ?? "") === m[3]) === (m[2] === "="); }
  m = expression.match(/^(!?)(\w+)$/);
  return m ? truthy(values[m[2]]) !== (m[1] === "!") : true;
}

function safeHref(value) {
  return /^(https?:\/\/|\/)/i.test(value) ? value : "#";
}

/** Fill the parts of an entity node that belong to it (not to entities nested in it). */
export function fill(root, data, extra) {
  const values = Object.assign({}, data, extra || {});
  const own = (el) => el.closest("[data-entity]") === root;
  root.querySelectorAll("[data-text]").forEach((el) => {
    if (own(el)) { el.textContent = values[el.dataset.text] ?? ""; }
  });
  root.querySelectorAll("[data-plain]").forEach((el) => { if (own(el)) { plainText(el, values[el.dataset.plain]); } });
  root.querySelectorAll("[data-time]").forEach((el) => {
    if (!own(el)) { return; }
    const value = values[el.dataset.time];
    el.setAttribute("datetime", value || "");
    el.textContent = value ? TIME.format(new Date(value)) : "";
  });
  root.querySelectorAll("[data-size]").forEach((el) => { if (own(el)) { el.textContent = formatSize(values[el.dataset.size]); } });
  root.querySelectorAll("[data-href]").forEach((el) => {
    if (!own(el)) { return; }
    const template = el.dataset.href;
    const whole = template.match(/^\{(\w+)\}$/);
    const href = whole ? String(values[whole[1]] ?? "")
      : template.replace(/\{(\w+)\}/g, (all, key) => encodeURIComponent(String(values[key] ?? "")));
    el.setAttribute("href", safeHref(href));
  });
  root.querySelectorAll("[data-if]").forEach((el) => { if (own(el)) { el.hidden = !test(values, el.dataset.if); } });
  return root;
}

/** A new node from <template id=tplId>: its {key} placeholders in attributes (ids, form actions,
 *  label targets) replaced by the entity's numbers, then filled. */
export function clone(tplId, data, extra) {
  const node = document.getElementById(tplId).content.firstElementChild.cloneNode(true);
  const swap = (text) => text.replace(/\{(\w+)\}/g, (all, key) => {
    const value = data[key];
    return typeof value === "number" ? String(value) : (value === null || value === undefined ? "" : all);
  });
  [node, ...node.querySelectorAll("*")].forEach((el) => {
    Array.from(el.attributes).forEach((attr) => {
      if (attr.name !== "data-href" && attr.value.includes("{")) { el.setAttribute(attr.name, swap(attr.value)); }
    });
  });
  return fill(node, data, extra);
}

/* ---- announcements and the live status line -------------------------------------------------- */

export function announce(text) {
  const region = document.querySelector("[data-announcer]");
  if (!region || !text) { return; }
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 60);
}

function showStatus(status) {
  const line = document.querySelector("[data-live-status]");
  if (!line) { return; }
  const key = { live: "live", connecting: "connecting", offline: "offline", refused: "stopped", resync: "reloading" }[status];
  line.hidden = false;
  line.dataset.state = status;
  line.querySelector("[data-live-text]").textContent = t(key || "connecting");
}

/** Follow the page's room: every persisted event of `types` goes to apply(frame), in seq order. */
export function connect(types, apply) {
  const roomState = new Proxy({}, {
    set(target, key, value) {
      target[key] = value;
      if (key === "status") { showStatus(value); }
      return true;
    },
  });
  types.forEach((type) => registerReducer(type, (s, data, frame) => apply(frame)));
  const client = new RoomClient({ room: state.room, seq: state.seq, state: roomState });
  window.addEventListener("online", () => client.reconnect());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && roomState.status !== "live") { client.reconnect(); }
  });
  return client.start();
}

/** Apply the frames a form's JSON answer carried (those of this page's room) right away. */
export function onDone(apply) {
  document.addEventListener("gd:done", (event) => {
    const frames = (event.detail && event.detail.data && event.detail.data.events) || [];
    frames.filter((f) => f.room === state.room).forEach((f) => apply(f));
  });
}

export function serverNow() { return Date.now() + CLOCK_SKEW; }

/* ---- forms ----------------------------------------------------------------------------------- */

function fieldOf(form, name) { return form.querySelector(`[name="${CSS.escape(name)}"]:not([type="hidden"])`); }

export function clearErrors(form) {
  form.querySelectorAll("[data-js-error]").forEach((el) => el.remove());
  form.querySelectorAll(".field--error").forEach((el) => el.classList.remove("field--error"));
  form.querySelectorAll('[aria-invalid="true"]').forEach((el) => {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.endsWith("-jserror"));
    if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); } else { el.removeAttribute("aria-describedby"); }
  });
}

export function showErrors(form, message, fields) {
  clearErrors(form);
  let first = null;
  Object.entries(fields || {}).forEach(([name, text]) => {
    const input = fieldOf(form, name);
    if (!input) { message = message ? message + " " + text : text; return; }
    const wrapper = input.closest(".field") || input.parentElement;
    wrapper.classList.add("field--error");
    const p = document.createElement("p");
    p.className = "field__error";
    p.id = (input.id || name) + "-jserror";
    p.dataset.jsError = "";
    p.textContent = text;
    input.before(p);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + p.id).trim());
    first = first || input;
  });
  if (message && !first) {
    const p = document.createElement("p");
    p.className = "form-error";
    p.setAttribute("role", "alert");
    p.dataset.jsError = "";
    p.textContent = message;
    form.prepend(p);
  }
  if (first) { first.focus(); }
}

function draftKey(form, name) { return `godialog:draft:${location.pathname}:${form.getAttribute("action")}:${name}`; }

function saveDraft(field) {
  const form = field.form;
  if (!form || !form.hasAttribute("data-draft") || !field.name || field.type === "hidden" || field.type === "file") { return; }
  try { sessionStorage.setItem(draftKey(form, field.name), field.value); } catch (e) { /* storage blocked */ }
}

function clearDrafts(form) {
  form.querySelectorAll("input[name], textarea[name]").forEach((f) => {
    try { sessionStorage.removeItem(draftKey(form, f.name)); } catch (e) { /* storage blocked */ }
  });
}

export function restoreDrafts(root) {
  (root || document).querySelectorAll("form[data-draft]").forEach((form) => {
    form.querySelectorAll("input[name]:not([type=hidden]):not([type=file]), textarea[name]").forEach((f) => {
      let saved = null;
      try { saved = sessionStorage.getItem(draftKey(form, f.name)); } catch (e) { /* storage blocked */ }
      if (saved && !f.value) {
        f.value = saved;
        const details = form.closest("details");
        if (details) { details.open = true; }
      }
    });
  });
}

function tooLarge(form) {
  const limit = Number(form.dataset.maxBytes || 0);
  const input = form.querySelector('input[type="file"]');
  if (!limit || !input || !input.files || !input.files[0] || input.files[0].size <= limit) { return false; }
  showErrors(form, "", { [input.name]: form.dataset.tooLarge });
  return true;
}

async function send(form, submitter) {
  const body = new FormData(form);
  if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
  const buttons = form.querySelectorAll("button, input[type=submit]");
  const focused = document.activeElement;
  buttons.forEach((b) => { b.disabled = true; });
  form.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(form.getAttribute("action"), {
      method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": CSRF } });
    let answer = null;
    try { answer = await response.json(); } catch (e) { answer = null; }
    if (response.ok && answer && answer.ok) {
      clearErrors(form);
      clearDrafts(form);
      if (form.hasAttribute("data-reset")) { form.reset(); }
      const details = form.closest("details");
      if (details && !form.hasAttribute("data-keep-open")) {
        details.open = false;
        const summary = details.querySelector("summary");
        if (summary && form.contains(document.activeElement)) { summary.focus(); }
      }
      form.dispatchEvent(new CustomEvent("gd:done", { bubbles: true, detail: answer }));
      return;
    }
    const error = (answer && answer.error) || {};
    showErrors(form, error.message || t("error"), error.fields);
    form.dispatchEvent(new CustomEvent("gd:failed", { bubbles: true, detail: { status: response.status, error } }));
  } catch (e) {
    showErrors(form, t("error"), null);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    form.removeAttribute("aria-busy");
    // A disabled button loses focus: give it back (keyboard users keep their place, e.g. after "move up").
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && focused && focused.isConnected && !focused.closest("[hidden]")) { focused.focus(); }
  }
}

export function enhanceForms() {
  document.addEventListener("submit", (event) => {
    const form = event.target.closest ? event.target.closest("form[data-enhance]") : null;
    if (!form || !window.fetch) { return; }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { return; }
    if (tooLarge(form)) { return; }
    send(form, event.submitter);
  });
  document.addEventListener("input", (event) => saveDraft(event.target));
  document.addEventListener("change", (event) => {
    const form = event.target.form;
    if (form && event.target.type === "file") { clearErrors(form); tooLarge(form); }
  });
  restoreDrafts(document);
}

/** POST a JSON body (drag and drop's new order); resolves with the JSON answer or rejects. */
export async function postJson(url, data) {
  const response = await fetch(url, { method: "POST", credentials: "same-origin", body: JSON.stringify(data),
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": CSRF } });
  const answer = await response.json().catch(() => null);
  if (!response.ok || !answer || !answer.ok) { throw Object.assign(new Error("refused"), { answer }); }
  return answer;
}
