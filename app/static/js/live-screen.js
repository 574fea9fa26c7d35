/* The projector screen (1920x1080): the item in focus with its timer, people present, the idea wall
 * grouped by heading, the current vote as a chart (or a word cloud) once results are shown, the
 * agreements made, floating reactions. Alpine component "liveScreen". */
import {
  REACTIONS, activeVotes, agreementDeadline, agreementOwner, authorText, focusItem, isAnonymous, isRunning,
  mergedCount, resultRows, secondsLeft, startLive, statusText, t, timerText, tn, wallIdeas,
} from "./live.js";

const WALL_MAX = 24;
const EMOJI = Object.fromEntries(REACTIONS.map((r) => [r.kind, r.emoji]));

function screen(Alpine) {
  return {
    get s() { return Alpine.store("live"); },

    get peopleCount() { return String(this.s.presence.count); },
    get peopleLabel() { return t(this.s.presence.count === 1 ? "here_one" : "here_many"); },
    get peopleNames() {
      if (isAnonymous(this.s)) { return ""; }
      const people = this.s.presence.people.filter((p) => p.id !== null);
      const names = people.slice(0, 12).map((p) => p.name).join(", ");
      const more = this.s.presence.count - Math.min(12, people.length);
      return more > 0 && names ? `${names} ${t("and_more", { num: more })}` : names;
    },
    get running() { return isRunning(this.s); },
    get notRunning() { return !isRunning(this.s); },
    get notRunningText() { return this.s.live ? t("session_ended") : t("session_not_started"); },
    get hasFocus() { return isRunning(this.s) && Boolean(focusItem(this.s)); },
    get focusTitle() { const item = focusItem(this.s); return item ? item.title : this.s.meeting.title; },
    get timer() { return timerText(this.s.live, this.s.now); },
    get timerClass() {
      const left = secondsLeft(this.s.live, this.s.now);
      if (left === null) { return ""; }
      if (left < 0) { return "screen__timer--over"; }
      return left < 60 ? "screen__timer--soon" : "";
    },

    // --- the vote on screen: the newest that is not closed ------------------------------------
    get vote() { return isRunning(this.s) ? activeVotes(this.s)[0] || null : null; },
    get voteKind() { return this.vote ? t(`kind_${this.vote.kind}`) : ""; },
    get shown() { return Boolean(this.vote && this.vote.tally && (this.vote.results_live || this.vote.revealed)); },
    get resultsHidden() { return Boolean(this.vote) && !this.shown; },
    get votersText() { return this.vote ? tn("voters", this.vote.voters || 0) : ""; },
    get showChart() { return this.shown && this.vote.kind !== "open"; },
    get showCloud() { return this.shown && this.vote.kind === "open" && this.rows.length > 0; },
    get cloudEmpty() { return this.shown && this.vote.kind === "open" && this.rows.length === 0; },
    get noAnswersText() { return t("no_answers"); },
    get rows() { return this.vote ? resultRows(this.vote) : []; },
    get meanText() {
      return this.shown && this.vote.kind === "scale" && this.vote.tally.mean !== null
        ? t("mean", { mean: String(this.vote.tally.mean).replace(".", this.s.locale === "da" ? "," : ".") }) : "";
    },
    barStyle(row) { return { width: `${Math.max(row.share, row.count ? 2 : 0)}%` }; },
    get cloud() {
      return this.rows.slice(0, 40).map((row) => ({ ...row, countText: `(${row.count})` }));
    },
    wordStyle(word) { return { fontSize: `${(1.6 + (word.share / 100) * 3.4).toFixed(2)}rem` }; },

    // --- the wall -----------------------------------------------------------------------------
    get showWall() { return isRunning(this.s) && !this.vote; },
    get ideas() { return wallIdeas(this.s).filter((i) => !i.hidden).slice(0, WALL_MAX); },
    get ideaCount() { return String(wallIdeas(this.s).filter((i) => !i.hidden).length); },
    get wallEmpty() { return this.ideas.length === 0; },
    get noIdeasText() { return t("no_ideas"); },
    get groups() {
      const byHeading = new Map();
      this.ideas.forEach((idea) => {
        const heading = idea.group_heading || "";
        if (!byHeading.has(heading)) { byHeading.set(heading, []); }
        byHeading.get(heading).push(idea);
      });
      const named = [...byHeading.keys()].filter((h) => h).sort((a, b) => a.localeCompare(b));
      const groups = named.map((heading) => ({ heading, ideas: byHeading.get(heading) }));
      if (byHeading.has("")) {
        groups.push({ heading: named.length ? t("other_ideas") : "", ideas: byHeading.get("") });
      }
      return groups;
    },
    ideaTitle(idea) { return idea.title; },
    ideaClass(idea) { return { [`wall-idea--${idea.status}`]: true, "wall-idea--new": this.isFresh(idea) }; },
    isFresh(idea) { return this.s.now - Date.parse(idea.created_at) < 4000; },
    authorOf(idea) { return authorText({ ...this.s, me: { id: null } }, idea); },
    isDecided(idea) { return idea.status !== "new"; },
    statusOf(idea) { return statusText(idea.status); },
    statusClass(idea) { return `badge--${idea.status}`; },
    mergedOf(idea) { const n = mergedCount(this.s, idea); return n ? tn("merged_count", n) : ""; },

    // --- agreements ---------------------------------------------------------------------------
    get agreements() { return [...this.s.agreements].sort((a, b) => b.id - a.id).slice(0, 4); },
    get hasAgreements() { return this.s.agreements.length > 0; },
    get newAgreementText() { return t("agreement_made"); },
    isNewest(agreement) { return agreement.id === this.s.lastAgreementId; },
    agreementClass(agreement) { return { "screen-agreement--new": this.isNewest(agreement) }; },
    agreementMeta(agreement) {
      return `${agreementOwner(agreement)} · ${agreementDeadline(agreement, this.s.locale)}`;
    },

    // --- reactions ----------------------------------------------------------------------------
    get reactions() { return this.s.reactions; },
    burstStyle(burst) { return { left: `${burst.left}%` }; },
    burstEmoji(burst) { return EMOJI[burst.kind] || ""; },
    get anonymous() { return isAnonymous(this.s); },
  };
}

document.addEventListener("alpine:init", () => {
  const Alpine = globalThis.Alpine;
  startLive(Alpine);
  Alpine.data("liveScreen", () => screen(Alpine));
});
