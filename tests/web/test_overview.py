"""Sign-in and the overview in a real browser: what the screen shows is what the API answers."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from devtools.local_stack import LocalStack
from tests.web.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.web]

ROUTES = ["overview", "communities", "comments", "keywords", "jobs", "exports", "alerts", "settings"]


def test_wrong_key_gets_a_clear_message_and_is_not_kept(page: Page) -> None:
    sign_in(page, f"vkc_wrong_{uuid.uuid4().hex}")
    expect(page.get_by_role("alert")).to_contain_text("Ключ не принят")
    assert page.evaluate("sessionStorage.length") == 0
    assert_accessible(page)
    screenshot(page, "signin")


def test_right_key_shows_the_workspace_and_sign_out_forgets_it(page: Page, stack: LocalStack, api: httpx.Client) -> None:
    sign_in(page, stack.api_key)
    expect(page.get_by_test_id("workspace-name")).to_have_text(api.get("/v1/workspace").json()["name"])
    expect(page).to_have_url(f"{stack.api_url}/#/overview")
    page.get_by_role("button", name="Выйти").click()
    expect(page.locator('input[name="api-key"]')).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


@pytest.mark.parametrize("period, days", [("d7", 7), ("d30", 30)])
def test_kpis_equal_the_apis_answers(signed_in: Page, api: httpx.Client, period: str, days: int) -> None:
    page = signed_in
    with page.expect_response(lambda r: "/v1/stats/kpis" in r.url and f"period={period}" not in r.url) as seen:
        page.get_by_label({"d7": "7 дней", "d30": "30 дней"}[period]).check()
    sent = httpx.URL(seen.value.url).params
    answer = api.get("/v1/stats/kpis", params=dict(sent)).json()
    assert answer["previous_to"] == answer["date_from"]
    expect(page.get_by_test_id("kpi-comments")).to_have_text(_number(answer["comments"]["current"]))
    expect(page.get_by_test_id("kpi-matched")).to_have_text(_number(answer["matched_comments"]["current"]))
    expect(page.get_by_test_id("kpi-communities")).to_have_text(_number(answer["communities"]["current"]))
    expect(page.get_by_test_id("kpi-negative-share")).to_have_text(_share(answer["negative_share"]["current"]))


def test_overview_is_accessible(signed_in: Page) -> None:
    page = signed_in
    page.get_by_test_id("timeline").locator("canvas").wait_for()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "overview")


def test_every_route_is_reachable_from_the_keyboard(signed_in: Page, stack: LocalStack) -> None:
    page = signed_in
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        testid = page.evaluate("document.activeElement?.dataset?.testid || ''")
        if testid.startswith("nav-"):
            reached.append(testid.removeprefix("nav-"))
        if len(reached) == len(ROUTES):
            break
    assert reached == ROUTES
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{stack.api_url}/#/settings")
    expect(page.get_by_role("link", name="Настройки")).to_have_attribute("aria-current", "page")


def _number(value: int) -> str:
    """Russian grouping as Intl.NumberFormat('ru') writes it (a narrow no-break space)."""
    return f"{value:,}".replace(",", "\u00a0")


def _share(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(value * 100, 1):g}".replace(".", ",") + "\u00a0%"
