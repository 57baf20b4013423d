"""The communities screen in a real browser: adding after seeing VK's answer, collecting with live
progress, the completeness report, bulk import with its per-line report, monitoring settings.

Every check compares what the screen shows with the API's own answer.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token, wait_for_job
from tests.e2e.web.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.web]

DATASET = generate_dataset(preset="small", seed=42)  # what the stack's emulator serves
OPEN = [c for c in DATASET.communities.values() if c.is_closed == 0 and c.deactivated is None]
CLOSED = next(c for c in DATASET.communities.values() if c.is_closed == 1)


@pytest.fixture(scope="module", autouse=True)
def token(api: httpx.Client) -> dict[str, Any]:
    return add_user_token(api)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _share(value: float) -> str:
    return f"{round(value * 100, 1):g}".replace(".", ",") + "\u00a0%"


def _open_add_dialog(page: Page) -> None:
    page.goto("/#/communities")
    page.get_by_role("button", name="Добавить сообщество").click()


def test_add_by_link_and_collect_it_to_100_percent(signed_in: Page, api: httpx.Client, stack: LocalStack) -> None:
    page = signed_in
    link = f"https://vk.com/{OPEN[0].screen_name}"
    _open_add_dialog(page)
    page.get_by_label("Ссылка, короткое имя или id").fill(link)
    page.get_by_role("button", name="Найти в VK").click()
    resolved = api.post("/v1/communities/resolve", json={"input": link}).json()
    expect(page.get_by_test_id("preview-name")).to_have_text(resolved["name"])
    expect(page.get_by_test_id("preview-members")).to_have_text(_number(resolved["members_count"]))
    expect(page.get_by_test_id("preview-state")).to_have_text("открытое")
    expect(page.get_by_test_id("preview-collectable")).to_have_text("да")
    # The id comes from the page's own POST: asking the API before the browser has sent it was a race.
    with page.expect_response(lambda r: r.url.endswith("/v1/communities") and r.request.method == "POST") as added:
        page.get_by_role("button", name="Добавить", exact=True).click()
    community = added.value.json()
    assert community["id"] == resolved_id(api, resolved["vk_id"])

    expect(page).to_have_url(f"{stack.api_url}/#/communities/{community['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(resolved["name"])
    expect(page.get_by_test_id("completeness")).to_contain_text("Сбора ещё не было.")
    page.get_by_label("Посты с").fill("2000-01-01")
    with page.expect_response(lambda r: r.url.endswith("/collections") and r.request.method == "POST") as started:
        page.get_by_role("button", name="Собрать", exact=True).click()
    job = started.value.json()
    assert job["payload"]["since"] == "1999-12-31T21:00:00Z"  # midnight in Moscow, the page's zone

    live = page.get_by_test_id("live-collection")
    expect(live.locator("progress")).to_have_attribute("value", "100", timeout=120_000)
    expect(live).to_contain_text("готово")
    done = wait_for_job(stack, api, job["id"])
    assert done["status"] == "succeeded"
    report = done["result"]["completeness"]
    expect(page.get_by_test_id("completeness-posts")).to_have_text(_number(report["posts"]))
    expect(page.get_by_test_id("completeness-vk")).to_have_text(_number(report["vk_comments_count"]))
    expect(page.get_by_test_id("completeness-stored")).to_have_text(_number(report["stored_comments"]))
    expect(page.get_by_test_id("completeness-missing")).to_have_text(_number(report["missing"]))
    history = api.get(f"/v1/communities/{done['payload']['community_id']}/jobs").json()["items"]
    expect(page.get_by_test_id("community-job-row")).to_have_count(len(history))
    skipped = api.get("/v1/jobs/failures", params={"job_id": job["id"]}).json()["groups"]
    expect(page.get_by_test_id("skipped-row")).to_have_count(len([g for g in skipped if g["kind"] == "skipped_object"]))
    assert_accessible(page)
    screenshot(page, "community")


def resolved_id(api: httpx.Client, vk_id: int) -> str:
    items = api.get("/v1/communities", params={"limit": 100}).json()["items"]
    return next(c["id"] for c in items if c["vk_id"] == vk_id)


def test_a_closed_community_says_why_and_errors_are_the_apis_problem(signed_in: Page, api: httpx.Client) -> None:
    page = signed_in
    _open_add_dialog(page)
    field = page.get_by_label("Ссылка, короткое имя или id")
    field.fill(CLOSED.screen_name)
    page.get_by_role("button", name="Найти в VK").click()
    why = api.post("/v1/communities/resolve", json={"input": CLOSED.screen_name}).json()["cannot_collect_reason"]
    expect(page.get_by_test_id("preview-collectable")).to_have_text(f"нет: {why}")
    expect(page.get_by_test_id("preview-state")).to_have_text("закрытое")

    field.fill("no_such_community_xyz")
    page.keyboard.press("Enter")  # the form submits from the keyboard
    problem = api.post("/v1/communities/resolve", json={"input": "no_such_community_xyz"}).json()
    expect(page.get_by_test_id("problem")).to_contain_text(problem["detail"])
    expect(page.get_by_test_id("community-preview")).to_have_count(0)


def test_bulk_import_shows_the_jobs_per_line_report(signed_in: Page, api: httpx.Client, stack: LocalStack) -> None:
    page = signed_in
    page.goto("/#/communities")
    page.get_by_role("button", name="Импорт из файла").click()
    lines = f"{OPEN[1].screen_name}\nhttps://example.com/nope\nno_such_community_xyz\n"
    page.get_by_label("Файл txt или csv").set_input_files(
        files=[{"name": "list.txt", "mimeType": "text/plain", "buffer": lines.encode()}]
    )
    with page.expect_response(lambda r: r.url.endswith("/v1/communities/import")) as sent:
        page.get_by_role("button", name="Импортировать").click()
    job = wait_for_job(stack, api, sent.value.json()["id"])
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("готово")
    rows = page.get_by_test_id("import-line")
    expect(rows).to_have_count(len(job["result"]["lines"]))
    words = {"created": "добавлено", "invalid": "ошибка ввода", "not_found": "не найдено"}
    for i, line in enumerate(job["result"]["lines"]):
        expect(rows.nth(i)).to_contain_text(words[line["outcome"]])
        if line["reason"]:
            expect(rows.nth(i)).to_contain_text(line["reason"])
    assert [line["outcome"] for line in job["result"]["lines"]] == ["created", "invalid", "not_found"]
    page.keyboard.press("Escape")  # the dialog closes and the list shows the new community
    expect(page.get_by_test_id("community-row").filter(has_text=OPEN[1].name)).to_have_count(1)


def test_monitoring_settings_are_saved_and_listed(signed_in: Page, api: httpx.Client) -> None:
    page = signed_in
    added = api.post("/v1/communities", json={"input": OPEN[2].screen_name})
    community_id = added.json()["id"] if added.status_code == 201 else added.json()["existing_id"]
    page.goto(f"/#/communities/{community_id}")
    page.get_by_label("Собирать по расписанию").check()
    page.get_by_label("Интервал, минут").fill("30")
    page.get_by_label("Очередь").select_option("low")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Сохранено.")
    saved = api.get(f"/v1/communities/{community_id}").json()
    assert (saved["monitoring_enabled"], saved["monitoring_interval_minutes"], saved["monitoring_priority"]) == (
        True,
        30,
        "low",
    )
    page.goto("/#/communities?monitoring_enabled=true")
    rows = page.get_by_test_id("community-row")
    listed = api.get("/v1/communities", params={"monitoring_enabled": "true"}).json()["items"]
    expect(rows).to_have_count(len(listed))
    expect(rows.filter(has_text=OPEN[2].name)).to_contain_text("каждые 30 мин")
    expect(page.get_by_label("Мониторинг")).to_have_value("true")  # the filter came from the URL
    page.get_by_role("link", name=OPEN[2].name).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#/communities/{community_id}$"))


def test_the_list_is_the_apis_and_accessible(signed_in: Page, api: httpx.Client) -> None:
    page = signed_in
    api.post("/v1/communities", json={"input": CLOSED.screen_name})
    page.goto("/#/communities")
    listed = api.get("/v1/communities", params={"limit": 50}).json()["items"]
    rows = page.get_by_test_id("community-row")
    expect(rows).to_have_count(len(listed))
    assert any(c["last_completeness"] for c in listed)
    for i, c in enumerate(listed):
        expect(rows.nth(i)).to_contain_text(c["name"])
        if c["last_completeness"] is not None:  # the collection of the first test
            expect(rows.nth(i).get_by_test_id("community-completeness")).to_have_text(
                _share(c["last_completeness"]["share"])
            )
        if not c["can_collect"]:
            expect(rows.nth(i)).to_contain_text(c["cannot_collect_reason"])
    assert_accessible(page)
    screenshot(page, "communities")
