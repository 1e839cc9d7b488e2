"""Signing in and out of the web viewer with a browser session."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.browser.support import PageWatch, Site, assert_accessible, sign_in

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


async def test_sign_in_shows_name_and_roles_and_sets_an_httponly_strict_cookie(
    page: Page, context: BrowserContext, watch: PageWatch
) -> None:
    await page.goto("/#/batches")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await assert_accessible(page, "the sign-in page")
    await sign_in(page, "olivia", at="/#/batches")
    user = page.locator("#signed-in-user")
    await expect(user).to_contain_text("Olivia Operator")
    await expect(user).to_contain_text("Operator")
    await expect(page.get_by_role("heading", name="Batches", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    cookie = next(c for c in await context.cookies() if c["name"] == "stepwise_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert await page.evaluate("document.cookie") == "", "the session is invisible to scripts"
    await watch.assert_clean()


async def test_sign_out_ends_the_session(
    page: Page, context: BrowserContext, site: Site, watch: PageWatch
) -> None:
    await sign_in(page, "olivia")
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_text("You have signed out.")
    await expect(page.locator("#signed-in-user")).to_have_count(0)
    answer = await context.request.get(site.base_url + "/api/v1/auth/me")
    assert answer.status == 401, "the cookie no longer opens the API"
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await watch.assert_clean()


async def test_wrong_password_shows_a_clear_message_at_the_form(
    page: Page, watch: PageWatch
) -> None:
    await page.goto("/")
    await page.get_by_label("Username").fill("olivia")
    await page.get_by_label("Password").fill("not-her-password")
    await page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_have_text("Unknown username or wrong password.")
    await expect(page.get_by_label("Password")).to_have_value("")
    await expect(page.get_by_label("Password")).to_be_focused()
    await expect(page.locator("#signed-in-user")).to_have_count(0)
    await assert_accessible(page, "the sign-in page with an error")
    await watch.assert_clean(("/api/v1/auth/session", 401))


async def test_empty_fields_are_named_without_asking_the_server(
    page: Page, watch: PageWatch
) -> None:
    await page.goto("/")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("Enter your username.")).to_be_visible()
    await expect(page.get_by_text("Enter your password.")).to_be_visible()
    await expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Username")).to_be_focused()
    await watch.assert_clean()


async def test_keyboard_alone_signs_in_and_skips_to_the_content(
    page: Page, watch: PageWatch
) -> None:
    await page.goto("/")
    await expect(page.get_by_label("Username")).to_be_focused()
    await page.keyboard.type("sam")
    await page.keyboard.press("Tab")
    await page.keyboard.type("sam-demo")
    await page.keyboard.press("Enter")
    await expect(page.locator("#signed-in-user")).to_contain_text("Sam Supervisor")
    await expect(page.get_by_role("heading", name="Batches", exact=True)).to_be_focused()
    await page.reload()  # a fresh page: the first Tab reaches the skip link
    await expect(page.get_by_role("heading", name="Batches", exact=True)).to_be_visible()
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Batches", exact=True)).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="New batch")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="New batch")).to_be_focused()
    await watch.assert_clean()
