// One community: what VK says about it, monitoring settings, "collect now" for a date window, the
// running collection followed live (percent and ETA from the API), the job history, and the last
// collection's completeness report and the objects VK would not give, with VK's reasons.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { href } from "../../core/router.js";
import { addDays, formatDateTime, midnight } from "../../core/time.js";
import { LoadMore, usePager } from "../../components/pager.js";
import { LIVE_JOB, usePolled } from "../../components/poll.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { ProgressBar, WaitingNote } from "../../components/progress-bar.js";
import { Table } from "../../components/table.js";
import { t as label, vkState } from "./labels.js";

const t = defineMessages({
  ru: {
    back: "← Все сообщества", members: "Участников", state: "Состояние", collectable: "Можно собирать", yes: "да", no: "нет",
    onVk: "Открыть в VK", added: "Добавлено", lastCollected: "Последний сбор", monitoring: "Мониторинг",
    enabled: "Собирать по расписанию", interval: "Интервал, минут", priority: "Очередь", save: "Сохранить", saved: "Сохранено.",
    nextRun: "Следующий запуск", collect: "Собрать сейчас", since: "Посты с", until: "по (включительно)",
    windowHint: "Пустые даты — вся стена.", start: "Собрать", starting: "Запуск…", current: "Текущий сбор",
    history: "История задач", type: "Тип", status: "Статус", created: "Создана", progress: "Ход", comments: "Комментариев",
    completeness: "Полнота последнего сбора", posts: "Постов", vkCount: "Комментариев по данным VK", stored: "Сохранено",
    missing: "Не хватает", extra: "Лишних", withDiff: "Постов с расхождением", post: "Пост", difference: "Разница",
    skipped: "Пропущенные объекты", reason: "Причина VK", code: "Код", count: "Сколько", examples: "Примеры",
    noSkipped: "VK отдал всё.", noCollection: "Сбора ещё не было.", differences: "Расхождения по постам",
  },
  en: {
    back: "← All communities", members: "Members", state: "State", collectable: "Collectable", yes: "yes", no: "no",
    onVk: "Open on VK", added: "Added", lastCollected: "Last collection", monitoring: "Monitoring",
    enabled: "Collect on a schedule", interval: "Interval, minutes", priority: "Queue", save: "Save", saved: "Saved.",
    nextRun: "Next run", collect: "Collect now", since: "Posts from", until: "to (inclusive)",
    windowHint: "Empty dates: the whole wall.", start: "Collect", starting: "Starting…", current: "Current collection",
    history: "Job history", type: "Type", status: "Status", created: "Created", progress: "Progress", comments: "Comments",
    completeness: "Completeness of the last collection", posts: "Posts", vkCount: "Comments by VK's count", stored: "Stored",
    missing: "Missing", extra: "Extra", withDiff: "Posts with a difference", post: "Post", difference: "Difference",
    skipped: "Skipped objects", reason: "VK's reason", code: "Code", count: "Count", examples: "Examples",
    noSkipped: "VK gave everything.", noCollection: "Not collected yet.", differences: "Differences per post",
  },
});

export function CommunityPage({ id }) {
  const community = usePolled(() => api.get(`/v1/communities/${id}`), () => false, [id]);
  const history = usePager(`/v1/communities/${id}/jobs`, { limit: 20 });
  const c = community.data;
  const live = history.items.find((j) => LIVE_JOB.has(j.status));
  const [followed, setFollowed] = useState(null); // the collection followed stays shown after it ends
  useEffect(() => { if (live && live.id !== followed) setFollowed(live.id); }, [live?.id]);
  const last = history.items.find((j) => j.type === "collect" && j.status === "succeeded");
  const refresh = () => { community.reload(); history.reload(); };
  return html`<p><a href=${href("communities")}>${t("back")}</a></p>
    <${ProblemBanner} error=${community.error} />
    ${c && html`<div class="communities-page">
      <header class="communities-head">
        ${c.photo_url && html`<img src=${c.photo_url} alt="" width="64" height="64" onError=${(e) => { e.currentTarget.hidden = true; }} />`}
        <div><h1>${c.name}</h1><a href=${c.url} target="_blank" rel="noopener noreferrer">${t("onVk")}</a></div>
      </header>
      <dl class="communities-facts">
        <dt>${t("state")}</dt><dd>${vkState(c)}</dd>
        <dt>${t("members")}</dt><dd>${formatNumber(c.members_count)}</dd>
        <dt>${t("collectable")}</dt><dd data-testid="community-collectable">${c.can_collect ? t("yes") : `${t("no")}: ${c.cannot_collect_reason}`}</dd>
        <dt>${t("added")}</dt><dd>${formatDateTime(c.created_at)}</dd>
        <dt>${t("lastCollected")}</dt><dd data-testid="community-last-collected">${formatDateTime(c.last_collected_at)}</dd>
      </dl>
      <div class="communities-cards">
        <${Monitoring} community=${c} onSaved=${refresh} />
        <${CollectNow} community=${c} busy=${!!live} onStarted=${refresh} />
      </div>
      ${(live || followed) && html`<${LiveJob} jobId=${live?.id ?? followed} onEnd=${refresh} />`}
      <${Completeness} job=${last} vkId=${c.vk_id} />
      <section class="card wide"><h2>${t("history")}</h2>
        <${ProblemBanner} error=${history.error} />
        <${JobTable} jobs=${history.items} />
        <${LoadMore} pager=${history} />
      </section>
    </div>`}`;
}

function JobTable({ jobs }) {
  return html`<${Table} rows=${jobs} rowTestid="community-job-row" columns=${[
    { key: "type", label: t("type"), render: (j) => html`<a href=${href("jobs", {}, j.id)}>${j.type}</a>` },
    { key: "status", label: t("status"), render: (j) => label(j.status) },
    { key: "created_at", label: t("created"), render: (j) => formatDateTime(j.created_at) },
    { key: "comments", label: t("comments"), numeric: true, render: (j) => formatNumber(j.result?.comments) },
    { key: "progress", label: t("progress"), render: (j) => html`<${ProgressBar} label=${`${j.type} ${label(j.status)}`}
        percent=${j.progress?.percent ?? (j.status === "succeeded" ? 100 : null)} eta_s=${j.progress?.eta_s} />
        <${WaitingNote} waiting=${j.progress?.waiting} />` },
  ]} />`;
}

function LiveJob({ jobId, onEnd }) {
  const job = usePolled(async () => {
    const data = await api.get(`/v1/jobs/${jobId}`);
    if (!LIVE_JOB.has(data.status)) onEnd();
    return data;
  }, (j) => LIVE_JOB.has(j.status), [jobId]);
  const j = job.data;
  return html`<section class="card wide communities-live" aria-live="polite" data-testid="live-collection">
    <h2>${t("current")}: <a href=${href("jobs", {}, jobId)}>${j ? label(j.status) : "…"}</a></h2>
    <${ProblemBanner} error=${job.error} />
    ${j && html`<${ProgressBar} label=${t("current")} percent=${j.progress?.percent ?? (j.status === "succeeded" ? 100 : null)} eta_s=${j.progress?.eta_s} />
      <${WaitingNote} waiting=${j.progress?.waiting} />
      ${j.progress && html`<p class="muted">${t("stored")}: ${formatNumber(j.progress.comments_stored)} / ${formatNumber(j.progress.comments_expected)}</p>`}`}
  </section>`;
}

function Monitoring({ community, onSaved }) {
  // the form's own state: a re-render (the next run arriving) never resets what the user is typing
  const [form, setForm] = useState({
    monitoring_enabled: community.monitoring_enabled,
    monitoring_interval_minutes: String(community.monitoring_interval_minutes),
    monitoring_priority: community.monitoring_priority,
  });
  const [state, setState] = useState({ busy: false, error: null, saved: false });
  const status = usePolled(() => api.get(`/v1/communities/${community.id}/monitoring`, { limit: 1 }), () => false, [community.updated_at]);
  const set = (name, value) => { setForm((f) => ({ ...f, [name]: value })); setState((s) => ({ ...s, saved: false })); };
  const submit = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null, saved: false });
    try {
      await api.patch(`/v1/communities/${community.id}`, { ...form, monitoring_interval_minutes: Number(form.monitoring_interval_minutes) });
      setState({ busy: false, error: null, saved: true });
      onSaved();
    } catch (error) {
      setState({ busy: false, error, saved: false });
    }
  };
  return html`<form class="card communities-monitoring" onSubmit=${submit}>
    <h2>${t("monitoring")}</h2>
    <label class="communities-check"><input type="checkbox" checked=${form.monitoring_enabled}
      onChange=${(e) => set("monitoring_enabled", e.currentTarget.checked)} /> ${t("enabled")}</label>
    <div class="field"><label for="cm-interval">${t("interval")}</label>
      <input id="cm-interval" type="number" min="5" max="10080" required value=${form.monitoring_interval_minutes}
        onInput=${(e) => set("monitoring_interval_minutes", e.currentTarget.value)} /></div>
    <div class="field"><label for="cm-priority">${t("priority")}</label>
      <select id="cm-priority" value=${form.monitoring_priority} onChange=${(e) => set("monitoring_priority", e.currentTarget.value)}>
        ${["high", "normal", "low"].map((p) => html`<option value=${p}>${label(p)}</option>`)}</select></div>
    <p class="muted">${t("nextRun")}: <span data-testid="monitoring-next-run">${formatDateTime(status.data?.next_run_at)}</span></p>
    <button type="submit" disabled=${state.busy}>${t("save")}</button>
    <${ProblemBanner} error=${state.error} />
    ${state.saved && html`<p role="status">${t("saved")}</p>`}
  </form>`;
}

function CollectNow({ community, busy, onStarted }) {
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (event) => {
    event.preventDefault();
    const form = event.currentTarget.elements;
    const since = form.since.value, until = form.until.value;
    setState({ busy: true, error: null });
    try {
      await api.post(`/v1/communities/${community.id}/collections`, {
        since: since ? midnight(since).toISOString() : undefined,
        until: until ? new Date(midnight(addDays(until, 1)).getTime() - 1).toISOString() : undefined,
      });
      setState({ busy: false, error: null });
      onStarted();
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return html`<form class="card communities-collect" onSubmit=${submit}>
    <h2>${t("collect")}</h2>
    <div class="field"><label for="cc-since">${t("since")}</label><input id="cc-since" name="since" type="date" aria-describedby="cc-hint" /></div>
    <div class="field"><label for="cc-until">${t("until")}</label><input id="cc-until" name="until" type="date" aria-describedby="cc-hint" /></div>
    <small id="cc-hint" class="muted">${t("windowHint")}</small>
    <button type="submit" disabled=${state.busy || busy || !community.can_collect}>${state.busy ? t("starting") : t("start")}</button>
    <${ProblemBanner} error=${state.error} />
  </form>`;
}

function Completeness({ job, vkId }) {
  const failures = usePolled(() => (job ? api.get("/v1/jobs/failures", { job_id: job.id }) : Promise.resolve(null)), () => false, [job?.id]);
  const report = job?.result?.completeness;
  const skipped = (failures.data?.groups || []).filter((g) => g.kind === "skipped_object");
  const num = (v) => formatNumber(v);
  return html`<section class="card wide" data-testid="completeness">
    <h2>${t("completeness")}</h2>
    ${!job ? html`<p class="muted">${t("noCollection")}</p>` : report && html`
      <p class="muted"><a href=${href("jobs", {}, job.id)}>${formatDateTime(job.finished_at)}</a> · ${report.note}</p>
      <dl class="communities-facts">
        <dt>${t("posts")}</dt><dd data-testid="completeness-posts">${num(report.posts)}</dd>
        <dt>${t("vkCount")}</dt><dd data-testid="completeness-vk">${num(report.vk_comments_count)}</dd>
        <dt>${t("stored")}</dt><dd data-testid="completeness-stored">${num(report.stored_comments)}</dd>
        <dt>${t("missing")}</dt><dd data-testid="completeness-missing">${num(report.missing)}</dd>
        <dt>${t("extra")}</dt><dd>${num(report.extra)}</dd>
        <dt>${t("withDiff")}</dt><dd>${num(report.posts_with_differences)}</dd>
      </dl>
      ${report.differences.length > 0 && html`<${Table} caption=${t("differences")} rowKey=${(d) => d.post_id} rows=${report.differences} columns=${[
        { key: "post_id", label: t("post"), render: (d) => html`<a href=${`https://vk.com/wall-${vkId}_${d.post_id}`} target="_blank" rel="noopener noreferrer">${d.post_id}</a>` },
        { key: "vk_count", label: t("vkCount"), numeric: true, render: (d) => num(d.vk_count) },
        { key: "stored", label: t("stored"), numeric: true, render: (d) => num(d.stored) },
        { key: "difference", label: t("difference"), numeric: true, render: (d) => num(d.difference) },
      ]} />`}
      <h3>${t("skipped")}</h3>
      <${ProblemBanner} error=${failures.error} />
      ${skipped.length === 0 ? html`<p class="muted">${t("noSkipped")}</p>` : html`<${Table} rowTestid="skipped-row" rowKey=${(g, i) => i} rows=${skipped} columns=${[
        { key: "reason", label: t("reason") }, { key: "code", label: t("code") },
        { key: "count", label: t("count"), numeric: true, render: (g) => num(g.count) },
        { key: "example_refs", label: t("examples"), render: (g) => g.example_refs.join(", ") },
      ]} />`}`}
  </section>`;
}
