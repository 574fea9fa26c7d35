"""The whole URL map in one named list."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.settings import ROOT, Settings
from app.web import health


def routes(settings: Settings) -> list[BaseRoute]:
    return [
        Route("/healthz", health.healthz, name="healthz"),
        Mount("/static", app=StaticFiles(directory=ROOT / "app" / "static"), name="static"),
    ]
