// The comment filter as it lives in the URL (the names of GET /v1/comments), the form that edits it,
// and its two API spellings: query parameters (search, count) and a JSON body (bulk moderation).
import { useEffect, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages } from "../../core/i18n.js";
import { navigate } from "../../core/router.js";
import { addDays, formatDateTime, midnight, timeZone } from "../../core/time.js";

const t = defineMessages({
  ru: {
    legend: "Фильтр", q: "Текст", qHint: "Все формы слов; \"фраза\", -исключить, or", community: "Сообщество",
    post: "Пост", postHint: "Как в ссылке ВК: -123_456", keyword: "Ключевое слово", category: "Категория",
    author: "Автор (id ВК)", authorHint: "Через запятую", from: "С даты", to: "По дату (включительно)",
    sentiment: "Тональность", positive: "позитивная", neutral: "нейтральная", negative: "негативная",
    is_spam: "Спам", has_profanity: "Мат и оскорбления", has_match: "Совпадения", viewed: "Просмотрен",
    archived: "В архиве", language: "Язык", languageHint: "Коды через запятую: ru, en", sort: "Порядок",
    any: "любой", yes: "да", no: "нет", search: "Найти", reset: "Сбросить",
    date_desc: "сначала новые", date_asc: "сначала старые", likes_desc: "больше лайков", likes_asc: "меньше лайков",
    match_count_desc: "больше совпадений", match_count_asc: "меньше совпадений", window: "Период: {from} — {to}",
    since: "с {from}", until: "до {to}",
  },
  en: {
    legend: "Filter", q: "Text", qHint: "Every word form; \"a phrase\", -exclude, or", community: "Community",
    post: "Post", postHint: "As in VK links: -123_456", keyword: "Keyword", category: "Category",
    author: "Author (VK id)", authorHint: "Comma-separated", from: "From", to: "To (inclusive)",
    sentiment: "Sentiment", positive: "positive", neutral: "neutral", negative: "negative",
    is_spam: "Spam", has_profanity: "Profanity or insults", has_match: "Matched", viewed: "Viewed",
    archived: "Archived", language: "Language", languageHint: "Codes, comma-separated: ru, en", sort: "Order",
    any: "any", yes: "yes", no: "no", search: "Search", reset: "Reset",
    date_desc: "newest first", date_asc: "oldest first", likes_desc: "most liked", likes_asc: "least liked",
    match_count_desc: "most matches", match_count_asc: "fewest matches", window: "Period: {from} — {to}",
    since: "from {from}", until: "until {to}",
  },
});

export const LISTS = ["community_id", "keyword_id", "category", "author", "sentiment", "language"];
export const FLAGS = ["is_spam", "has_profanity", "has_match", "viewed", "archived"];
const SINGLE = ["q", "post", "date_from", "date_to"];
export const SORTS = ["date_desc", "date_asc", "likes_desc", "likes_asc", "match_count_desc", "match_count_asc"];

/** URL params → the query of GET /v1/comments and /count (repeated names stay repeated). */
export function queryOf(params) {
  const out = {};
  for (const name of LISTS) {
    const values = params.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
    if (values.length) out[name] = values;
  }
  for (const name of [...SINGLE, ...FLAGS]) if (params.get(name)) out[name] = params.get(name);
  return out;
}

/** The same filter as the JSON body of POST /v1/comments/bulk (lists as arrays, flags as booleans). */
export function bodyOf(query) {
  const out = {};
  for (const [name, value] of Object.entries(query)) {
    if (FLAGS.includes(name)) out[name] = value === "true";
    else if (name === "author") out[name] = value.map(Number);
    else out[name] = value;
  }
  return out;
}

/** An instant → the local date (YYYY-MM-DD) in the user's zone. */
function localDate(ms) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone() }).format(new Date(ms));
}

function dayInputs(params) {
  const from = params.get("date_from");
  const to = params.get("date_to");
  return {
    from: from && !Number.isNaN(Date.parse(from)) ? localDate(Date.parse(from)) : "",
    to: to && !Number.isNaN(Date.parse(to)) ? localDate(Date.parse(to) - 1) : "", // date_to is exclusive
  };
}

/** Communities, keywords and categories to choose from (the first page of each is plenty for a picker). */
function useChoices() {
  const [choices, setChoices] = useState({ communities: [], keywords: [], categories: [] });
  useEffect(() => {
    let live = true;
    Promise.all([
      api.get("/v1/communities", { limit: 100 }),
      api.get("/v1/keywords", { limit: 100 }),
      api.get("/v1/keywords/categories"),
    ]).then(([c, k, cat]) => live && setChoices({
      communities: c.items, keywords: k.items, categories: cat.items.map((x) => x.category),
    }), () => {});
    return () => { live = false; };
  }, []);
  return choices;
}

function Select({ name, label, value, options }) {
  // a value from the URL that is not among the first page of choices is still shown (as its id);
  // uncontrolled (selected/defaultValue): a re-render of the screen never undoes what the user typed
  const known = options.some((o) => o.value === value);
  return html`<div class="field"><label for=${`cf-${name}`}>${label}</label>
    <select id=${`cf-${name}`} name=${name}>
      <option value="" selected=${!value}>${t("any")}</option>
      ${!known && value && html`<option value=${value} selected>${value}</option>`}
      ${options.map((o) => html`<option value=${o.value} selected=${o.value === value}>${o.label}</option>`)}
    </select></div>`;
}

function Text({ name, label, hint, value, type = "text" }) {
  return html`<div class="field"><label for=${`cf-${name}`}>${label}</label>
    <input id=${`cf-${name}`} name=${name} type=${type} defaultValue=${value || ""}
      aria-describedby=${hint ? `cf-${name}-hint` : undefined} />
    ${hint && html`<small id=${`cf-${name}-hint`} class="muted">${hint}</small>`}</div>`;
}

const yesNo = () => [{ value: "true", label: t("yes") }, { value: "false", label: t("no") }];

export function FilterForm({ params }) {
  const choices = useChoices();
  const days = dayInputs(params);
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = {};
    for (const name of ["q", "post", "community_id", "keyword_id", "category", "sentiment", ...FLAGS, "author", "language"]) {
      const value = String(form.get(name) || "").trim();
      if (value) next[name] = LISTS.includes(name) ? value.split(",").map((v) => v.trim()).filter(Boolean) : value;
    }
    // an untouched day keeps the URL's exact instant (the overview links to hour buckets)
    const from = String(form.get("from") || "");
    const to = String(form.get("to") || "");
    if (from) next.date_from = from === days.from && params.get("date_from") ? params.get("date_from") : midnight(from).toISOString();
    if (to) next.date_to = to === days.to && params.get("date_to") ? params.get("date_to") : midnight(addDays(to, 1)).toISOString();
    const sort = String(form.get("sort") || "");
    if (sort && sort !== "date_desc") next.sort = sort;
    navigate("comments", next);
  };
  const from = params.get("date_from");
  const to = params.get("date_to");
  // rebuilt when the filter in the URL changes (not when a comment is opened: typing is kept)
  const filterKey = JSON.stringify(queryOf(params)) + (params.get("sort") || "");
  return html`<form class="comments-filter" onSubmit=${submit} key=${filterKey} aria-label=${t("legend")}>
    <div class="comments-filter-grid">
      <${Text} name="q" label=${t("q")} hint=${t("qHint")} value=${params.get("q")} type="search" />
      <${Select} name="community_id" label=${t("community")} value=${params.get("community_id")}
        options=${choices.communities.map((c) => ({ value: c.id, label: c.name }))} />
      <${Text} name="post" label=${t("post")} hint=${t("postHint")} value=${params.get("post")} />
      <${Select} name="keyword_id" label=${t("keyword")} value=${params.get("keyword_id")}
        options=${choices.keywords.map((k) => ({ value: k.id, label: k.category ? `${k.text} (${k.category})` : k.text }))} />
      <${Select} name="category" label=${t("category")} value=${params.get("category")}
        options=${choices.categories.map((c) => ({ value: c, label: c }))} />
      <${Text} name="author" label=${t("author")} hint=${t("authorHint")} value=${params.getAll("author").join(",")} />
      <${Text} name="from" label=${t("from")} value=${days.from} type="date" />
      <${Text} name="to" label=${t("to")} value=${days.to} type="date" />
      <${Select} name="sentiment" label=${t("sentiment")} value=${params.get("sentiment")}
        options=${["positive", "neutral", "negative"].map((s) => ({ value: s, label: t(s) }))} />
      ${FLAGS.map((name) => html`<${Select} name=${name} label=${t(name)} value=${params.get(name)} options=${yesNo()} />`)}
      <${Text} name="language" label=${t("language")} hint=${t("languageHint")} value=${params.getAll("language").join(",")} />
      <div class="field"><label for="cf-sort">${t("sort")}</label>
        <select id="cf-sort" name="sort">
          ${SORTS.map((s) => html`<option value=${s} selected=${s === (params.get("sort") || "date_desc")}>${t(s)}</option>`)}
        </select></div>
    </div>
    <div class="comments-filter-actions">
      <button type="submit">${t("search")}</button>
      <a href="#/comments">${t("reset")}</a>
      ${(from || to) && html`<span class="muted" data-testid="comments-window">${from && to
        ? t("window", { from: formatDateTime(from), to: formatDateTime(to) })
        : from ? t("since", { from: formatDateTime(from) }) : t("until", { to: formatDateTime(to) })}</span>`}
    </div>
  </form>`;
}
