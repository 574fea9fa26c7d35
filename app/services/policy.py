"""The one answer to "may this actor do this action on this object".

Every service asks here; nothing checks permissions inline. The rules:

* **read** — organisation admins and staff, and every member of the project (followers, and
  participants and facilitators of any phase, past or present). A public report is read by anyone.
* **comment**, **propose** — the circle (facilitators and participants) of the phase the object
  lives in, and only while that phase is the project's current (active) phase; admins always.
* **manage** — facilitators of the object's phase while it is not closed; admins always.
  Project-wide objects belong to the current phase for this purpose.
* **create_project**, **invite_staff** on an organisation — its admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.errors import Forbidden, NotAuthenticated
from app.services.actor import Actor


class Action(StrEnum):
    read = "read"
    comment = "comment"
    propose = "propose"
    manage = "manage"


class OrgAction(StrEnum):
    create_project = "create_project"
    invite_staff = "invite_staff"
    read = "read"


KINDS = ("project", "phase", "meeting", "agenda_item", "comment", "material", "idea", "vote",
         "agreement")


@dataclass(frozen=True)
class Scope:
    """Where an object lives, as far as permission is concerned."""

    kind: str
    org_id: int
    project_id: int
    phase_id: int | None = None
    phase_status: str | None = None
    current_phase_id: int | None = None
    author_id: int | None = None
    public: bool = False

    @property
    def acting_phase_id(self) -> int | None:
        return self.phase_id if self.phase_id is not None else self.current_phase_id


def may(actor: Actor, action: Action | str, scope: Scope) -> bool:
    action = Action(action)
    if actor.is_anonymous:
        return action is Action.read and scope.public
    if actor.org_roles.get(scope.org_id) == "admin":
        return True
    if action is Action.read:
        return scope.public or scope.org_id in actor.org_roles or actor.in_project(scope.project_id)
    phase_id = scope.acting_phase_id
    role = actor.phase_role(phase_id)
    if role is None:
        return False
    if action is Action.manage:
        return role == "facilitator" and scope.phase_status != "closed"
    return phase_id == scope.current_phase_id and scope.phase_status in (None, "active")


def may_org(actor: Actor, action: OrgAction | str, org_id: int) -> bool:
    action = OrgAction(action)
    role = actor.org_roles.get(org_id)
    if action is OrgAction.read:
        return role is not None
    return role == "admin"


def require(actor: Actor, action: Action | str, scope: Scope) -> None:
    """Raise Forbidden (or NotAuthenticated for the anonymous) unless ``may``."""
    if not may(actor, action, scope):
        raise NotAuthenticated() if actor.is_anonymous else Forbidden()


def require_org(actor: Actor, action: OrgAction | str, org_id: int) -> None:
    if not may_org(actor, action, org_id):
        raise NotAuthenticated() if actor.is_anonymous else Forbidden()
