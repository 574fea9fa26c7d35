"""The application factory. ``uvicorn --factory app.main:create_app`` serves it.

The lifespan opens the database, the broker and the hub; nothing here is module state.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from app.db import Database
from app.settings import Settings


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    from app.realtime.runtime import Realtime
    from app.web.handlers import exception_handlers
    from app.web.middleware import middleware
    from app.web.routes import routes

    db = Database(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        realtime = Realtime(settings, db)
        app.state.realtime = realtime
        await realtime.start()
        try:
            yield
        finally:
            await realtime.stop()
            db.dispose()

    app = Starlette(
        debug=False,
        routes=routes(settings),
        middleware=middleware(settings),
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    return app
