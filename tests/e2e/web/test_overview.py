"""Sign-in and the overview in a real browser: what the screen shows is what the API answers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, Response, expect

from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token, wait_for_job
from tests.e2e.web.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.web]

MOSCOW = ZoneInfo("Europe/Moscow")
ROUTES = ["overview", "communities", "comments", "keywords", "jobs", "exports", "alerts", "settings"]


def test_wrong_key_gets_a_clear_message_and_is_not_kept(page: Page) -> None:
    sign_in(page, f"vkc_wrong_{uuid.uuid4().hex}")
    expect(page.get_by_role("alert")).to_contain_text("Ключ не принят")
    assert page.evaluate("sessionStorage.length") == 0
    assert_accessible(page)
    screenshot(page, "signin")


def test_right_key_shows_the_workspace_and_sign_out_forgets_it(
    page: Page, stack: LocalStack, api: httpx.Client
) -> None:
    sign_in(page, stack.api_key)
    expect(page.get_by_test_id("workspace-name")).to_have_text(api.get("/v1/workspace").json()["name"])
    expect(page).to_have_url(f"{stack.api_url}/#/overview")
    page.get_by_role("button", name="Выйти").click()
    expect(page.locator('input[name="api-key"]')).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


@pytest.mark.parametrize(
    "period",
    [
        "period=custom&from=2024-01-01&to=2024-03-31",  # the known world's comments: January–March 2024
        "period=custom&from=2024-02-01&to=2024-03-31",  # against January's (the previous period)
        "period=d30",  # the default is 7 days: a new period makes a new request
    ],
)
def test_kpis_equal_the_apis_answers(signed_in_world: Page, world_api: httpx.Client, period: str) -> None:
    page = signed_in_world
    with page.expect_response(_stats("kpis", _window_start(period))) as seen:
        page.goto(f"/#/overview?{period}")
    answer = world_api.get("/v1/stats/kpis", params=dict(httpx.URL(seen.value.url).params)).json()
    if "2024-01-01" in period:
        assert (answer["comments"]["current"], answer["communities"]["current"]) == (4, 2)  # the world, seen
    expect(page.get_by_test_id("kpi-comments")).to_have_text(_number(answer["comments"]["current"]))
    expect(page.get_by_test_id("kpi-matched")).to_have_text(_number(answer["matched_comments"]["current"]))
    expect(page.get_by_test_id("kpi-communities")).to_have_text(_number(answer["communities"]["current"]))
    expect(page.get_by_test_id("kpi-negative-share")).to_have_text(_share(answer["negative_share"]["current"]))


def test_the_window_is_cut_at_midnight_in_the_users_zone(signed_in_world: Page) -> None:
    with signed_in_world.expect_response(_stats("kpis", "2023-12-31T21")) as seen:
        signed_in_world.goto("/#/overview?period=custom&from=2024-01-01&to=2024-03-31")
    params = httpx.URL(seen.value.url).params
    assert (params["date_from"], params["date_to"]) == ("2023-12-31T21:00:00.000Z", "2024-03-31T21:00:00.000Z")


def test_clicking_a_timeline_point_opens_that_buckets_comments(signed_in_world: Page, world_api: httpx.Client) -> None:
    page = signed_in_world
    with page.expect_response(_stats("timeline", "2023-12-31T21")) as seen:
        page.goto("/#/overview?period=custom&from=2024-01-01&to=2024-03-31")
    sent = dict(httpx.URL(seen.value.url).params)
    assert (sent["interval"], sent["tz"]) == ("day", "Europe/Moscow")
    starts = [p["start"] for p in world_api.get("/v1/stats/timeline", params=sent).json()["points"]]
    expect(page.get_by_role("heading", name="Комментарии и тональность (по дням)")).to_be_visible()
    page.get_by_test_id("timeline").locator(".u-over").click()  # the middle of the plot: some day's bucket
    expect(page).to_have_url(re.compile(r"#/comments\?date_from="))
    picked = parse_qs(urlsplit(page.url.replace("#/comments", "")).query)
    start, end = (datetime.fromisoformat(picked[k][0]) for k in ("date_from", "date_to"))
    assert start in {datetime.fromisoformat(s) for s in starts}
    assert end - start == timedelta(days=1)


def test_overview_is_accessible(signed_in_world: Page) -> None:
    page = signed_in_world
    page.goto("/#/overview?period=custom&from=2024-01-01&to=2024-03-31")
    expect(page.get_by_test_id("kpi-comments")).to_have_text("4")
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


def _stats(endpoint: str, date_from_prefix: str) -> Callable[[Response], bool]:
    """Matches the screen's request for this window (not an earlier one still answering)."""
    return lambda r: f"/v1/stats/{endpoint}?" in r.url and f"date_from={date_from_prefix}" in r.url


def _window_start(period: str) -> str:
    """The first instant of a period in Moscow (the page's zone), as the page sends it (hour precision)."""
    query = parse_qs(period)
    if query["period"] == ["custom"]:
        first = date.fromisoformat(query["from"][0])
    else:
        first = datetime.now(MOSCOW).date() - timedelta(days=int(query["period"][0][1:]) - 1)
    start = datetime.combine(first, time(), MOSCOW).astimezone(UTC)
    return start.strftime("%Y-%m-%dT%H")


def _number(value: int) -> str:
    """Russian grouping as Intl.NumberFormat('ru') writes it (a narrow no-break space)."""
    return f"{value:,}".replace(",", "\u00a0")


def _share(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(value * 100, 1):g}".replace(".", ",") + "\u00a0%"


def test_time_zone_is_changeable_and_cuts_the_window(signed_in_world: Page) -> None:
    page = signed_in_world
    page.goto("/#/overview?period=custom&from=2024-01-01&to=2024-03-31")
    page.get_by_test_id("time-zone").click()
    page.get_by_label("Пояс IANA").select_option("Asia/Vladivostok")
    with page.expect_response(_stats("kpis", "2023-12-31T14")) as seen:
        page.get_by_role("button", name="Сохранить").click()
    assert httpx.URL(seen.value.url).params["date_from"] == "2023-12-31T14:00:00.000Z"
    expect(page.get_by_test_id("time-zone")).to_have_text("Asia/Vladivostok")
    page.reload()
    expect(page.get_by_test_id("time-zone")).to_have_text("Asia/Vladivostok")  # stored


def test_english_switch(signed_in_world: Page) -> None:
    page = signed_in_world
    page.get_by_label("Язык").select_option("en")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_test_id("nav-settings")).to_have_text("Settings")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_timeline_buckets_open_from_the_keyboard(signed_in_world: Page) -> None:
    page = signed_in_world
    with page.expect_response(_stats("timeline", "2023-12-31T21")):
        page.goto("/#/overview?period=custom&from=2024-01-01&to=2024-03-31")
    expect(page.get_by_role("heading", name="Комментарии и тональность (по дням)")).to_be_visible()
    chart = page.get_by_test_id("timeline")
    chart.locator("canvas").wait_for()
    chart.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    # the first bucket: 1 January 2024, midnight to midnight in Moscow
    expect(page).to_have_url(
        re.compile(r"#/comments\?date_from=2023-12-31T21%3A00%3A00\.000Z&date_to=2024-01-01T21%3A00%3A00\.000Z$")
    )


def test_enter_right_after_home_opens_the_first_bucket(signed_in_world: Page) -> None:
    """Regression: Enter pressed before the re-render that followed Home opened nothing (the handler read
    the focused bucket from the last render); both keys here arrive in one task, before any render."""
    page = signed_in_world
    with page.expect_response(_stats("timeline", "2023-12-31T21")):
        page.goto("/#/overview?period=custom&from=2024-01-01&to=2024-03-31")
    chart = page.get_by_test_id("timeline")
    chart.locator("canvas").wait_for()
    chart.evaluate(
        """el => ["Home", "Enter"].forEach(key =>
            el.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true })))"""
    )
    expect(page).to_have_url(
        re.compile(r"#/comments\?date_from=2023-12-31T21%3A00%3A00\.000Z&date_to=2024-01-01T21%3A00%3A00\.000Z$")
    )


def test_recent_jobs_follow_a_collection_to_the_end(signed_in: Page, stack: LocalStack, api: httpx.Client) -> None:
    add_user_token(api)
    dataset = generate_dataset(preset="small", seed=42)
    open_one = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    added = api.post("/v1/communities", json={"input": f"https://vk.com/{open_one.screen_name}"})
    community_id = added.json()["id"] if added.status_code == 201 else added.json()["existing_id"]
    job_id = api.post(f"/v1/communities/{community_id}/collections", json={}).json()["id"]
    page = signed_in
    page.reload()  # the list polls while a job is queued or running, and stops when none is
    row = page.get_by_test_id("job-row").filter(has=page.locator(f'a[href="#/jobs/{job_id}"]'))
    expect(row).to_contain_text("готово", timeout=120_000)  # succeeded
    expect(row.locator("progress")).to_have_attribute("value", "100")
    assert wait_for_job(stack, api, job_id)["status"] == "succeeded"
