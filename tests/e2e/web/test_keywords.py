"""The keywords screen in a real browser: every option reaches the API, import reports, the live preview,
and a new keyword matching old comments once its re-analysis has run.

Every check compares what the screen shows with the API's own answer.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from devtools.local_stack import LocalStack
from tests.e2e.conftest import wait_for_job
from tests.e2e.web.conftest import assert_accessible, screenshot
from tests.support.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.web]


def _open_add_form(page: Page) -> None:
    page.goto("/#/keywords")
    page.get_by_test_id("keyword-row").first.wait_for()
    page.get_by_role("button", name="Добавить ключевое слово").click()


def test_every_option_reaches_the_api_and_an_edit_sends_only_what_changed(
    signed_in_world: Page, world_api: httpx.Client
) -> None:
    page = signed_in_world
    _open_add_form(page)
    form = page.get_by_test_id("keyword-form")
    form.get_by_label("Слово, фраза или регулярное выражение").fill("ипотечный кредит")
    form.get_by_label("Вид").select_option("phrase")
    form.get_by_label("Категория", exact=True).fill("ипотека")
    form.get_by_label("Учитывать регистр").check()
    form.get_by_label("Только целое слово").uncheck()
    form.get_by_label("Допускать одну опечатку (леммы от 6 букв)").uncheck()
    form.get_by_label("Фраза", exact=True).select_option("exact")
    form.get_by_label("Окно фразы (слов)").fill("4")
    form.get_by_label("Минус-слова").fill("реклама\nпромокод")
    with page.expect_response(lambda r: r.url.endswith("/v1/keywords") and r.request.method == "POST") as created:
        form.get_by_role("button", name="Добавить").click()
    assert created.value.status == 201
    saved = world_api.get(f"/v1/keywords/{created.value.json()['id']}").json()
    assert {k: saved[k] for k in ("text", "kind", "category", "case_sensitive", "whole_word", "phrase_mode", "window",
                                  "negatives", "fuzzy", "active")} == {
        "text": "ипотечный кредит", "kind": "phrase", "category": "ипотека", "case_sensitive": True,
        "whole_word": False, "phrase_mode": "exact", "window": 4, "negatives": ["реклама", "промокод"],
        "fuzzy": False, "active": True,
    }  # fmt: skip
    expect(page.get_by_test_id("keywords-message")).to_have_text("Добавлено: «ипотечный кредит».")
    expect(page.get_by_test_id("reanalysis-job")).to_have_attribute("href", f"#/jobs/{saved_job(created.value.json())}")

    row = page.get_by_test_id("keyword-row").filter(has_text="ипотечный кредит")
    row.get_by_role("button", name="Изменить: ипотечный кредит").click()
    form = page.get_by_test_id("keyword-form")
    expect(form.get_by_label("Минус-слова")).to_have_value("реклама\nпромокод")
    form.get_by_label("Категория", exact=True).fill("кредиты")
    with page.expect_request(lambda r: r.method == "PATCH") as patch:
        form.get_by_role("button", name="Сохранить").click()
    assert patch.value.post_data_json == {"category": "кредиты"}
    expect(row).to_contain_text("кредиты")
    assert world_api.get(f"/v1/keywords/{saved['id']}").json()["category"] == "кредиты"

    row.get_by_role("button", name="Удалить: ипотечный кредит").click()
    page.get_by_test_id("delete-confirm").click()
    expect(page.get_by_test_id("keyword-row").filter(has_text="ипотечный кредит")).to_have_count(0)
    assert world_api.get(f"/v1/keywords/{saved['id']}").status_code == 404


def saved_job(answer: dict[str, str]) -> str:
    assert answer["reanalysis_job_id"], answer
    return answer["reanalysis_job_id"]


def test_an_invalid_rule_shows_the_apis_reason(signed_in_world: Page) -> None:
    page = signed_in_world
    _open_add_form(page)
    form = page.get_by_test_id("keyword-form")
    form.get_by_label("Слово, фраза или регулярное выражение").fill("([")
    form.get_by_label("Вид").select_option("regex")
    with page.expect_response(lambda r: r.url.endswith("/v1/keywords") and r.request.method == "POST") as answer:
        form.get_by_role("button", name="Добавить").click()
    assert answer.value.status == 422
    expect(form.get_by_test_id("problem")).to_contain_text(answer.value.json()["detail"])


def test_bulk_import_shows_the_report_line_by_line(signed_in_world: Page) -> None:
    page = signed_in_world
    page.goto("/#/keywords")
    page.get_by_role("button", name="Импорт из файла").click()
    dialog = page.get_by_test_id("keyword-import")
    dialog.get_by_label("Или вставьте строки").fill("вклад\nВклад\n# заметка\n\nбанк\n!!!")
    dialog.get_by_label("Категория по умолчанию").fill("finance")
    with page.expect_response(lambda r: r.url.endswith("/v1/keywords/import")) as seen:
        dialog.get_by_role("button", name="Импортировать").click()
    report = seen.value.json()
    assert (report["created"], report["duplicates"], report["invalid"]) == (1, 2, 1)
    expect(dialog.get_by_test_id("import-summary")).to_have_text(
        f"Создано: 1, повторов: 2, с ошибками: 1, пропущено пустых и #-строк: {report['ignored_lines']}"
    )
    lines = dialog.get_by_test_id("import-line")
    expect(lines).to_have_count(len(report["lines"]))
    for i, line in enumerate(report["lines"]):
        expect(lines.nth(i)).to_contain_text(f"{line['line']}{line['text']}")
        if line["reason"]:
            expect(lines.nth(i)).to_contain_text(line["reason"])  # the API's own words
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("keyword-row").filter(has_text="вклад")).to_have_count(1)


def test_the_live_preview_highlights_matches_and_shows_the_scores(
    signed_in_world: Page, world_api: httpx.Client
) -> None:
    page = signed_in_world
    page.goto("/#/keywords")
    text = "Банк снова поднял ставки по кредиту 😡, банк жадный"
    with page.expect_response(lambda r: r.url.endswith("/v1/analysis/preview")) as seen:
        page.get_by_test_id("preview").get_by_label("Текст для проверки").fill(text)
    answer = world_api.post("/v1/analysis/preview", json=seen.value.request.post_data_json).json()
    result = answer["results"][0]
    marks = page.get_by_test_id("preview-highlighted").locator("mark")
    expect(marks).to_have_text([m["matched"] for m in result["matches"]])
    assert [m["matched"] for m in result["matches"]] == ["Банк", "кредиту", "банк"]  # offsets past an emoji too
    scores = page.get_by_test_id("preview-scores")
    expect(scores).to_contain_text(f"{result['language']}")
    expect(scores).to_contain_text(
        f"оценка {result['sentiment']['score']:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    )


def test_a_new_keyword_matches_old_comments_after_the_reanalysis(
    signed_in_world: Page, world_api: httpx.Client, world: World, stack: LocalStack
) -> None:
    page = signed_in_world
    phones = {"keyword_id": None}
    _open_add_form(page)
    form = page.get_by_test_id("keyword-form")
    form.get_by_label("Слово, фраза или регулярное выражение").fill("телефон")
    form.get_by_label("Категория", exact=True).fill("продажи")
    with page.expect_response(lambda r: r.url.endswith("/v1/keywords") and r.request.method == "POST") as created:
        form.get_by_role("button", name="Добавить").click()
    keyword = created.value.json()
    phones["keyword_id"] = keyword["id"]
    job_link = page.get_by_test_id("reanalysis-job")
    expect(job_link).to_have_attribute("href", f"#/jobs/{keyword['reanalysis_job_id']}")
    expect(page.get_by_test_id("reanalysis-status")).to_have_text("статус: succeeded", timeout=120_000)
    assert wait_for_job(stack, world_api, keyword["reanalysis_job_id"])["status"] == "succeeded"

    page.get_by_test_id("keyword-row").filter(has_text="телефон").get_by_role(
        "link", name="Комментарии: телефон"
    ).click()
    expect(page).to_have_url(re.compile(rf"#/comments\?keyword_id={keyword['id']}$"))
    expected = [c["id"] for c in world_api.get("/v1/comments", params=phones).json()["items"]]
    assert world.names(expected) == ["d"]  # the old "Купите дешевые телефоны" comment, matched now
    rows = page.get_by_test_id("comment-row")
    expect(rows).to_have_count(1)
    expect(rows.locator("mark")).to_have_text(["телефоны"])


def test_keywords_screen_is_accessible_and_keyboard_usable(signed_in_world: Page) -> None:
    page = signed_in_world
    page.goto("/#/keywords")
    page.get_by_test_id("keyword-row").first.wait_for()
    page.get_by_test_id("preview").get_by_label("Текст для проверки").fill("Отличная школа, дети довольны")
    expect(page.get_by_test_id("preview-count")).to_have_text("Совпадений: 1")
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "keywords")
    page.get_by_role("button", name="Добавить ключевое слово").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("keyword-form")).to_be_visible()
    page.keyboard.type("кредитка")
    expect(page.get_by_label("Слово, фраза или регулярное выражение")).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("keyword-form")).to_have_count(0)
