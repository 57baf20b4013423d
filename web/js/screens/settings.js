// Settings: the workspace's VK tokens, its API keys, and the deep health of the system.
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";
import { ApiKeys } from "./settings/api-keys.js";
import { DeepHealth } from "./settings/health.js";
import { VkTokens } from "./settings/vk-tokens.js";

const t = defineMessages({ ru: { title: "Настройки" }, en: { title: "Settings" } });

export default function Settings() {
  return html`<h1>${t("title")}</h1>
    <div class="grid">
      <${VkTokens} />
      <${ApiKeys} />
      <${DeepHealth} />
    </div>`;
}
