// Communities: the workspace's list (VK state, collectable or why not, monitoring, last collection,
// the last collection's completeness), adding one after seeing what VK says, and bulk import.
// #/communities/<id> is one community's page.
import { useState } from "preact/hooks";
import { html } from "../core/html.js";
import { defineMessages, formatNumber, formatShare } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { formatDateTime } from "../core/time.js";
import { Dialog } from "../components/dialog.js";
import { LoadMore, usePager } from "../components/pager.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { Table } from "../components/table.js";
import { AddCommunity } from "./communities/add.js";
import { ImportCommunities } from "./communities/import.js";
import { CommunityPage } from "./communities/page.js";
import { t as label, vkState } from "./communities/labels.js";

const t = defineMessages({
  ru: {
    title: "Сообщества", add: "Добавить сообщество", import: "Импорт из файла", search: "Название или имя",
    collectable: "Можно собирать", any: "все", yes: "да", no: "нет", monitoring: "Мониторинг", find: "Показать",
    name: "Сообщество", state: "Состояние", lastCollected: "Последний сбор", members: "Участников",
    empty: "Сообществ нет. Добавьте первое по ссылке.", list: "Сообщества рабочего пространства", on: "включён",
    completeness: "Полнота", missing: "не хватает {n}", never: "не собиралось",
  },
  en: {
    title: "Communities", add: "Add a community", import: "Import a file", search: "Name or short name",
    collectable: "Collectable", any: "all", yes: "yes", no: "no", monitoring: "Monitoring", find: "Show",
    name: "Community", state: "State", lastCollected: "Last collection", members: "Members",
    empty: "No communities yet. Add the first by its link.", list: "The workspace's communities", on: "on",
    completeness: "Completeness", missing: "{n} missing", never: "never collected",
  },
});

const bool = (v) => (v === "true" || v === "false" ? v : undefined);

function completeness(c) {
  const r = c.last_completeness;
  if (!r) return html`<span class="muted">${t("never")}</span>`;
  return html`<span data-testid="community-completeness">${formatShare(r.share)}</span>
    ${r.missing > 0 && html` <span class="muted">(${t("missing", { n: formatNumber(r.missing) })})</span>`}`;
}

function CommunityList({ route }) {
  const params = { q: route.params.get("q") || undefined, can_collect: bool(route.params.get("can_collect")),
    monitoring_enabled: bool(route.params.get("monitoring_enabled")), limit: 50 };
  const pager = usePager("/v1/communities", params);
  const [dialog, setDialog] = useState(null);
  const filter = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate("communities", Object.fromEntries([...form.entries()].filter(([, v]) => v !== "")));
  };
  const choice = (name, value) => html`<select id=${`cf-${name}`} name=${name} value=${value ?? ""}>
    <option value="">${t("any")}</option><option value="true">${t("yes")}</option><option value="false">${t("no")}</option></select>`;
  return html`<h1>${t("title")}</h1>
    <div class="communities-toolbar">
      <button type="button" onClick=${() => setDialog("add")}>${t("add")}</button>
      <button type="button" class="secondary" onClick=${() => setDialog("import")}>${t("import")}</button>
    </div>
    <form class="communities-filter" onSubmit=${filter}>
      <div class="field"><label for="cf-q">${t("search")}</label><input id="cf-q" name="q" value=${params.q ?? ""} /></div>
      <div class="field"><label for="cf-can_collect">${t("collectable")}</label>${choice("can_collect", params.can_collect)}</div>
      <div class="field"><label for="cf-monitoring_enabled">${t("monitoring")}</label>${choice("monitoring_enabled", params.monitoring_enabled)}</div>
      <button type="submit" class="secondary">${t("find")}</button>
    </form>
    <${ProblemBanner} error=${pager.error} />
    <${Table} caption=${t("list")} rows=${pager.items} rowTestid="community-row" empty=${t("empty")} columns=${[
      { key: "name", label: t("name"), render: (c) => html`<a href=${href("communities", {}, c.id)}>${c.name}</a>` },
      { key: "state", label: t("state"), render: (c) => vkState(c) },
      { key: "members_count", label: t("members"), numeric: true, render: (c) => formatNumber(c.members_count) },
      { key: "can_collect", label: t("collectable"), render: (c) => (c.can_collect ? t("yes") : html`<span class="badge bad">${t("no")}</span> ${c.cannot_collect_reason}`) },
      { key: "monitoring", label: t("monitoring"), render: (c) => (c.monitoring_enabled ? label("every", { n: c.monitoring_interval_minutes }) : label("off")) },
      { key: "last_collected_at", label: t("lastCollected"), render: (c) => formatDateTime(c.last_collected_at) },
      { key: "completeness", label: t("completeness"), render: completeness },
    ]} />
    <${LoadMore} pager=${pager} />
    <${Dialog} open=${dialog === "add"} title=${t("add")} onClose=${() => setDialog(null)}>
      <${AddCommunity} onAdded=${(c) => { setDialog(null); navigate("communities", {}, c.id); }} />
    <//>
    <${Dialog} open=${dialog === "import"} title=${t("import")} onClose=${() => { setDialog(null); pager.reload(); }}>
      <${ImportCommunities} onDone=${() => pager.reload()} />
    <//>`;
}

export default function Communities({ route }) {
  return route.rest[0] ? html`<${CommunityPage} key=${route.rest[0]} id=${route.rest[0]} />` : html`<${CommunityList} route=${route} />`;
}
