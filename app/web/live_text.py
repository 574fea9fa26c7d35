"""The texts the live pages' scripts show, translated on the server (the scripts get them in the page's
JSON config under ``texts``; a text with ``%(name)s`` is filled in by the script)."""

from __future__ import annotations

from functools import cache

from app import i18n
from app.i18n import N_

TEXTS: dict[str, str] = {
    # connection
    "online": N_("Live"),
    "connecting": N_("Connecting…"),
    "offline": N_("No connection. What you send is kept on this device and sent when you are back online."),
    "reloading": N_("Catching up with the room…"),
    "waiting": N_("Waiting to be sent"),
    "sent": N_("Sent"),
    "failed": N_("Not sent"),
    "people_one": N_("%(num)s person here"),
    "people_many": N_("%(num)s people here"),
    "here_one": N_("person here"),
    "here_many": N_("people here"),
    "and_more": N_("and %(num)s more"),
    # focus and timer
    "no_focus": N_("The facilitator has not picked an agenda item yet."),
    "minutes_left": N_("%(time)s left"),
    "overtime": N_("%(time)s over time"),
    "no_timer": N_("No time set"),
    "item_of": N_("Item %(n)s of %(total)s"),
    "focus_on": N_("Focus on “%(title)s”"),
    "edit_item": N_("Edit “%(title)s”"),
    # ideas
    "idea_needs_title": N_("Give your idea a short title."),
    "idea_sent": N_("Thank you! Your idea is on the wall."),
    "idea_queued": N_("Your idea is kept and will be sent when you are back online."),
    "idea_hidden": N_("Hidden by the facilitator"),
    "hidden_reason": N_("Hidden by the facilitator: %(reason)s"),
    "merged_into": N_("Merged into “%(title)s”"),
    "merged_count_one": N_("+%(num)s similar idea"),
    "merged_count_many": N_("+%(num)s similar ideas"),
    "anonymous": N_("Anonymous"),
    "you": N_("You"),
    "new_ideas_one": N_("%(num)s idea"),
    "new_ideas_many": N_("%(num)s ideas"),
    "no_ideas": N_("No ideas yet. Be the first!"),
    "status_new": N_("New"),
    "status_go-on": N_("Goes on"),
    "status_parked": N_("Parked"),
    "status_rejected": N_("Rejected"),
    "status_scheduled": N_("Scheduled"),
    "other_ideas": N_("Other ideas"),
    # votes
    "kind_dots": N_("Dot voting"),
    "kind_yes-no": N_("Yes / no"),
    "kind_scale": N_("Scale 1-5"),
    "kind_open": N_("Open question"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "abstain": N_("Abstain"),
    "dots_left": N_("%(left)s of %(total)s dots left"),
    "dots_on": N_("%(num)s dots on “%(label)s”"),
    "add_dot": N_("Add a dot to “%(label)s”"),
    "remove_dot": N_("Take a dot from “%(label)s”"),
    "vote_counted": N_("Your vote is counted. You can change it until the vote is locked."),
    "vote_queued": N_("Your vote is kept and will be sent when you are back online."),
    "vote_locked": N_("The vote is locked."),
    "vote_closed": N_("The vote is closed."),
    "voters_one": N_("%(num)s has voted"),
    "voters_many": N_("%(num)s have voted"),
    "results_hidden": N_("The results are shown when the facilitator reveals them."),
    "results": N_("Results"),
    "mean": N_("Average: %(mean)s"),
    "count_dots_one": N_("%(num)s dot"),
    "count_dots_many": N_("%(num)s dots"),
    "count_votes_one": N_("%(num)s vote"),
    "count_votes_many": N_("%(num)s votes"),
    "no_answers": N_("No answers yet."),
    "status_open": N_("Open"),
    "status_locked": N_("Locked"),
    "status_closed": N_("Closed"),
    "revealed": N_("Results shown"),
    "hidden_results": N_("Results hidden"),
    "live_results": N_("Live results"),
    # reactions
    "reaction_like": N_("Thumbs up"),
    "reaction_love": N_("Love it"),
    "reaction_clap": N_("Applause"),
    "reaction_idea": N_("Good idea"),
    "reaction_question": N_("I have a question"),
    "reaction_sent": N_("Reaction sent"),
    # agreements
    "owner": N_("Owner: %(name)s"),
    "no_owner": N_("No owner yet"),
    "deadline": N_("Deadline: %(date)s"),
    "no_deadline": N_("No deadline"),
    "agreement_made": N_("New agreement"),
    "agreement_n": N_("Agreement %(n)s"),
    # console
    "dots_question": N_("Which ideas should we go on with?"),
    "hide_answer": N_("Hide the answer"),
    "hide_answer_reason": N_("Not suitable for the word cloud"),
    "hide_comment_reason": N_("Off topic or not suitable for the room"),
    "confirm_end": N_("End the live session for everyone? The code stops working."),
    "hide_reason_prompt": N_("Why is it hidden? Everyone sees the reason."),
    "present_now": N_("In the room now"),
    "everyone": N_("Everyone in the project"),
    "choose_owner": N_("Choose an owner"),
    "selected_one": N_("%(num)s idea chosen"),
    "selected_many": N_("%(num)s ideas chosen"),
    "done": N_("Done"),
    "saved": N_("Saved"),
    "error": N_("That did not work. Please try again."),
    "check_input": N_("Please check what you typed."),
    "session_ended": N_("The live session has ended. Thank you for taking part!"),
    "session_not_started": N_("The live session has not started yet. Stay on this page: it starts by itself."),
    "comment_sent": N_("Your comment is posted."),
    "comment_hidden": N_("Hidden by the facilitator"),
}


@cache
def js_texts(locale: str) -> dict[str, str]:
    return {key: i18n.gettext(locale, msgid) for key, msgid in TEXTS.items()}
