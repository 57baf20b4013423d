"""The comments screen in a real browser: filters in the URL, the thread, keyboard and bulk moderation.

Every check compares what the screen shows with the API's own answer to the same question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Response, expect

from tests.e2e.web.conftest import assert_accessible, screenshot
from tests.support.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.web]


def _search(*needles: str) -> Callable[[Response], bool]:
    """The screen's GET /v1/comments carrying these parameters (not an earlier request still answering)."""
    return lambda r: "/v1/comments?" in r.url and all(n in r.url for n in needles)


def _shown_ids(page: Page) -> list[int]:
    rows = page.get_by_test_id("comment-row")
    return [int(rows.nth(i).get_attribute("data-id") or 0) for i in range(rows.count())]


def _api_ids(world_api: httpx.Client, params: dict[str, Any]) -> list[int]:
    answer = world_api.get("/v1/comments", params=params)
    assert answer.status_code == 200, answer.text
    return [c["id"] for c in answer.json()["items"]]


def test_search_with_filters_lives_in_the_url_and_survives_a_reload(
    signed_in_world: Page, world_api: httpx.Client, world: World
) -> None:
    page = signed_in_world
    page.goto("/#/comments")
    expect(page.get_by_test_id("comment-row")).to_have_count(5)
    page.get_by_label("Текст").fill("банк")
    page.get_by_label("Тональность").select_option("negative")
    page.get_by_label("Сообщество").select_option(str(world.communities["c1"]))
    with page.expect_response(_search("q=", "sentiment=negative")) as seen:
        page.get_by_role("button", name="Найти").click()
    sent = dict(httpx.URL(seen.value.url).params)
    expected = _api_ids(world_api, sent)
    assert sorted(world.names(expected)) == ["a", "b"]  # the world's two negative comments about banks
    expect(page.get_by_test_id("comment-row")).to_have_count(len(expected))
    assert _shown_ids(page) == expected
    count = world_api.get("/v1/comments/count", params={k: v for k, v in sent.items() if k not in {"limit"}})
    expect(page.get_by_test_id("comments-count")).to_have_text(f"Найдено: {count.json()['count']}")

    page.reload()  # the filter comes back from the URL alone
    expect(page.get_by_label("Текст")).to_have_value("банк")
    expect(page.get_by_label("Тональность")).to_have_value("negative")
    expect(page.get_by_test_id("comment-row")).to_have_count(len(expected))
    assert _shown_ids(page) == expected


def test_the_overviews_link_selects_its_window_and_keyword(
    signed_in_world: Page, world_api: httpx.Client, world: World
) -> None:
    page = signed_in_world
    params = {
        "date_from": "2024-01-10T00:00:00.000Z",
        "date_to": "2024-01-11T00:00:00.000Z",
        "keyword_id": str(world.keywords["bank"]),
    }
    with page.expect_response(_search("keyword_id=")) as seen:
        page.goto("/#/comments?" + str(httpx.QueryParams(params)))
    assert dict(httpx.URL(seen.value.url).params).items() >= params.items()
    expected = _api_ids(world_api, params)
    expect(page.get_by_test_id("comment-row")).to_have_count(len(expected))
    assert _shown_ids(page) == expected
    expect(page.get_by_test_id("comments-window")).to_contain_text("10 янв. 2024")


def test_a_reply_opens_with_its_thread_highlights_and_vk_link(
    signed_in_world: Page, world_api: httpx.Client, world: World
) -> None:
    page = signed_in_world
    page.goto("/#/comments?q=банк")
    reply = page.locator(f'[data-testid="comment-row"][data-id="{world.comments["b"]}"]')
    reply.get_by_role("button", name="Тред").click()
    detail = world_api.get(f"/v1/comments/{world.comments['b']}").json()
    pane = page.get_by_test_id("comment-detail")
    expect(pane.get_by_test_id("comment-detail-text").locator("mark")).to_have_text(
        [m["matched_text"] for m in detail["matches"]]
    )
    expect(pane.get_by_test_id("comment-vk-link")).to_have_attribute("href", detail["url"])
    thread = pane.get_by_test_id("thread-comment")
    expect(thread).to_have_count(1 + len(detail["thread"]["replies"]))
    expect(thread.first).to_contain_text(detail["thread"]["root"]["text"])
    expect(pane.locator('[data-testid="thread-comment"][aria-current="true"]')).to_contain_text(detail["text"])
    assert f"open={world.comments['b']}" in page.url  # the opened comment is in the URL too
    # the list's highlights are the API's offsets as well
    row = page.locator(f'[data-testid="comment-row"][data-id="{world.comments["a"]}"]')
    top = world_api.get(f"/v1/comments/{world.comments['a']}").json()
    expect(row.locator("mark")).to_have_text([m["matched_text"] for m in top["matches"]])


def test_keyboard_moderation_moves_marks_and_archives(signed_in_world: Page, world_api: httpx.Client) -> None:
    page = signed_in_world
    with page.expect_response(_search("archived=false")) as seen:
        page.goto("/#/comments?archived=false&sort=date_asc")
    expected = _api_ids(world_api, dict(httpx.URL(seen.value.url).params))
    expect(page.get_by_test_id("comment-row")).to_have_count(len(expected))
    page.get_by_label("Текст").press("j")  # typing in a field never moderates
    expect(page.get_by_label("Текст")).to_have_value("j")
    page.get_by_test_id("comments-list").focus()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")  # the second row
    second = expected[1]
    with page.expect_response(lambda r: r.url.endswith(f"/v1/comments/{second}/archived")) as archived:
        page.keyboard.press("a")
    assert archived.value.ok
    assert world_api.get(f"/v1/comments/{second}").json()["archived_at"] is not None
    row = page.locator(f'[data-testid="comment-row"][data-id="{second}"]')
    expect(row.get_by_test_id("comment-archived")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith(f"/v1/comments/{second}/viewed")):
        page.keyboard.press("v")
    assert world_api.get(f"/v1/comments/{second}").json()["viewed_at"] is not None
    page.context.route("https://vk.com/**", lambda route: route.fulfill(body="vk"))  # no internet in tests
    with page.expect_popup() as popup:
        page.keyboard.press("o")
    assert popup.value.url == world_api.get(f"/v1/comments/{second}").json()["url"]
    popup.value.close()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("comment-detail")).to_contain_text(
        world_api.get(f"/v1/comments/{second}").json()["text"]
    )


def test_bulk_marks_everything_the_filter_selects(signed_in_world: Page, world_api: httpx.Client, world: World) -> None:
    page = signed_in_world
    community = str(world.communities["c2"])
    page.goto(f"/#/comments?community_id={community}&viewed=false")
    before = world_api.get("/v1/comments/count", params={"community_id": community, "viewed": "false"}).json()["count"]
    assert before > 0
    expect(page.get_by_test_id("comments-count")).to_have_text(f"Найдено: {before}")
    page.get_by_role("button", name="Отметить все найденные просмотренными").click()
    with page.expect_response(lambda r: r.url.endswith("/v1/comments/bulk")) as bulk:
        page.get_by_test_id("bulk-confirm").click()
    assert bulk.value.json()["changed"] == before
    assert (
        world_api.get("/v1/comments/count", params={"community_id": community, "viewed": "false"}).json()["count"] == 0
    )
    expect(page.get_by_test_id("comments-empty")).to_be_visible()
    expect(page.get_by_test_id("comments-status")).to_have_text(f"Изменено комментариев: {before}")


def test_a_bad_filter_shows_the_apis_problem(signed_in_world: Page) -> None:
    page = signed_in_world
    page.goto("/#/comments?post=not-a-post")
    expect(page.get_by_test_id("problem")).to_contain_text("422")


def test_comments_screen_is_accessible_and_keyboard_usable(signed_in_world: Page, world: World) -> None:
    page = signed_in_world
    page.goto(f"/#/comments?open={world.comments['b']}&q=банк")
    expect(page.get_by_test_id("thread-comment")).to_have_count(2)
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    focused = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement?.dataset?.testid || document.activeElement?.id || ''"))
        if "comments-list" in focused:
            break
    assert {"cf-q", "cf-sort", "comments-list"} <= set(focused)
    assert_accessible(page)
    screenshot(page, "comments")
