"""GET /healthz: database and broker state as JSON (503 when either is down)."""

from __future__ import annotations

import anyio
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse


async def healthz(request: Request) -> JSONResponse:
    db = request.app.state.db

    def check_db() -> dict[str, object]:
        try:
            with db.read() as session:
                session.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]
            return {"ok": True, "dialect": db.dialect}
        except Exception as exc:
            return {"ok": False, "dialect": db.dialect, "error": type(exc).__name__}

    database = await anyio.to_thread.run_sync(check_db)
    broker = request.app.state.realtime.health()
    ok = bool(database["ok"]) and bool(broker.get("ok"))
    return JSONResponse({"ok": ok, "database": database, "broker": broker},
                        status_code=200 if ok else 503)
