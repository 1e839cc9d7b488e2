"""Helpers for the browser tests: signing in, page hygiene, accessibility, test data."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import ConsoleMessage, Page, expect

from server.app import create_app
from server.config import Settings
from server.demo import DEMO_USERS
from tests.api.fixtures import approved_procedure, complete
from tests.client import PASSWORDS, ApiClient

DASH = "\N{EN DASH}"  # ranges read "9.0 (en dash) 11.0 kg" on screen
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FULL_NAMES = {user.username: user.full_name for user in DEMO_USERS}
# Chromium reports every 4xx answer of fetch() as a console error, naming only the status.
_FAILED_RESOURCE = re.compile(r"status of (\d{3})")
# On opening, the app asks who is signed in: in a fresh browser, nobody (401).
SIGNED_OUT_PROBE = ("/api/v1/auth/me", 401)
# Recorded before any page script runs, so no violation can go unnoticed.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI || "inline"}`);
});
"""


@dataclass
class Site:
    api: ApiClient
    base_url: str


@dataclass
class PageWatch:
    """What went wrong in a page: console errors, uncaught errors, CSP violations."""

    page: Page
    errors: list[str] = field(default_factory=list)

    @classmethod
    async def attach(cls, page: Page) -> PageWatch:
        watch = cls(page)
        await page.add_init_script(script=_CSP_LISTENER)
        page.on("console", watch._console)
        page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
        return watch

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} @ {message.location.get('url', '')}")

    def forget_unreachable(self) -> None:
        """Drop the refused connections of a time the server was away (reported as
        ERR_FAILED when the viewer's service worker asked for them)."""
        self.errors = [
            error
            for error in self.errors
            if "WebSocket connection to" not in error
            and "ERR_CONNECTION_REFUSED" not in error
            and "net::ERR_FAILED" not in error
        ]

    async def assert_clean(self, *expected: tuple[str, int]) -> None:
        """No errors except the expected refusals, given as (API path, status)."""
        violations = await self.page.evaluate("window.__cspViolations ?? []")
        allowed = (SIGNED_OUT_PROBE, *expected)
        unexpected = [error for error in self.errors if not _expected(error, allowed)]
        assert not violations, f"CSP violations: {violations}"
        assert not unexpected, "errors in the page:\n" + "\n".join(unexpected)
        self.errors.clear()


def _expected(error: str, expected: tuple[tuple[str, int], ...]) -> bool:
    status = _FAILED_RESOURCE.search(error)
    return status is not None and any(
        error.endswith(path) and int(status.group(1)) == code for path, code in expected
    )


async def sign_in(page: Page, username: str, *, at: str = "/") -> None:
    """Sign in through the form, as a person would."""
    await page.goto(at)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORDS[username])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#signed-in-user")).to_contain_text(FULL_NAMES[username])


async def wait_until_live(page: Page) -> None:
    """The page has subscribed to its events (the indicator says Live)."""
    await expect(page.locator("#live-status")).to_have_text("Live")
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


async def start_server(settings: Settings, port: int | None = None) -> TestServer:
    """The application on a real port (a given one, to restart a server where it was)."""
    server = TestServer(create_app(settings), host="127.0.0.1", port=port)
    # Open WebSockets would hold a graceful shutdown for a minute; a second is plenty here.
    await server.start_server(shutdown_timeout=1.0)
    return server


def axe_source() -> str:
    path = os.environ.get("STEPWISE_AXE_JS")
    if not path:
        pytest.fail(
            "STEPWISE_AXE_JS is not set: the accessibility checks need axe-core. scripts/test "
            "installs it; by hand: npm install --prefix .cache/node axe-core@4 and export "
            "STEPWISE_AXE_JS=$PWD/.cache/node/node_modules/axe-core/axe.min.js"
        )
    if not Path(path).is_file():
        pytest.fail(f"STEPWISE_AXE_JS={path} does not exist.")
    return Path(path).read_text()


async def assert_accessible(page: Page, what: str) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    # add_script_tag would insert an inline <script>, which the page's CSP rightly refuses;
    # evaluating through DevTools is not subject to the page's policy.
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(axe_source())
    violations: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"accessibility violations on {what}: {serious}"


async def screenshot(page: Page, name: str) -> Path:
    path = ARTIFACTS / name  # the browser fixture created the folder
    await page.screenshot(path=str(path), full_page=True)
    return path


async def weighed_in_alert(api: ApiClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """`line_batch` with its weight recorded in the alert band (10.6 kg, with a comment):
    the batch, and the completion (its deviation among them)."""
    batch = await line_batch(api)
    weighed = await complete(
        api,
        batch["id"],
        "weigh",
        values={"net_kg": 10.6, "appearance": "conforms"},
        comment="Scale drift suspected",
    )
    assert weighed.status == 200, weighed.body
    return batch, weighed.body


async def line_batch(api: ApiClient, number: str = "TL-2026-0042") -> dict[str, Any]:
    """A started batch of the test procedure, its first step (checklist) done by olivia."""
    await approved_procedure(api, "test_line.yaml")
    created = await api.post(
        "/batches", "sam", {"procedure": "test-line", "batch_number": number, "parameters": {}}
    )
    assert created.status == 201, created.body
    batch = created.body
    started = await api.post(f"/batches/{batch['id']}/start", "olivia")
    assert started.status == 200, started.body
    done = await complete(api, batch["id"], "clearance", values={"area_clean": True})
    assert done.status == 200, done.body
    return batch
