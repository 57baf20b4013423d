"""Browser fixtures: the local stack serving the dashboard, Debian's chromium driven by Playwright.

One stack and one browser per test module; every page fails its test on a console error.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from vkc.db.engine import get_engine

from devtools.local_stack import LocalStack
from tests.support.world import World, build_world

ROOT = Path(__file__).resolve().parents[3]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Installs Debian's chromium where it is missing (CI starts on a fresh machine)."""
    done = subprocess.run([str(ROOT / "scripts" / "ensure-chromium.sh")], check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"w{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True) as s:
        yield s


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def world(stack: LocalStack) -> World:
    """The known world of tests.support.world (comments dated January–March 2024) in the stack's database."""
    return build_world(get_engine(stack.settings))


@pytest.fixture(scope="module")
def world_api(stack: LocalStack, world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": world.api_key}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


class ConsoleErrors:
    """Console errors and uncaught exceptions of a page; a test fails if any appear."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium logs every 4xx fetch; an API answer the screen handles (401 at sign-in, 422 shown as a
        # problem banner) is not an error of the page. A missing static file or any script error still is.
        if message.text.startswith("Failed to load resource") and "/v1/" in url:
            return
        self.messages.append(f"{message.text} ({url})")


@pytest.fixture
def page(browser: Browser, stack: LocalStack) -> Iterator[Page]:
    """A fresh tab on the dashboard, Russian, Moscow time; fails the test on any console error."""
    context = browser.new_context(
        base_url=stack.api_url, locale="ru-RU", timezone_id="Europe/Moscow", viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    errors = ConsoleErrors(tab)
    yield tab
    context.close()
    assert errors.messages == [], f"console errors: {errors.messages}"


@pytest.fixture
def signed_in(page: Page, stack: LocalStack) -> Page:
    """The page after signing in with the stack's key, on the overview."""
    sign_in(page, stack.api_key)
    page.get_by_test_id("workspace-name").wait_for()
    page.get_by_test_id("kpi-comments").wait_for()  # the first overview's requests are answered
    return page


@pytest.fixture
def signed_in_world(page: Page, world: World) -> Page:
    """The page signed in to the known world's workspace."""
    sign_in(page, world.api_key)
    page.get_by_test_id("workspace-name").wait_for()
    page.get_by_test_id("kpi-comments").wait_for()  # the first overview's requests are answered
    return page


def sign_in(page: Page, key: str) -> None:
    page.goto("/")
    page.locator('input[name="api-key"]').fill(key)
    page.get_by_role("button", name="Войти").click()


def assert_accessible(page: Page) -> None:
    """axe-core (vendored for tests, never served) finds no serious or critical violations."""
    # evaluated through the devtools protocol: the page's CSP (no inline scripts) stays in force
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    assert bad == [], "\n".join(bad)


def screenshot(page: Page, screen: str) -> None:
    """Saves docs/screenshots/<screen>.png (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{screen}.png"), full_page=True)
