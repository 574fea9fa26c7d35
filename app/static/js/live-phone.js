/* The phone view (and the remote follower's view): the item in focus, the open votes, the idea box
 * (kept on the phone and shown as "waiting" until the server has it), reactions, comments on the
 * item, the idea wall and the agreements. Alpine component "livePhone". */
import {
  REACTIONS, activeVotes, agreementDeadline, agreementOwner, authorText, connectionText, countText, errorText,
  focusItem, isAnonymous, isRunning, mergedCount, resultRows, send, startLive, statusText, t, timerText, tn,
  wallIdeas, secondsLeft,
} from "./live.js";

const CHOICES = {
  "yes-no": () => [{ value: "yes", label: t("yes") }, { value: "no", label: t("no") }, { value: "abstain", label: t("abstain") }],
  scale: () => ["1", "2", "3", "4", "5"].map((n) => ({ value: Number(n), label: n })),
};

function phone(Alpine) {
  return {
    ideaTitle: "",
    ideaBody: "",
    ideaError: "",
    ideaNotice: "",
    answerText: "",
    commentText: "",
    commentError: "",
    reactionNotice: "",
    drafts: {},
    answersDraft: {},
    voteNotice: {},
    reactionKinds: REACTIONS,

    get s() { return Alpine.store("live"); },

    // --- the room -----------------------------------------------------------------------------
    get connection() { return connectionText(this.s); },
    get connectionClass() { return `live-status--${this.s.status}`; },
    get showPeople() { return this.s.presence.count > 0; },
    get peopleText() { return tn("people", this.s.presence.count); },
    get running() { return isRunning(this.s); },
    get notRunning() { return !isRunning(this.s); },
    get notRunningText() { return this.s.live ? t("session_ended") : t("session_not_started"); },
    get canTakePart() { return isRunning(this.s) && this.s.me.may_take_part; },
    get canReact() { return this.canTakePart; },
    get canComment() { return this.s.me.may_take_part && Boolean(focusItem(this.s)); },

    // --- focus --------------------------------------------------------------------------------
    get hasFocus() { return isRunning(this.s) && Boolean(focusItem(this.s)); },
    get focusTitle() { const item = focusItem(this.s); return item ? item.title : t("no_focus"); },
    get focusDescription() { const item = focusItem(this.s); return item ? item.description : ""; },
    get timer() { return timerText(this.s.live, this.s.now); },
    get timerClass() {
      const left = secondsLeft(this.s.live, this.s.now);
      return left !== null && left < 0 ? "live-timer--over" : "";
    },

    // --- ideas --------------------------------------------------------------------------------
    get ideaInvalid() { return this.ideaError ? "true" : "false"; },
    get ideaFieldClass() { return this.ideaError ? "field--error" : ""; },
    get outbox() {
      return this.s.pending.filter((c) => c.type === "idea.submit").map((c) => ({ id: c.id, title: c.data.title }));
    },
    get hasOutbox() { return this.outbox.length > 0; },
    get waitingText() { return t("waiting"); },
    submitIdea() {
      const title = this.ideaTitle.trim();
      if (!title) { this.ideaError = t("idea_needs_title"); return; }
      const body = this.ideaBody.trim();
      this.ideaError = "";
      this.ideaTitle = "";
      this.ideaBody = "";
      this.ideaNotice = this.s.status === "live" ? "" : t("idea_queued");
      let answered = false;
      globalThis.setTimeout(() => { if (!answered) { this.ideaNotice = t("idea_queued"); } }, 1500);
      send("idea.submit", { title, body }).then(() => { answered = true; this.ideaNotice = t("idea_sent"); }, (error) => {
        answered = true;
        this.ideaTitle = this.ideaTitle || title;
        this.ideaBody = this.ideaBody || body;
        this.ideaError = errorText(error);
        this.ideaNotice = "";
      });
    },
    get wall() { return wallIdeas(this.s); },
    get wallCount() { return String(this.wall.length); },
    get wallEmpty() { return this.wall.length === 0; },
    get noIdeasText() { return t("no_ideas"); },
    ideaTitleText(idea) { return idea.hidden ? t("hidden_reason", { reason: idea.hidden_reason }) : idea.title; },
    ideaClass(idea) { return { "idea--hidden": idea.hidden, "idea--mine": idea.author_id === this.s.me.id }; },
    authorOf(idea) { return authorText(this.s, idea); },
    isDecided(idea) { return idea.status !== "new"; },
    statusOf(idea) { return statusText(idea.status); },
    statusClass(idea) { return `badge--${idea.status}`; },
    mergedOf(idea) { const n = mergedCount(this.s, idea); return n ? tn("merged_count", n) : ""; },

    // --- votes --------------------------------------------------------------------------------
    get votes() { return activeVotes(this.s); },
    voteHeadingId(vote) { return `vote-${vote.id}`; },
    answerId(vote) { return `answer-${vote.id}`; },
    kindText(vote) { return t(`kind_${vote.kind}`); },
    isDots(vote) { return vote.kind === "dots"; },
    isChoice(vote) { return vote.kind === "yes-no" || vote.kind === "scale"; },
    isOpenQuestion(vote) { return vote.kind === "open"; },
    isClosedForBallots(vote) { return vote.status !== "open" || !this.s.me.may_take_part; },
    visibleOptions(vote) { return vote.options.filter((o) => !o.hidden); },
    myBallot(vote) { return this.s.ballots[String(vote.id)] || null; },
    draft(vote) {
      const key = String(vote.id);
      if (!this.drafts[key]) {
        const ballot = this.myBallot(vote);
        this.drafts[key] = { ...((ballot && ballot.dots) || {}) };
      }
      return this.drafts[key];
    },
    dotsOn(vote, option) { return String(this.draft(vote)[String(option.id)] || 0); },
    dotsUsed(vote) { return Object.values(this.draft(vote)).reduce((a, b) => a + b, 0); },
    dotsLeftText(vote) {
      return t("dots_left", { left: vote.dots_per_person - this.dotsUsed(vote), total: vote.dots_per_person });
    },
    dotsOnLabel(vote, option) { return t("dots_on", { num: this.dotsOn(vote, option), label: option.label }); },
    addDotLabel(option) { return t("add_dot", { label: option.label }); },
    removeDotLabel(option) { return t("remove_dot", { label: option.label }); },
    cannotAdd(vote) { return this.isClosedForBallots(vote) || this.dotsUsed(vote) >= vote.dots_per_person; },
    cannotRemove(vote, option) { return this.isClosedForBallots(vote) || !this.draft(vote)[String(option.id)]; },
    cannotSendDots(vote) { return this.isClosedForBallots(vote) || this.dotsUsed(vote) === 0; },
    addDot(vote, option) {
      if (this.cannotAdd(vote)) { return; }
      const draft = this.draft(vote);
      draft[String(option.id)] = (draft[String(option.id)] || 0) + 1;
    },
    removeDot(vote, option) {
      const draft = this.draft(vote);
      const key = String(option.id);
      if (draft[key]) { draft[key] -= 1; if (!draft[key]) { delete draft[key]; } }
    },
    sendDots(vote) { this.cast(vote, { dots: { ...this.draft(vote) } }); },
    choicesOf(vote) { return CHOICES[vote.kind](); },
    chosenState(vote, choice) {
      const ballot = this.myBallot(vote);
      const mine = ballot ? (vote.kind === "scale" ? ballot.score : ballot.choice) : undefined;
      return mine === choice.value ? "true" : "false";
    },
    choose(vote, choice) {
      const data = vote.kind === "scale" ? { score: choice.value } : { choice: choice.value };
      this.s.ballots[String(vote.id)] = data;
      this.cast(vote, data);
    },
    myAnswers(vote) { return this.answersDraft[String(vote.id)] || []; },
    hasMyAnswers(vote) { return this.myAnswers(vote).length > 0; },
    cannotAnswer(vote) { return this.isClosedForBallots(vote) || this.myAnswers(vote).length >= 3; },
    sendAnswer(vote) {
      const text = this.answerText.trim();
      if (!text || this.cannotAnswer(vote)) { return; }
      const answers = [...this.myAnswers(vote), text];
      this.answersDraft[String(vote.id)] = answers;
      this.answerText = "";
      this.cast(vote, { answers });
    },
    cast(vote, choices) {
      const key = String(vote.id);
      this.voteNotice[key] = this.s.status === "live" ? "" : t("vote_queued");
      send("ballot.cast", { vote_id: vote.id, ...choices }).then(() => {
        this.voteNotice[key] = t("vote_counted");
        if (choices.dots) { this.s.ballots[key] = { dots: choices.dots }; }
      }, (error) => { this.voteNotice[key] = errorText(error); });
    },
    ballotText(vote) {
      if (vote.status === "locked") { return t("vote_locked"); }
      const waiting = this.s.pending.some((c) => c.type === "ballot.cast" && c.data.vote_id === vote.id);
      if (waiting && this.s.status !== "live") { return t("vote_queued"); }
      return this.voteNotice[String(vote.id)] || (this.myBallot(vote) ? t("vote_counted") : "");
    },
    votersText(vote) {
      const shown = vote.results_live || vote.revealed;
      return shown || vote.voters ? tn("voters", vote.voters || 0) : "";
    },
    hasResults(vote) { return Boolean(vote.tally) && (vote.results_live || vote.revealed); },
    resultRows(vote) { return resultRows(vote); },
    barStyle(row) { return { width: `${row.share}%` }; },
    countText(vote, row) { return countText(vote, row.count); },

    // --- reactions ----------------------------------------------------------------------------
    reactionLabel(reaction) { return t(`reaction_${reaction.kind}`); },
    react(reaction) {
      if (this.s.status !== "live") { return; }
      this.reactionNotice = "";
      send("reaction.send", { kind: reaction.kind }).then(() => { this.reactionNotice = t("reaction_sent"); },
        () => undefined);
    },

    // --- comments -----------------------------------------------------------------------------
    get focusComments() {
      const item = focusItem(this.s);
      return item ? this.s.comments.filter((c) => c.agenda_item_id === item.id) : [];
    },
    commentAuthor(comment) {
      if (comment.hidden || isAnonymous(this.s)) { return ""; }
      return comment.author_id === this.s.me.id ? t("you") : comment.author_name;
    },
    commentBody(comment) { return comment.hidden ? t("hidden_reason", { reason: comment.hidden_reason }) : comment.body; },
    commentClass(comment) { return comment.hidden ? "comment__body--hidden" : ""; },
    sendComment() {
      const item = focusItem(this.s);
      const body = this.commentText.trim();
      if (!item || !body) { return; }
      this.commentText = "";
      this.commentError = "";
      send("comment.add", { target: "agenda_item", target_id: item.id, body }).catch((error) => {
        this.commentText = this.commentText || body;
        this.commentError = errorText(error);
      });
    },

    // --- agreements ---------------------------------------------------------------------------
    get agreements() { return [...this.s.agreements].sort((a, b) => b.id - a.id); },
    get hasAgreements() { return this.s.agreements.length > 0; },
    ownerText(agreement) { return agreementOwner(agreement); },
    deadlineText(agreement) { return agreementDeadline(agreement, this.s.locale); },
  };
}

document.addEventListener("alpine:init", () => {
  const Alpine = globalThis.Alpine;
  startLive(Alpine);
  Alpine.data("livePhone", () => phone(Alpine));
});
