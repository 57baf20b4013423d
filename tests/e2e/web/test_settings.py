"""The settings screen in a real browser: a VK token added (type detected by VK's test calls) and
removed, an API key created (shown once), rotated and revoked, and the deep health; each checked
against the API's own answer (and the keys by using them)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from tests.e2e.web.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.web]

SERVICE_TOKEN = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "service")


def _works(stack: LocalStack, key: str) -> int:
    return httpx.get(f"{stack.api_url}/v1/workspace", headers={"X-Api-Key": key}, timeout=30).status_code


def test_add_and_remove_a_vk_token(signed_in: Page, api: httpx.Client) -> None:
    page = signed_in
    page.goto("/#/settings")
    page.get_by_label("Токен VK").fill("not-a-real-vk-token")
    with page.expect_response(lambda r: r.url.endswith("/v1/vk-tokens") and r.request.method == "POST") as refused:
        page.get_by_role("button", name="Добавить токен").click()
    assert refused.value.status == 422
    expect(page.get_by_test_id("problem")).to_contain_text(refused.value.json()["detail"])

    page.get_by_label("Токен VK").fill(SERVICE_TOKEN)
    page.get_by_label("Подпись").fill("сервисный для тестов")
    page.get_by_role("button", name="Добавить токен").click()
    expect(page.get_by_test_id("vk-token-message")).to_have_text("Добавлен токен: сервисный.")
    tokens = api.get("/v1/vk-tokens").json()["items"]
    assert [(v["type"], v["label"]) for v in tokens] == [("service", "сервисный для тестов")]
    row = page.get_by_test_id("vk-token-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(tokens[0]["hint"])
    expect(row).to_contain_text("активен")
    expect(row).not_to_contain_text(SERVICE_TOKEN)  # never shown again

    page.get_by_role("button", name=f"Удалить {tokens[0]['hint']}").click()
    expect(page.get_by_test_id("vk-token-message")).to_have_text("Токен удалён.")
    assert api.get("/v1/vk-tokens").json()["items"] == []
    expect(page.get_by_test_id("vk-token-row")).to_have_count(0)


def test_create_rotate_and_revoke_an_api_key(signed_in: Page, api: httpx.Client, stack: LocalStack) -> None:
    page = signed_in
    page.goto("/#/settings")
    page.get_by_label("Назначение ключа").fill("выгрузки в BI")
    page.get_by_role("button", name="Создать ключ").click()
    key = page.get_by_test_id("api-key-shown").inner_text()
    assert _works(stack, key) == 200
    page.get_by_role("button", name="Готово").click()
    listed = next(k for k in api.get("/v1/api-keys").json()["items"] if k["name"] == "выгрузки в BI")
    assert key.startswith(listed["prefix"])
    rows = page.get_by_test_id("api-key-row").filter(has_text="выгрузки в BI")
    expect(rows).to_have_count(1)
    expect(rows).not_to_contain_text(key)

    page.get_by_role("button", name=f"Заменить {listed['prefix']}").click()  # grace 0: the old key stops now
    rotated = page.get_by_test_id("api-key-shown").inner_text()
    assert rotated != key
    assert (_works(stack, key), _works(stack, rotated)) == (401, 200)
    page.keyboard.press("Escape")
    new = next(k for k in api.get("/v1/api-keys").json()["items"] if k["name"] == "выгрузки в BI" and k["active"])
    page.get_by_role("button", name=f"Отозвать {new['prefix']}").click()
    expect(page.get_by_role("status")).to_have_text("Ключ отозван.")
    assert _works(stack, rotated) == 401
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=re.compile("отозван"))).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile("^Отозвать"))).to_have_count(
        len([k for k in api.get("/v1/api-keys").json()["items"] if k["active"]])
    )


def test_deep_health_is_the_apis(signed_in: Page, api: httpx.Client) -> None:
    page = signed_in
    page.goto("/#/settings")
    health = api.get("/v1/health/deep").json()
    expect(page.get_by_test_id("health-status")).to_have_text({"ok": "в порядке"}.get(health["status"], "недоступна"))
    checks = page.get_by_test_id("health-check")
    expect(checks).to_have_count(len(health["checks"]))
    for i, check in enumerate(health["checks"]):
        expect(checks.nth(i)).to_contain_text(check["name"])
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "settings")
