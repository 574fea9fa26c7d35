"""Commands of the co-creation process, merged into ``COMMANDS`` by ``commands.py``.

``comment.add`` comments on an agenda item, an idea or an agreement of the meeting whose room the
socket is in, through the one comments service (``app.services.comments.add_comment``). Comments
outside any meeting (on an agreement of the project) are posted with the page forms.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlmodel import Session

from app.errors import NotFound
from app.realtime.commands import COMMANDS, Command, CommandData
from app.services import comments
from app.services.actor import Actor
from app.services.process_inputs import COMMENT_MAX, CommentInput, parse


class CommentAdd(CommandData):
    target: Literal["agenda_item", "idea", "agreement"]
    target_id: int = Field(ge=1)
    body: str = Field(max_length=COMMENT_MAX * 2)


def _add(session: Session, actor: Actor, meeting_id: int, data: CommentAdd) -> object:
    comment = comments.add_comment(session, actor, comments.Target(data.target, data.target_id),
                                   inputs=parse(CommentInput, {"body": data.body}))
    if comment.meeting_id != meeting_id:
        raise NotFound()  # not this meeting's: the whole command is rolled back
    return comment


PROCESS_COMMANDS = [
    Command("comment.add", CommentAdd, _add, "app.services.comments.add_comment", ("meeting",),
            "Comment on an agenda item, an idea or an agreement of the meeting (`target`: agenda_item, idea or "
            "agreement; `target_id`; `body`, plain text up to 4000 characters). Needs the comment right in the "
            "meeting's (current) phase. Answers with the seq of its comment.created in the meeting's room."),
]
COMMANDS.update({c.type: c for c in PROCESS_COMMANDS})
