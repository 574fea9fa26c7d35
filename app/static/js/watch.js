/* The material bank and the timeline, live (an ES module). Both follow the project's room.
 * The unfiltered material bank adds and removes materials as they come; a filtered bank and the
 * timeline (whose order and filters the server decides) show "there is something new — reload"
 * instead, and announce it once.
 */
import { announce, clone, connect, enhanceForms, fill, onDone, state, t } from "./process.js";

const bank = document.querySelector('[data-list="bank"]');
const banner = document.querySelector("[data-new-banner]");
const seen = new Set();

function somethingNew() {
  if (banner && banner.hidden) {
    banner.hidden = false;
    announce(t("newInputs"));
  }
}

function refresh() {
  if (!bank) { return; }
  bank.hidden = bank.children.length === 0;
  const empty = document.querySelector('[data-empty="bank"]');
  if (empty) { empty.hidden = bank.children.length > 0; }
}

function material(frame) {
  const m = frame.data;
  const extra = { removable: state.manage || (state.propose && m.added_by_id !== null && m.added_by_id === state.me) };
  if (frame.type === "material.removed") {
    const node = document.getElementById(`material-${m.id}`);
    if (node) { node.remove(); }
  } else {
    let node = document.getElementById(`material-${m.id}`);
    if (node) { fill(node, m, extra); } else {
      node = clone("tpl-material", m, extra);
      bank.prepend(node);
      if (m.added_by_id !== state.me) { announce(t("material", { title: m.title })); }
    }
    node.className = `material material--${m.category}`;
    const label = node.querySelector("[data-category-label]");
    if (label) { label.textContent = t(m.category); }
  }
  refresh();
}

function apply(frame) {
  const key = `${frame.room}:${frame.seq}`;
  if (seen.has(key)) { return; }
  seen.add(key);
  if (bank && state.unfiltered && frame.type.startsWith("material.")) { material(frame); } else { somethingNew(); }
}

enhanceForms();
onDone(apply);
connect(state.watch || [], apply);
