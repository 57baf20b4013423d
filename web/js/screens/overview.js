// Overview: KPI cards against the previous period, the timeline, top lists and recent jobs.
// Every figure is an API answer; the browser only picks the window (in the user's time zone).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { addDays, formatDateTime, midnight, timeZone, today } from "../core/time.js";
import { KpiCard } from "../components/kpi-card.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { ProgressBar } from "../components/progress-bar.js";
import { Table } from "../components/table.js";
import { TimelineChart } from "../components/timeline-chart.js";

const t = defineMessages({
  ru: {
    title: "Обзор", period: "Период", today: "Сегодня", d7: "7 дней", d30: "30 дней", d90: "90 дней", custom: "Свой",
    from: "С", to: "По (включительно)", comments: "Комментарии", matched: "Совпадения с ключевыми словами",
    negative: "Доля негатива", spam: "Доля спама", communities: "Сообщества с комментариями",
    monitored: "На мониторинге", timeline: "Комментарии и тональность", timelineHint: "Щёлкните по точке, чтобы открыть комментарии за этот интервал.",
    hour: "по часам", day: "по дням", all: "Все", negativeS: "Негативные", positiveS: "Позитивные",
    keywords: "Ключевые слова", keyword: "Слово", matches: "Совпадений", authors: "Авторы", author: "Автор",
    lemmas: "Частые леммы", trending: "Растущие леммы", lemma: "Лемма", count: "Раз", now: "Сейчас", before: "Раньше",
    trendingWindow: "за последние 31 день периода", jobs: "Последние задачи", type: "Тип", status: "Статус",
    created: "Создана", progress: "Ход", loading: "Загрузка…",
    queued: "в очереди", running: "выполняется", succeeded: "готово", failed: "ошибка", cancelled: "отменена",
  },
  en: {
    title: "Overview", period: "Period", today: "Today", d7: "7 days", d30: "30 days", d90: "90 days", custom: "Custom",
    from: "From", to: "To (inclusive)", comments: "Comments", matched: "Keyword-matched comments",
    negative: "Negative share", spam: "Spam share", communities: "Communities with comments",
    monitored: "Monitored", timeline: "Comments and sentiment", timelineHint: "Click a point to open that bucket's comments.",
    hour: "hourly", day: "daily", all: "All", negativeS: "Negative", positiveS: "Positive",
    keywords: "Keywords", keyword: "Keyword", matches: "Matches", authors: "Authors", author: "Author",
    lemmas: "Top lemmas", trending: "Trending lemmas", lemma: "Lemma", count: "Count", now: "Now", before: "Before",
    trendingWindow: "over the period's last 31 days", jobs: "Recent jobs", type: "Type", status: "Status",
    created: "Created", progress: "Progress", loading: "Loading…",
    queued: "queued", running: "running", succeeded: "succeeded", failed: "failed", cancelled: "cancelled",
  },
});

const PRESETS = { today: 0, d7: 7, d30: 30, d90: 90 };
const TRENDING_DAYS = 31;
const HOUR_MS = 3600e3;

/** The window [from, to) for a preset or custom local dates, cut at midnights of the user's zone. */
export function periodWindow(preset, custom) {
  const zone = timeZone();
  const end = today(zone);
  if (preset === "custom") return { from: midnight(custom.from, zone), to: midnight(addDays(custom.to, 1), zone) };
  const days = PRESETS[preset];
  return { from: midnight(addDays(end, days === 0 ? 0 : 1 - days), zone), to: preset === "today" ? new Date() : midnight(addDays(end, 1), zone) };
}

function useApi(load, deps) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null }));
    load().then((data) => live && setState({ data, error: null }), (error) => live && setState({ data: null, error }));
    return () => { live = false; };
  }, deps);
  return state;
}

function Section({ title, state, children, wide }) {
  return html`<section class=${`card${wide ? " wide" : ""}`} aria-busy=${!state.data && !state.error}>
    <h2>${title}</h2>
    <${ProblemBanner} error=${state.error} />
    ${state.data ? children(state.data) : !state.error && html`<p class="muted">${t("loading")}</p>`}
  </section>`;
}

function Kpis({ params }) {
  const state = useApi(() => api.get("/v1/stats/kpis", params), [params]);
  const k = state.data;
  return html`<div class="kpis" aria-live="polite">
    <${ProblemBanner} error=${state.error} />
    ${k && html`
      <${KpiCard} label=${t("comments")} kpi=${k.comments} testid="kpi-comments" />
      <${KpiCard} label=${t("matched")} kpi=${k.matched_comments} testid="kpi-matched" />
      <${KpiCard} label=${t("negative")} kpi=${k.negative_share} share testid="kpi-negative-share" />
      <${KpiCard} label=${t("spam")} kpi=${k.spam_share} share testid="kpi-spam-share" />
      <${KpiCard} label=${t("communities")} kpi=${k.communities} testid="kpi-communities" />
      <${KpiCard} label=${t("monitored")} kpi=${k.monitored_communities} testid="kpi-monitored" />`}
  </div>`;
}

function Timeline({ params, interval }) {
  const state = useApi(() => api.get("/v1/stats/timeline", { ...params, interval, tz: timeZone() }), [params, interval]);
  const series = useMemo(() => [
    { key: "comments", label: t("all"), stroke: "#2563eb" },
    { key: "negative", label: t("negativeS"), stroke: "#dc2626" },
    { key: "positive", label: t("positiveS"), stroke: "#16a34a" },
  ], []);
  const pick = (point) => {
    const start = new Date(point.start);
    const end = new Date(start.getTime() + (interval === "hour" ? HOUR_MS : 0));
    const to = interval === "hour" ? end : midnight(addDays(new Intl.DateTimeFormat("en-CA", { timeZone: timeZone() }).format(start), 1));
    navigate("comments", { date_from: start.toISOString(), date_to: to.toISOString() });
  };
  return html`<${Section} title=${`${t("timeline")} (${t(interval)})`} state=${state} wide>
    ${(data) => html`<p class="muted">${t("timelineHint")}</p>
      <${TimelineChart} points=${data.points} series=${series} interval=${interval} label=${t("timeline")} onPick=${pick} />`}
  <//>`;
}

function TopLists({ params, span }) {
  const keywords = useApi(() => api.get("/v1/stats/keywords", { ...params, limit: 10 }), [params]);
  const authors = useApi(() => api.get("/v1/stats/authors", { ...params, limit: 10 }), [params]);
  const lemmas = useApi(() => api.get("/v1/stats/lemmas/top", { ...params, limit: 15 }), [params]);
  const longest = TRENDING_DAYS * 24 * HOUR_MS;
  const clipped = span.to - span.from > longest;
  const trendingParams = clipped ? { ...params, date_from: new Date(span.to - longest).toISOString() } : params;
  const trending = useApi(() => api.get("/v1/stats/lemmas/trending", { ...trendingParams, limit: 15 }), [params]);
  const num = (key) => ({ key, numeric: true, render: (r) => formatNumber(r[key]) });
  return html`
    <${Section} title=${t("keywords")} state=${keywords}>
      ${(rows) => html`<${Table} columns=${[
        { key: "text", label: t("keyword"), render: (r) => html`<a href=${href("comments", { keyword_id: r.keyword_id, date_from: params.date_from, date_to: params.date_to })}>${r.text}</a>` },
        { ...num("matched_comments"), label: t("comments") }, { ...num("matches"), label: t("matches") }]}
        rows=${rows} rowKey=${(r) => r.keyword_id} />`}
    <//>
    <${Section} title=${t("authors")} state=${authors}>
      ${(rows) => html`<${Table} columns=${[
        { key: "name", label: t("author"), render: (r) => html`<a href=${r.url} rel="noopener noreferrer" target="_blank">${r.name ?? r.screen_name ?? r.vk_id}</a>` },
        { ...num("comments"), label: t("comments") }, { ...num("matched_comments"), label: t("matched") }]}
        rows=${rows} rowKey=${(r) => r.vk_id} />`}
    <//>
    <${Section} title=${t("lemmas")} state=${lemmas}>
      ${(data) => html`<${Table} columns=${[{ key: "lemma", label: t("lemma") }, { ...num("count"), label: t("count") }]}
        rows=${data.items} rowKey=${(r) => r.lemma} />`}
    <//>
    <${Section} title=${t("trending")} state=${trending}>
      ${(data) => html`${clipped && html`<p class="muted">${t("trendingWindow")}</p>`}
        <${Table} columns=${[{ key: "lemma", label: t("lemma") }, { ...num("current"), label: t("now") }, { ...num("baseline"), label: t("before") }]}
        rows=${data.items} rowKey=${(r) => r.lemma} />`}
    <//>`;
}

const LIVE = new Set(["queued", "running"]);

function RecentJobs() {
  const [tick, setTick] = useState(0);
  const state = useApi(() => api.get("/v1/jobs", { limit: 5 }), [tick]);
  const running = state.data?.items.some((job) => LIVE.has(job.status));
  useEffect(() => {
    if (!running) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), 2000);
    return () => clearTimeout(timer);
  }, [running, state.data]);
  return html`<${Section} title=${t("jobs")} state=${state} wide>
    ${(page) => html`<${Table} columns=${[
      { key: "type", label: t("type"), render: (j) => html`<a href=${href("jobs", {}, j.id)}>${j.type}</a>` },
      { key: "status", label: t("status"), render: (j) => t(j.status) },
      { key: "created_at", label: t("created"), render: (j) => formatDateTime(j.created_at) },
      { key: "progress", label: t("progress"), render: (j) => html`<${ProgressBar} label=${`${j.type} ${j.status}`}
          percent=${j.progress?.percent ?? (j.status === "succeeded" ? 100 : null)} eta_s=${j.progress?.eta_s} />` },
    ]} rows=${page.items} rowKey=${(j) => j.id} rowTestid="job-row" />`}
  <//>`;
}

export default function Overview({ route }) {
  const preset = route.params.get("period") || "d7";
  const custom = { from: route.params.get("from") || addDays(today(), -6), to: route.params.get("to") || today() };
  const span = periodWindow(preset, custom);
  const params = useMemo(
    () => ({ date_from: span.from.toISOString(), date_to: span.to.toISOString() }),
    [preset, custom.from, custom.to, timeZone()],
  );
  const interval = span.to - span.from <= 7 * 24 * HOUR_MS ? "hour" : "day";
  const choose = (next) => navigate("overview", { period: next, ...(next === "custom" ? custom : {}) });
  return html`<h1>${t("title")}</h1>
    <fieldset class="period">
      <legend>${t("period")}</legend>
      ${[...Object.keys(PRESETS), "custom"].map((name) => html`<label class="chip">
        <input type="radio" name="period" value=${name} checked=${preset === name} onChange=${() => choose(name)} />${t(name)}</label>`)}
      ${preset === "custom" && html`
        <label>${t("from")} <input type="date" value=${custom.from} onChange=${(e) => navigate("overview", { period: "custom", from: e.currentTarget.value, to: custom.to })} /></label>
        <label>${t("to")} <input type="date" value=${custom.to} onChange=${(e) => navigate("overview", { period: "custom", from: custom.from, to: e.currentTarget.value })} /></label>`}
    </fieldset>
    <${Kpis} params=${params} />
    <div class="grid">
      <${Timeline} params=${params} interval=${interval} />
      <${TopLists} params=${params} span=${span} />
      <${RecentJobs} />
    </div>`;
}
