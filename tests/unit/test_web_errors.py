"""Error rendering: friendly pages in the user's language, JSON for API callers, a 500 page that keeps
the security headers, and WebSocket scopes that pass the CSRF and locale middleware untouched."""

from __future__ import annotations

import pytest
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from app.errors import Conflict
from tests.unit.webapp import make_app


@pytest.fixture
def app(tmp_path):
    from sqlmodel import SQLModel

    from app.db import make_engine

    url = f"sqlite:///{tmp_path / 'errors.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return make_app(url)


def _add(app, route):
    app.router.routes.insert(0, route)


@pytest.mark.parametrize(("lang", "title"), [("da", "Siden findes ikke"), ("en", "Page not found")])
def test_unknown_page_gets_the_friendly_404(app, lang, title):
    with TestClient(app) as client:
        response = client.get(f"/nothing/here?lang={lang}")
    assert response.status_code == 404 and title in response.text and f'<html lang="{lang}">' in response.text


def test_domain_errors_become_json_for_api_callers(app):
    async def conflict(request):
        raise Conflict()

    _add(app, Route("/api/conflict", conflict))
    with TestClient(app) as client:
        response = client.get("/api/conflict", headers={"Accept-Language": "da"})
    assert response.status_code == 409
    message = "Det er allerede gjort eller ændret af en anden."
    assert response.json() == {"error": {"code": "conflict", "message": message}}


def test_a_crash_gets_the_friendly_500_page_with_security_headers(app):
    async def boom(request):
        raise RuntimeError("bug")

    _add(app, Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom?lang=en")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_websockets_pass_the_middleware(app):
    async def echo(websocket):
        await websocket.accept()
        await websocket.send_json({"locale": websocket.scope["state"]["locale"],
                                   "session": "session" in websocket.scope})
        await websocket.close()

    _add(app, WebSocketRoute("/ws/{room}", echo))
    with TestClient(app) as client, client.websocket_connect("/ws/meeting:1", headers={"Accept-Language": "en"}) as ws:
        assert ws.receive_json() == {"locale": "en", "session": True}
