"""DomainError -> page or JSON; friendly 403/404/500."""

from __future__ import annotations

from typing import Any


def exception_handlers() -> dict[Any, Any]:
    return {}
