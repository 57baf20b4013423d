"""Analyst label corrections in a real browser: the detail pane's controls, the list row's "manual"
marker, the history naming the key, the return to the model's label, and the model's quality section.

Every check compares what the screen shows with the API's own answer.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.web.conftest import assert_accessible, sign_in
from tests.support.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.web]

ANALYST = "Аналитик Ольга"


@pytest.fixture(scope="module")
def analyst_key(world_api: httpx.Client) -> str:
    """A key of the world's workspace with a name of its own, so the history can be seen to name it."""
    created = world_api.post("/v1/api-keys", json={"name": ANALYST})
    assert created.status_code == 201, created.text
    key: str = created.json()["key"]
    return key


def _labels(world_api: httpx.Client, comment_id: int) -> dict[str, Any]:
    answer = world_api.get(f"/v1/comments/{comment_id}/labels")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _row(page: Page, comment_id: int) -> Locator:
    return page.locator(f'[data-testid="comment-row"][data-id="{comment_id}"]')


def _save(page: Page, comment_id: int) -> None:
    with page.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith(f"/v1/comments/{comment_id}/labels")
    ) as put:
        page.get_by_role("button", name="Сохранить разметку").click()
    assert put.value.ok, put.value.text()
    expect(page.get_by_test_id("label-status")).to_have_text("Разметка сохранена.")


def _share(rate: float | None) -> str:
    """formatShare in Russian: a percentage with at most one decimal (comma), or a dash."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}".removesuffix(".0").replace(".", ",") + " %"


def test_an_analyst_corrects_a_comment_and_returns_it_to_the_model(
    page: Page, world_api: httpx.Client, world: World, analyst_key: str
) -> None:
    a = world.comments["a"]  # the model says negative, not spam
    sign_in(page, analyst_key)
    page.get_by_test_id("workspace-name").wait_for()
    page.goto(f"/#/comments?q=банк&open={a}")
    pane = page.get_by_test_id("comment-detail")
    expect(pane.get_by_label("Исправить тональность")).to_have_value("")  # no correction: the model's label
    model_only = {"value": "negative", "source": "model", "model": "negative", "manual": None}
    assert _labels(world_api, a)["sentiment"] == model_only

    pane.get_by_label("Исправить тональность").select_option("positive")
    pane.get_by_label("Исправить отметку «спам»").select_option("false")  # confirms the model's verdict
    _save(page, a)

    labels = _labels(world_api, a)
    assert labels["sentiment"] == {"value": "positive", "source": "manual", "model": "negative", "manual": "positive"}
    assert labels["is_spam"] == {"value": False, "source": "manual", "model": False, "manual": False}
    assert {(e["label"], e["api_key_name"]) for e in labels["history"]} == {("sentiment", ANALYST), ("spam", ANALYST)}
    history = pane.get_by_test_id("label-history-row")
    expect(history).to_have_count(len(labels["history"]))
    expect(pane.get_by_test_id("label-history-who")).to_have_text([ANALYST] * len(labels["history"]))
    # the list row shows the effective labels the API now answers, each corrected one marked
    row = _row(page, a)
    expect(row.get_by_test_id("label-sentiment")).to_have_text("позитив · вручную")
    expect(row.get_by_test_id("label-spam")).to_have_text("не спам · вручную")
    view = world_api.get(f"/v1/comments/{a}").json()
    assert (view["sentiment"], view["sentiment_source"]) == ("positive", "manual")

    # back to the model's sentiment; the spam correction stays
    pane.get_by_label("Исправить тональность").select_option("")
    _save(page, a)
    labels = _labels(world_api, a)
    assert labels["sentiment"] == model_only
    assert labels["is_spam"]["source"] == "manual"
    assert labels["history"][0]["label"] == "sentiment"
    assert labels["history"][0]["value"] is None
    assert labels["history"][0]["api_key_name"] == ANALYST
    expect(history).to_have_count(len(labels["history"]))
    expect(row.get_by_test_id("label-sentiment")).to_have_text("негатив")
    expect(row.get_by_test_id("label-spam")).to_have_text("не спам · вручную")
    expect(pane.get_by_label("Исправить тональность")).to_have_value("")
    assert_accessible(page)


def test_a_correction_is_made_from_the_keyboard(page: Page, world_api: httpx.Client, world: World) -> None:
    b = world.comments["b"]  # the model found profanity
    sign_in(page, world.api_key)
    page.get_by_test_id("workspace-name").wait_for()
    page.goto(f"/#/comments?q=банк&open={b}")
    pane = page.get_by_test_id("comment-detail")
    control = pane.get_by_label("Исправить отметку «мат»")
    control.focus()
    control.select_option("false")
    page.keyboard.press("Tab")  # the save button follows the last select
    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith(f"/v1/comments/{b}/labels")):
        page.keyboard.press("Enter")
    assert _labels(world_api, b)["has_profanity"]["manual"] is False
    expect(_row(page, b).get_by_test_id("label-profanity")).to_have_text("без мата · вручную")
    # "return to the model's labels" drops every correction of the comment
    with page.expect_response(lambda r: r.request.method == "DELETE" and r.url.endswith(f"/v1/comments/{b}/labels")):
        pane.get_by_role("button", name="Вернуть метки модели").click()
    assert _labels(world_api, b)["has_profanity"] == {"value": True, "source": "model", "model": True, "manual": None}
    expect(_row(page, b).get_by_test_id("label-profanity")).to_have_text("мат/оскорбление")


def test_the_quality_section_shows_the_apis_figures(
    signed_in_world: Page, world_api: httpx.Client, world: World
) -> None:
    page = signed_in_world
    d = world.comments["d"]  # the model says spam; an analyst disagrees
    assert world_api.put(f"/v1/comments/{d}/labels", json={"is_spam": False}).status_code == 200
    with page.expect_response(lambda r: "/v1/analysis/quality" in r.url) as seen:
        page.goto("/#/keywords")
    shown = seen.value.json()
    report = world_api.get("/v1/analysis/quality", params={"period": "none"}).json()
    assert shown["labels"] == report["labels"]
    assert report["labels"]["spam"]["compared"] >= 1  # the world's corrections are counted
    section = page.get_by_test_id("model-quality")
    for name in ("sentiment", "spam", "profanity"):
        figures = report["labels"][name]
        part = section.get_by_test_id(f"quality-{name}")
        expect(part.get_by_test_id("quality-rate")).to_have_text(_share(figures["agreement_rate"]))
        expect(part.get_by_test_id("quality-compared")).to_have_text(f"сравнено: {figures['compared']}")
        expect(part.get_by_test_id("quality-agreed")).to_have_text(f"совпало: {figures['agreed']}")
        expect(part.get_by_test_id("quality-unanalyzed")).to_have_text(
            f"ещё не проанализировано: {figures['unanalyzed']}"
        )
        for model, row in figures["matrix"].items():
            for corrected, n in row.items():
                expect(part.locator(f'[data-cell="{model}|{corrected}"]')).to_have_text(str(n))
    # axe with a text in the preview, as the keywords screen's own test does: empty, the preview's result
    # region (a plain div with an aria-label) is flagged, which is the preview's matter, not this section's
    page.get_by_test_id("preview").get_by_label("Текст для проверки").fill("Отличная школа, дети довольны")
    expect(page.get_by_test_id("preview-count")).to_have_text("Совпадений: 1")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    assert_accessible(page)
