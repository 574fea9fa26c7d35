"""Browser test harness: a real uvicorn serving the app on a fresh SQLite file, and Playwright driving
Debian's chromium. ``axe_check(page)`` runs the vendored axe-core and fails on serious or critical
violations; every page also fails the test if the browser reports a Content-Security-Policy
violation or a JavaScript error.

Set GODIALOG_SHOTS=/some/dir to save screenshots of the pages the tests visit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table
from app.db import make_engine
from app.settings import ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]
SHOTS = os.environ.get("GODIALOG_SHOTS")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base_url: str
    database_url: str
    log: Path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn --factory app.main:create_app on a free port, with its own SQLite database."""
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'e2e.db'}"
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATABASE_URL=database_url, SECRET_KEY="e2e-secret-key-not-for-production", MAIL_BACKEND="console",
               BASE_URL=base_url, ENVIRONMENT="test", UPLOAD_DIR=str(folder / "uploads"))
    log = folder / "uvicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base_url, process, log)
        yield Server(base_url=base_url, database_url=database_url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"uvicorn did not answer within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (install Debian's chromium; `make test` does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageProblems:
    """Console errors (CSP violations, JavaScript errors) a page reported."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.messages.append(msg.text))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))

    def assert_none(self) -> None:
        assert self.messages == [], "the browser reported errors:\n" + "\n".join(self.messages)


@pytest.fixture
def new_context(browser: Any, server: Server) -> Iterator[Any]:
    """``new_context(**options) -> (context, page, problems)``; contexts are closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> tuple[Any, Any, PageProblems]:
        options.setdefault("locale", "da-DK")  # the browser's Accept-Language: Danish, as at a Danish workshop
        context = browser.new_context(base_url=server.base_url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        return context, page, problems

    yield make
    for context in contexts:
        context.close()


def axe_check(page: Any, *, name: str = "") -> None:
    """Run axe-core on the page (WCAG 2.1 A/AA rules); fail on serious or critical violations."""
    # Let arrival animations (fade-ins) end first: a half-faded element is not what people read.
    page.evaluate("() => Promise.all(document.getAnimations()"
                  ".filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)"
                  ".map(a => a.finished.catch(() => null)))")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # DevTools evaluation: not subject to the page's CSP
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(f"{v['impact']}: {v['id']} — {v['help']}: "
                       + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                                   for n in v["nodes"][:5]) for v in bad)
    assert not bad, f"axe found serious/critical problems on {name or page.url}:\n{report}"
    if SHOTS:
        shot(page, name or page.url.rsplit("/", 1)[-1] or "home")


def shot(page: Any, name: str) -> None:
    """A full-page screenshot into $GODIALOG_SHOTS (when set)."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
