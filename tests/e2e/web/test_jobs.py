"""The jobs screen in a real browser: the list filtered from the URL, a job's page with its error and a
retry, the failure summary and the dead letters, each checked against the API's own answer."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from vkc.db.engine import get_engine
from vkc.db.models import Job

from devtools.local_stack import LocalStack
from tests.e2e.conftest import wait_for_job
from tests.e2e.web.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.web]


@pytest.fixture(scope="module")
def failed_job(stack: LocalStack, api: httpx.Client) -> dict[str, Any]:
    """A probe asked for a check that does not exist fails for good, with the reason as its error."""
    sent = api.post("/v1/jobs", json={"type": "probe", "payload": {"checks": ["database", "no_such_check"]}})
    assert sent.status_code == 202, sent.text
    return wait_for_job(stack, api, sent.json()["id"])


@pytest.fixture(scope="module")
def good_job(stack: LocalStack, api: httpx.Client) -> dict[str, Any]:
    sent = api.post("/v1/jobs", json={"type": "probe", "payload": {"checks": ["database", "redis"]}})
    return wait_for_job(stack, api, sent.json()["id"])


def test_a_failed_jobs_page_shows_the_apis_error_and_retries_it(
    signed_in: Page, api: httpx.Client, stack: LocalStack, failed_job: dict[str, Any]
) -> None:
    page = signed_in
    assert failed_job["status"] == "failed"
    page.goto(f"/#/jobs/{failed_job['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Задача probe")
    expect(page.get_by_test_id("job-status")).to_have_text("ошибка")
    expect(page.get_by_test_id("job-error")).to_contain_text(failed_job["error"]["message"])
    expect(page.get_by_role("button", name="Отменить")).to_have_count(0)  # a finished job can't be cancelled
    page.get_by_role("button", name="Повторить").click()
    expect(page).not_to_have_url(re.compile(f"#/jobs/{failed_job['id']}$"))
    retried_id = page.url.rsplit("/", 1)[-1]
    retried = wait_for_job(stack, api, retried_id)
    assert retried["payload"]["checks"] == failed_job["payload"]["checks"]
    expect(page.get_by_test_id("job-status")).to_have_text("ошибка")  # followed live to its end
    expect(page.get_by_test_id("job-error")).to_contain_text(retried["error"]["message"])


def test_a_succeeded_jobs_totals_are_the_apis(signed_in: Page, good_job: dict[str, Any]) -> None:
    page = signed_in
    page.goto(f"/#/jobs/{good_job['id']}")
    expect(page.get_by_test_id("job-status")).to_have_text("готово")
    expect(page.get_by_test_id("job-totals").locator('dd[data-key="all_ok"]')).to_have_text(
        "да" if good_job["result"]["all_ok"] else "нет"
    )
    expect(page.locator("progress")).to_have_attribute("value", "100")
    assert_accessible(page)
    screenshot(page, "job")


def test_the_list_filter_lives_in_the_url(
    signed_in: Page, api: httpx.Client, failed_job: dict[str, Any], good_job: dict[str, Any]
) -> None:
    page = signed_in
    page.goto("/#/jobs?status=failed")
    failed = api.get("/v1/jobs", params={"status": "failed"}).json()["items"]
    rows = page.get_by_test_id("job-row")
    expect(rows).to_have_count(len(failed))
    expect(page.get_by_label("Статус")).to_have_value("failed")
    page.get_by_label("Статус").select_option("succeeded")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(r"#/jobs\?status=succeeded"))
    succeeded = api.get("/v1/jobs", params={"status": "succeeded"}).json()["items"]
    expect(rows).to_have_count(len(succeeded))
    for i, job in enumerate(succeeded):
        expect(rows.nth(i).get_by_role("link")).to_have_attribute("href", f"#/jobs/{job['id']}")


def test_failure_summary_and_dead_letters_are_the_apis(
    signed_in: Page, api: httpx.Client, failed_job: dict[str, Any]
) -> None:
    page = signed_in
    with page.expect_response(lambda r: "/v1/jobs/failures?since=" in r.url) as seen:
        page.goto("/#/jobs")
    summary = api.get("/v1/jobs/failures", params=dict(httpx.URL(seen.value.url).params)).json()
    rows = page.get_by_test_id("failure-row")
    expect(rows).to_have_count(len(summary["groups"]))
    assert any(g["kind"] == "job_failure" for g in summary["groups"])
    for i, group in enumerate(summary["groups"]):
        expect(rows.nth(i)).to_contain_text(group["reason"])
    dead = api.get("/v1/dead-letters").json()["items"]
    if dead:
        expect(page.get_by_test_id("dead-letter-row")).to_have_count(len(dead))
    else:
        expect(page.get_by_test_id("dead-letters")).to_contain_text("Недоставленных сообщений нет.")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "jobs")


def test_a_queued_job_is_cancelled_from_its_page(signed_in: Page, api: httpx.Client, stack: LocalStack) -> None:
    # a job row no message was sent for stays queued until cancelled: no race with a worker finishing it
    workspace_id = uuid.UUID(api.get("/v1/workspace").json()["id"])
    with Session(get_engine(stack.settings), expire_on_commit=False) as session, session.begin():
        job = Job(workspace_id=workspace_id, type="probe", priority="low", status="queued", payload={})
        session.add(job)
    page = signed_in
    page.goto(f"/#/jobs/{job.id}")
    expect(page.get_by_test_id("job-status")).to_have_text("в очереди")
    page.get_by_role("button", name="Отменить").click()
    expect(page.get_by_test_id("job-status")).to_have_text("отменена")
    assert api.get(f"/v1/jobs/{job.id}").json()["status"] == "cancelled"
    expect(page.get_by_role("button", name="Повторить")).to_be_visible()  # a cancelled job can be retried


def test_the_list_follows_a_queued_job_to_its_end(signed_in: Page, api: httpx.Client, stack: LocalStack) -> None:
    workspace_id = uuid.UUID(api.get("/v1/workspace").json()["id"])
    with Session(get_engine(stack.settings), expire_on_commit=False) as session, session.begin():
        job = Job(workspace_id=workspace_id, type="probe", priority="low", status="queued", payload={})
        session.add(job)
    page = signed_in
    page.goto("/#/jobs")
    row = page.get_by_test_id("job-row").filter(has=page.locator(f'a[href="#/jobs/{job.id}"]'))
    expect(row).to_contain_text("в очереди")
    assert api.post(f"/v1/jobs/{job.id}/cancel").json()["status"] == "cancelled"
    expect(row).to_contain_text("отменена")  # no reload: the list asks again while a job on it is live


def test_a_collection_waiting_for_vk_tokens_says_until_when_not_stuck(
    signed_in: Page, api: httpx.Client, stack: LocalStack
) -> None:
    """A running collection whose every pending harvest task waits for the tokens' quota (the state the
    harvest stores when all tokens rest) reads as waiting until a time, on its page and its community's."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from vkc.db.models_collection import CollectionTask, Community

    workspace_id = uuid.UUID(api.get("/v1/workspace").json()["id"])
    now = datetime.now(UTC)
    until = (now + timedelta(minutes=40)).replace(second=0, microsecond=0)
    if until.astimezone(ZoneInfo("Europe/Moscow")).date() != now.astimezone(ZoneInfo("Europe/Moscow")).date():
        until = now + timedelta(minutes=2)  # keep the wait within today's date in the page's zone
    wait = {"until": until.timestamp(), "since": (now - timedelta(minutes=5)).timestamp(), "reason": "quota"}
    with Session(get_engine(stack.settings), expire_on_commit=False) as session, session.begin():
        community = Community(
            workspace_id=workspace_id,
            vk_id=900_000 + uuid.uuid4().int % 99_999,
            name="Ждущее сообщество",
            type="group",
            source_input="waiting",
        )
        session.add(community)
        session.flush()
        job = Job(
            workspace_id=workspace_id,
            type="collect",
            priority="normal",
            status="running",
            payload={"community_id": str(community.id)},
            community_id=community.id,
            started_at=now - timedelta(minutes=6),
            tasks_total=1,
        )
        session.add(job)
        session.flush()
        session.add(CollectionTask(id=f"{job.id}:w", job_id=job.id, kind="harvest", params={"wait": wait}))
    waiting = api.get(f"/v1/jobs/{job.id}").json()["progress"]["waiting"]
    assert waiting["code"] == "quota"
    shown = until.astimezone(ZoneInfo("Europe/Moscow")).strftime("%H:%M")
    text = f"Ждёт токены VK до {shown} (лимит запросов)"
    page = signed_in
    page.goto(f"/#/jobs/{job.id}")
    expect(page.get_by_test_id("job-status")).to_have_text("выполняется")
    expect(page.get_by_test_id("job-waiting")).to_have_text(text)
    page.goto(f"/#/communities/{community.id}")
    expect(page.get_by_test_id("live-collection").get_by_test_id("job-waiting")).to_have_text(text)
    history = api.get(f"/v1/communities/{community.id}/jobs").json()["items"]
    assert history[0]["progress"] == {"waiting": waiting}  # lists carry the wait alone
    expect(page.get_by_test_id("community-job-row").get_by_test_id("job-waiting")).to_have_text(text)
    running = api.get("/v1/jobs", params={"status": "running"}).json()["items"]
    listed = next(j for j in running if j["id"] == str(job.id))
    assert listed["progress"] == {"waiting": waiting}
    page.goto("/#/jobs?status=running")
    row = page.get_by_test_id("job-row").filter(has=page.locator(f'a[href="#/jobs/{job.id}"]'))
    expect(row.get_by_test_id("job-waiting")).to_have_text(text)
    assert_accessible(page)
    page.goto(f"/#/jobs/{job.id}")
    page.get_by_label("Язык").select_option("en")
    english = re.compile(r"^Waiting for VK tokens until .+ \(request quota\)$")
    expect(page.get_by_test_id("job-waiting")).to_have_text(english)
    page.get_by_label("Language").select_option("ru")
    assert api.post(f"/v1/jobs/{job.id}/cancel").json()["status"] == "cancelled"
