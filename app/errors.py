"""Domain errors: a stable code, an HTTP status and a message for the user (translated at render).

Services raise these; each transport (page, JSON, socket) has one renderer for them.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = "Something went wrong."

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None, **params: object) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        self.params = params
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"code": self.code, "message": self.message}
        if self.fields:
            data["fields"] = self.fields
        return data


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = "We could not find that page. It may have been removed, or you may not have access."


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    default_message = "You do not have permission to do that."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = "Please log in to continue."


class InvalidInput(DomainError):
    code = "invalid"
    status = 422
    default_message = "Please correct the marked fields."


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = "That has already been done or changed by someone else."


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = "Too many requests. Please wait a moment and try again."
