"""The alerts screen in a real browser: a webhook added (its secret shown once), pinged at a local
receiver that verifies the signature, its delivery in the log, edited, its secret rotated, deleted;
each checked against the API's own answer."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from devtools.local_stack import LocalStack
from tests.e2e.web.conftest import assert_accessible, screenshot
from tests.support.receiver import Receiver, running_receiver

pytestmark = [pytest.mark.e2e, pytest.mark.web]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def test_add_a_webhook_ping_it_and_see_the_delivery(
    signed_in: Page, api: httpx.Client, stack: LocalStack, receiver: Receiver
) -> None:
    page = signed_in
    page.goto("/#/alerts")
    page.get_by_role("button", name="Добавить вебхук").click()
    page.get_by_label("Адрес (URL)").fill(receiver.url)
    page.get_by_label("Описание").fill("аналитикам")
    page.get_by_role("button", name="Сохранить").click()
    secret = page.get_by_test_id("webhook-secret").inner_text()
    hooks = api.get("/v1/webhooks").json()["items"]
    assert [(h["url"], h["description"]) for h in hooks] == [(receiver.url, "аналитикам")]
    hook = hooks[0]
    assert secret.startswith(hook["secret_hint"][:4])
    assert secret.endswith(hook["secret_hint"][-4:])
    page.get_by_role("button", name="Готово").click()
    expect(page).to_have_url(re.compile(f"#/alerts/{hook['id']}$"))

    receiver.secret = secret  # the receiver verifies signatures with the secret the screen showed
    page.get_by_role("button", name="Проверить (ping)").click()
    expect(page.get_by_test_id("webhook-ping")).to_contain_text("доставлен · HTTP 200")
    assert [r.signature_ok for r in receiver.requests] == [True]
    deliveries = api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    rows = page.get_by_test_id("delivery-row")
    expect(rows).to_have_count(len(deliveries))
    expect(rows.first).to_contain_text(str(deliveries[0]["status_code"]))
    expect(rows.first).to_contain_text(deliveries[0]["event_type"])
    assert_accessible(page)
    screenshot(page, "alerts")


def test_edit_rotate_and_delete(signed_in: Page, api: httpx.Client, receiver: Receiver) -> None:
    page = signed_in
    created = api.post("/v1/webhooks", json={"url": receiver.url, "description": "старое"}).json()
    page.goto(f"/#/alerts/{created['id']}")
    page.get_by_role("button", name="Изменить", exact=True).click()
    page.get_by_label("Описание").fill("новое")
    page.get_by_label("Активен").uncheck()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Сохранено.")
    saved = api.get(f"/v1/webhooks/{created['id']}").json()
    assert (saved["description"], saved["active"]) == ("новое", False)
    expect(page.get_by_test_id("webhook-active")).to_have_text("нет")

    page.get_by_role("button", name="Сменить секрет").click()
    shown = page.get_by_role("dialog", name="Секрет подписи")
    expect(shown).to_be_visible()
    new_secret = shown.get_by_test_id("webhook-secret").inner_text()
    assert new_secret != created["secret"]
    page.keyboard.press("Escape")
    expect(shown).to_be_hidden()
    hint = api.get(f"/v1/webhooks/{created['id']}").json()["secret_hint"]
    expect(page.get_by_test_id("webhook-secret-hint")).to_have_text(hint)
    assert new_secret.endswith(hint[-4:])

    page.get_by_role("button", name="Удалить", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Удалить").click()
    expect(page).to_have_url(re.compile(r"#/alerts$"))
    assert api.get(f"/v1/webhooks/{created['id']}").status_code == 404
    expect(page.get_by_test_id("webhook-row")).to_have_count(len(api.get("/v1/webhooks").json()["items"]))


def test_a_dialogs_content_appears_only_once_it_is_modal(
    signed_in: Page, api: httpx.Client, receiver: Receiver
) -> None:
    """Regression: the dialog called showModal() in a plain effect, a frame after its content was in the
    DOM. An Escape pressed in that gap was lost and the dialog then opened and stayed open."""
    page = signed_in
    created = api.post("/v1/webhooks", json={"url": receiver.url, "description": "модальность"}).json()
    page.goto(f"/#/alerts/{created['id']}")
    expect(page.get_by_role("button", name="Сменить секрет")).to_be_enabled()
    page.evaluate(
        """() => {
          window.__secretShownWhileModal = [];
          new MutationObserver(() => {
            const code = document.querySelector('[data-testid="webhook-secret"]');
            if (code) window.__secretShownWhileModal.push(code.closest("dialog").open);
          }).observe(document.body, { childList: true, subtree: true });
        }"""
    )
    page.get_by_role("button", name="Сменить секрет").click()
    expect(page.get_by_role("dialog", name="Секрет подписи")).to_be_visible()
    seen = page.evaluate("window.__secretShownWhileModal")
    assert seen, "the secret never appeared"
    assert all(seen), seen
    api.delete(f"/v1/webhooks/{created['id']}")
