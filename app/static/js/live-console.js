/* The facilitator's console: focus and timer, the agenda, anonymous mode, every idea (hide and show,
 * merge, group, decide with agreements made on the spot), votes (open, reveal, lock, close; the
 * tally preview; open answers moderated), agreements, comments. Alpine component "liveConsole".
 * Every action is a socket command (docs/realtime.md); the room's events update the lists. */
import {
  activeVotes, agreementDeadline, agreementOwner, connectionText, countText, errorText, focusItem, mergedCount,
  resultRows, secondsLeft, send, startLive, statusText, t, timerText, tn,
} from "./live.js";

let rowSerial = 0;

function blankRow(title) {
  rowSerial += 1;
  return { key: rowSerial, title: title || "", owner_id: "", deadline: "" };
}

function localToday() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

function consoleComponent(Alpine) {
  return {
    notice: "",
    noticeError: false,
    newItemTitle: "",
    newItemMinutes: "",
    selected: [],
    groupHeading: "",
    openForm: "",
    openIdea: null,
    hideReason: "",
    mergeTarget: "",
    decision: "go-on",
    decisionNote: "",
    decisionError: "",
    agreementRows: [],
    voteFormOpen: false,
    voteKind: "dots",
    voteQuestion: "",
    voteDots: "3",
    voteLabels: "",
    voteLive: false,
    voteError: "",
    today: localToday(),

    get s() { return Alpine.store("live"); },

    init() {
      this.voteQuestion = this.defaultQuestion;
      this.$watch("voteKind", (kind, old) => {
        if (!this.voteQuestion || (old === "dots" && this.voteQuestion === t("dots_question"))) {
          this.voteQuestion = this.defaultQuestion;
        }
      });
    },

    // --- feedback -----------------------------------------------------------------------------
    get noticeClass() { return this.noticeError ? "console-notice--error" : ""; },
    say(text, error) { this.notice = text; this.noticeError = Boolean(error); },
    run(type, data, done) {
      this.say("");
      return send(type, data).then((ack) => { if (done) { done(ack); } return ack; }, (error) => {
        this.say(errorText(error), true);
        throw error;
      });
    },
    quiet(type, data, done) { this.run(type, data, done).catch(() => undefined); },

    // --- status -------------------------------------------------------------------------------
    get connection() { return connectionText(this.s); },
    get connectionClass() { return `live-status--${this.s.status}`; },
    get peopleText() { return tn("people", this.s.presence.count); },

    // --- agenda, focus and timer --------------------------------------------------------------
    get agenda() { return this.s.agenda; },
    get agendaEmpty() { return this.s.agenda.length === 0; },
    get hasFocus() { return Boolean(focusItem(this.s)); },
    get focusTitle() { const item = focusItem(this.s); return item ? item.title : ""; },
    get timer() { return timerText(this.s.live, this.s.now); },
    get timerClass() {
      const left = secondsLeft(this.s.live, this.s.now);
      return left !== null && left < 0 ? "live-timer--over" : "";
    },
    get focusIndex() {
      const id = this.s.live && this.s.live.focus_item_id;
      return this.s.agenda.findIndex((i) => i.id === id);
    },
    get atFirst() { return this.focusIndex <= 0; },
    get atLast() { return this.focusIndex >= this.s.agenda.length - 1; },
    itemClass(item) { return { "agenda-list__item--focus": this.s.live && this.s.live.focus_item_id === item.id }; },
    focusPressed(item) { return this.s.live && this.s.live.focus_item_id === item.id ? "true" : "false"; },
    focusLabel(item) { return t("focus_on", { title: item.title }); },
    minutesText(item) { return item.planned_minutes ? `${item.planned_minutes} min` : ""; },
    focus(item) { this.quiet("live.focus", { item_id: item.id }); },
    nextItem() {
      const next = this.s.agenda[this.focusIndex + 1];
      if (next) { this.focus(next); }
    },
    previousItem() {
      const previous = this.s.agenda[this.focusIndex - 1];
      if (previous) { this.focus(previous); }
    },
    addMinutes(minutes) { this.quiet("live.timer", { add_minutes: minutes }); },
    restartTimer() { this.quiet("live.timer", { restart: true }); },
    addItem() {
      const title = this.newItemTitle.trim();
      if (!title) { return; }
      const minutes = this.newItemMinutes === "" ? null : Number(this.newItemMinutes);
      this.quiet("agenda.add_item", { title, planned_minutes: minutes }, () => {
        this.newItemTitle = "";
        this.newItemMinutes = "";
        this.say(t("saved"));
      });
    },
    editItemId: null,
    editTitle: "",
    editMinutes: "",
    editLabel(item) { return t("edit_item", { title: item.title }); },
    editOpen(item) { return this.editItemId === item.id; },
    itemFieldId(kind, item) { return `item-${kind}-${item.id}`; },
    openEdit(item) {
      if (this.editOpen(item)) { this.closeEdit(); return; }
      this.editItemId = item.id;
      this.editTitle = item.title;
      this.editMinutes = item.planned_minutes ? String(item.planned_minutes) : "";
      this.$nextTick(() => { const field = document.getElementById(this.itemFieldId("title", item)); if (field) { field.focus(); } });
    },
    closeEdit() { this.editItemId = null; },
    saveItem(item) {
      const minutes = this.editMinutes === "" ? null : Number(this.editMinutes);
      this.quiet("agenda.update_item", { item_id: item.id, title: this.editTitle.trim(), description: item.description || "",
        planned_minutes: minutes }, () => { this.closeEdit(); this.say(t("saved")); });
    },
    get anonymous() { return Boolean(this.s.live && this.s.live.anonymous); },
    toggleAnonymous(event) { this.quiet("live.anonymity", { anonymous: event.target.checked }); },

    // --- ideas --------------------------------------------------------------------------------
    get ideas() { return [...this.s.ideas].filter((i) => !i.merged_into_id).sort((a, b) => b.id - a.id); },
    get ideaCount() { return String(this.ideas.length); },
    get noIdeas() { return this.ideas.length === 0; },
    pickId(idea) { return `pick-${idea.id}`; },
    formId(kind, idea) { return `${kind}-${idea.id}`; },
    rowId(kind, idea, index) { return `${kind}-${idea.id}-${index}`; },
    ideaClass(idea) { return { "console-idea--hidden": idea.hidden, [`console-idea--${idea.status}`]: true }; },
    authorOf(idea) { return this.anonymous || !idea.author_name ? t("anonymous") : idea.author_name; },
    isDecided(idea) { return idea.status !== "new"; },
    statusOf(idea) { return statusText(idea.status); },
    statusClass(idea) { return `badge--${idea.status}`; },
    ideaLabel(idea) { return idea.title || t("idea_hidden"); },
    hiddenText(idea) { return t("hidden_reason", { reason: idea.hidden_reason }); },
    mergedOf(idea) { const n = mergedCount(this.s, idea); return n ? tn("merged_count", n) : ""; },
    canDecide(idea) { return !idea.hidden; },
    canMerge(idea) { return !idea.hidden && this.ideas.length > 1; },
    canAddAgreement(idea) { return idea.status === "go-on"; },
    isSelected(idea) { return this.selected.includes(idea.id); },
    toggleSelected(idea) {
      this.selected = this.isSelected(idea) ? this.selected.filter((id) => id !== idea.id) : [...this.selected, idea.id];
    },
    get hasSelection() { return this.selected.length > 0; },
    get selectionText() { return tn("selected", this.selected.length); },
    get selectedIdeas() { return this.ideas.filter((i) => this.selected.includes(i.id)); },
    clearSelection() { this.selected = []; },
    groupSelected() {
      this.quiet("idea.group", { idea_ids: [...this.selected], heading: this.groupHeading }, () => {
        this.selected = [];
        this.groupHeading = "";
        this.say(t("done"));
      });
    },
    useSelectionForVote() {
      this.voteKind = "dots";
      this.voteFormOpen = true;
      if (!this.voteQuestion) { this.voteQuestion = this.defaultQuestion; }
      this.$nextTick(() => { const field = document.getElementById("vote-question"); if (field) { field.focus(); } });
    },

    // the forms under an idea: one open at a time
    toggleForm(kind, idea) {
      const open = this.openForm === kind && this.openIdea === idea.id;
      this.openForm = open ? "" : kind;
      this.openIdea = open ? null : idea.id;
      this.decisionError = "";
      this.$nextTick(() => {
        const field = document.getElementById(this.firstFieldId(kind, idea));
        if (!open && field) { field.focus(); }
      });
    },
    firstFieldId(kind, idea) {
      return { hide: `hide-${idea.id}`, merge: `merge-${idea.id}`, decide: `decision-${idea.id}`,
        agreement: `more-title-${idea.id}-0` }[kind];
    },
    isOpen(kind, idea) { return this.openForm === kind && this.openIdea === idea.id; },
    closeForms() { this.openForm = ""; this.openIdea = null; },
    hideOpen(idea) { return this.isOpen("hide", idea); },
    mergeOpen(idea) { return this.isOpen("merge", idea); },
    decisionOpen(idea) { return this.isOpen("decide", idea); },
    agreementOpen(idea) { return this.isOpen("agreement", idea); },
    openHide(idea) { this.hideReason = ""; this.toggleForm("hide", idea); },
    hide(idea) {
      this.quiet("idea.hide", { idea_id: idea.id, reason: this.hideReason }, () => { this.closeForms(); });
    },
    restore(idea) { this.quiet("idea.restore", { idea_id: idea.id }); },
    mergeTargets(idea) { return this.ideas.filter((i) => i.id !== idea.id && !i.hidden); },
    openMerge(idea) {
      const first = this.mergeTargets(idea)[0];
      this.mergeTarget = first ? String(first.id) : "";
      this.toggleForm("merge", idea);
    },
    merge(idea) {
      if (!this.mergeTarget) { return; }
      this.quiet("idea.merge", { idea_id: idea.id, into_id: Number(this.mergeTarget) }, () => { this.closeForms(); });
    },
    openDecision(idea) {
      this.decision = "go-on";
      this.decisionNote = idea.decision_note || "";
      this.agreementRows = [blankRow(idea.title)];
      this.toggleForm("decide", idea);
    },
    get goesOn() { return this.decision === "go-on"; },
    get canAddRow() { return this.agreementRows.length < 5; },
    addAgreementRow() { this.agreementRows.push(blankRow("")); },
    agreementLegend(index) { return t("agreement_n", { n: index + 1 }); },
    rowsData() {
      return this.agreementRows.map((row) => ({ title: row.title.trim(), owner_id: row.owner_id ? Number(row.owner_id) : null,
        deadline: row.deadline || "" }));
    },
    decide(idea) {
      const data = { idea_id: idea.id, decision: this.decision, note: this.decisionNote,
        agreements: this.goesOn ? this.rowsData() : [] };
      this.decisionError = "";
      send("idea.decide", data).then(() => { this.closeForms(); this.say(t("saved")); },
        (error) => { this.decisionError = errorText(error); });
    },
    openAgreement(idea) {
      this.agreementRows = [blankRow(idea.title)];
      this.toggleForm("agreement", idea);
    },
    addAgreement(idea) {
      const [row] = this.rowsData();
      this.decisionError = "";
      send("agreement.create", { idea_id: idea.id, ...row }).then(() => { this.closeForms(); this.say(t("saved")); },
        (error) => { this.decisionError = errorText(error); });
    },

    // --- owners: who is here first, then everyone in the project ------------------------------
    get presentPeople() { return this.s.presence.people.filter((p) => p.id !== null); },
    get otherPeople() {
      const present = new Set(this.presentPeople.map((p) => p.id));
      return this.s.people.filter((p) => !present.has(p.id));
    },
    get people() {
      const known = new Set(this.s.people.map((p) => p.id));
      return [...this.s.people, ...this.presentPeople.filter((p) => !known.has(p.id))];
    },
    get presentLabel() { return t("present_now"); },
    get everyoneLabel() { return t("everyone"); },

    // --- votes --------------------------------------------------------------------------------
    get defaultQuestion() { return this.voteKind === "dots" ? t("dots_question") : ""; },
    get isDotVote() { return this.voteKind === "dots"; },
    voteFormToggled(event) { this.voteFormOpen = event.target.open; },
    get votes() {
      const active = activeVotes(this.s);
      const closed = this.s.votes.filter((v) => v.status === "closed").sort((a, b) => b.id - a.id);
      return [...active, ...closed];
    },
    get noVotes() { return this.s.votes.length === 0; },
    openVote() {
      const labels = this.voteLabels.split("\n").map((l) => l.trim()).filter(Boolean);
      const data = { kind: this.voteKind, question: this.voteQuestion.trim(), dots_per_person: Number(this.voteDots) || 0,
        idea_ids: this.isDotVote ? this.selectedIdeas.map((i) => i.id) : [], labels: this.isDotVote ? labels : [],
        results_live: Boolean(this.voteLive) };
      this.voteError = "";
      send("vote.open", data).then(() => {
        this.voteFormOpen = false;
        this.selected = [];
        this.voteLabels = "";
        this.voteQuestion = this.defaultQuestion;
        this.say(t("done"));
      }, (error) => { this.voteError = errorText(error); });
    },
    kindText(vote) { return t(`kind_${vote.kind}`); },
    voteStatus(vote) { return t(`status_${vote.status}`); },
    resultsMode(vote) {
      if (vote.revealed) { return t("revealed"); }
      return vote.results_live ? t("live_results") : t("hidden_results");
    },
    voteClass(vote) { return `console-vote--${vote.status}`; },
    votersText(vote) { return tn("voters", vote.voters || 0); },
    resultRows(vote) { return resultRows(vote); },
    rowClass(vote, row) { return { "bars__row--hidden": row.hidden, "bars__row--moderated": vote.kind === "open" }; },
    barStyle(row) { return { width: `${row.share}%` }; },
    countText(vote, row) { return countText(vote, row.count); },
    isNotClosed(vote) { return vote.status !== "closed"; },
    canReveal(vote) { return !vote.revealed && !vote.results_live; },
    canLock(vote) { return vote.status === "open"; },
    canReopen(vote) { return vote.status === "locked"; },
    reveal(vote) { this.quiet("vote.reveal", { vote_id: vote.id }); },
    lock(vote) { this.quiet("vote.lock", { vote_id: vote.id }); },
    reopen(vote) { this.quiet("vote.reopen", { vote_id: vote.id }); },
    closeVote(vote) { this.quiet("vote.close", { vote_id: vote.id }); },
    canHideAnswer(vote, row) { return vote.kind === "open" && !row.hidden; },
    hideAnswerLabel(row) { return `${t("hide_answer")}: ${row.label}`; },
    hideAnswer(vote, row) {
      this.quiet("answer.hide", { option_id: Number(row.key), reason: t("hide_answer_reason") });
    },
    restoreAnswer(vote, row) { this.quiet("answer.restore", { option_id: Number(row.key) }); },

    // --- agreements and comments --------------------------------------------------------------
    get agreements() { return [...this.s.agreements].sort((a, b) => b.id - a.id); },
    get noAgreements() { return this.s.agreements.length === 0; },
    ownerText(agreement) { return agreementOwner(agreement); },
    deadlineText(agreement) { return agreementDeadline(agreement, this.s.locale); },
    get comments() { return [...this.s.comments].sort((a, b) => b.id - a.id).slice(0, 50); },
    get noComments() { return this.s.comments.length === 0; },
    commentMeta(comment) {
      const item = this.s.agenda.find((i) => i.id === comment.agenda_item_id);
      const who = this.anonymous ? t("anonymous") : comment.author_name;
      return item ? `${who} · ${item.title}` : who;
    },
    commentBody(comment) { return comment.hidden ? t("hidden_reason", { reason: comment.hidden_reason }) : comment.body; },
    commentClass(comment) { return comment.hidden ? "comment__body--hidden" : ""; },
    hideComment(comment) { this.quiet("comment.hide", { comment_id: comment.id, reason: t("hide_comment_reason") }); },
    showComment(comment) { this.quiet("comment.show", { comment_id: comment.id }); },
  };
}

document.addEventListener("alpine:init", () => {
  const Alpine = globalThis.Alpine;
  startLive(Alpine);
  Alpine.data("liveConsole", () => consoleComponent(Alpine));
});
