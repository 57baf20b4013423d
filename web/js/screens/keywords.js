// Keywords: the workspace's rules (create, edit, delete, every option; bulk import with its report),
// the categories, a live preview of the active keywords on any text, and the re-analysis each change
// queued (linked to its job) so the analyst sees when old comments are matched.
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { formatDateTime } from "../core/time.js";
import { Dialog } from "../components/dialog.js";
import { LoadMore, usePager } from "../components/pager.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { Table } from "../components/table.js";
import { KeywordForm } from "./keywords/form.js";
import { KeywordImport } from "./keywords/import.js";
import { Preview } from "./keywords/preview.js";
import { ModelQuality } from "./keywords/quality.js";
import { ReanalysisNotice } from "./keywords/reanalysis.js";

const t = defineMessages({
  ru: {
    title: "Ключевые слова", add: "Добавить ключевое слово", import: "Импорт из файла", search: "Поиск",
    category: "Категория", any: "любая", active: "Активность", all: "все", onlyActive: "активные", onlyInactive: "неактивные",
    find: "Показать", reset: "Сбросить", text: "Ключевое слово", kind: "Вид", options: "Параметры", updated: "Изменено",
    actions: "Действия", edit: "Изменить", delete: "Удалить", comments: "Комментарии", yes: "да", no: "нет",
    word: "слово", phrase: "фраза", regex: "regex", case: "регистр", wholeOff: "внутри слов", exact: "точная фраза",
    window: "окно {n}", fuzzyOff: "без опечаток", negatives: "минус: {list}", inactive: "выключено", empty: "Ключевых слов нет.",
    editTitle: "Изменить «{text}»", addTitle: "Новое ключевое слово", importTitle: "Импорт ключевых слов",
    deleteTitle: "Удалить ключевое слово", confirmDelete: "Удалить «{text}» и все его совпадения?", cancel: "Отмена",
    created: "Добавлено: «{text}».", updatedMsg: "Сохранено: «{text}».", deleted: "Удалено: «{text}»; его совпадения сняты.",
    imported: "Импортировано ключевых слов: {n}.", categories: "Категории", uncategorized: "без категории: {n}",
    preview: "Проверка текста", previewHint: "Активные ключевые слова рабочего пространства, как при анализе.",
    list: "Список ключевых слов", categoryCount: "{name}: {n}", quality: "Качество модели",
  },
  en: {
    title: "Keywords", add: "Add a keyword", import: "Import a file", search: "Search",
    category: "Category", any: "any", active: "Active", all: "all", onlyActive: "active", onlyInactive: "inactive",
    find: "Show", reset: "Reset", text: "Keyword", kind: "Kind", options: "Options", updated: "Updated",
    actions: "Actions", edit: "Edit", delete: "Delete", comments: "Comments", yes: "yes", no: "no",
    word: "word", phrase: "phrase", regex: "regex", case: "case", wholeOff: "inside words", exact: "exact phrase",
    window: "window {n}", fuzzyOff: "no typos", negatives: "minus: {list}", inactive: "off", empty: "No keywords.",
    editTitle: "Edit “{text}”", addTitle: "New keyword", importTitle: "Import keywords",
    deleteTitle: "Delete the keyword", confirmDelete: "Delete “{text}” and all its matches?", cancel: "Cancel",
    created: "Added: “{text}”.", updatedMsg: "Saved: “{text}”.", deleted: "Deleted: “{text}”; its matches are gone.",
    imported: "Keywords imported: {n}.", categories: "Categories", uncategorized: "uncategorized: {n}",
    preview: "Try a text", previewHint: "The workspace's active keywords, as the analysis applies them.",
    list: "Keywords", categoryCount: "{name}: {n}", quality: "Model quality",
  },
});

function optionsOf(k) {
  const parts = [];
  if (k.case_sensitive) parts.push(t("case"));
  if (!k.whole_word) parts.push(t("wholeOff"));
  if (k.kind === "phrase") parts.push(k.phrase_mode === "exact" ? t("exact") : t("window", { n: k.window ?? "—" }));
  if (!k.fuzzy) parts.push(t("fuzzyOff"));
  if (k.negatives.length) parts.push(t("negatives", { list: k.negatives.join(", ") }));
  return parts.join(" · ") || "—";
}

function useCategories(tick) {
  const [categories, setCategories] = useState(null);
  useEffect(() => { api.get("/v1/keywords/categories").then(setCategories, () => {}); }, [tick]);
  return categories;
}

export default function Keywords({ route }) {
  const params = route.params;
  const filter = { q: params.get("q") || undefined, category: params.get("category") || undefined, active: params.get("active") || undefined };
  const pager = usePager("/v1/keywords", { ...filter, limit: 50 });
  const [tick, setTick] = useState(0);
  const categories = useCategories(tick);
  const [dialog, setDialog] = useState(null); // {mode: "add"|"edit"|"import"|"delete", keyword?}
  const [message, setMessage] = useState("");
  const [jobId, setJobId] = useState(null);
  const [problem, setProblem] = useState(null);
  const names = categories ? categories.items.map((c) => c.category) : [];

  const changed = (text, jobIdOrNull) => {
    setMessage(text);
    if (jobIdOrNull) setJobId(jobIdOrNull);
    setDialog(null);
    pager.reload();
    setTick((n) => n + 1);
  };
  const saved = (keyword, how) => changed(t(how === "created" ? "created" : "updatedMsg", { text: keyword.text }), keyword.reanalysis_job_id);
  const remove = async () => {
    const keyword = dialog.keyword;
    setProblem(null);
    try {
      await api.delete(`/v1/keywords/${keyword.id}`);
      changed(t("deleted", { text: keyword.text }), null);
    } catch (error) {
      setDialog(null);
      setProblem(error);
    }
  };
  const applyFilter = (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    navigate("keywords", { q: form.get("q"), category: form.get("category"), active: form.get("active") });
  };

  const columns = [
    { key: "text", label: t("text"), render: (k) => html`<strong>${k.text}</strong>${!k.active ? html` <span class="badge">${t("inactive")}</span>` : ""}` },
    { key: "kind", label: t("kind"), render: (k) => t(k.kind) },
    { key: "category", label: t("category"), render: (k) => k.category ?? "—" },
    { key: "options", label: t("options"), render: optionsOf },
    { key: "updated_at", label: t("updated"), render: (k) => formatDateTime(k.updated_at, { dateStyle: "short", timeStyle: "short" }) },
    { key: "actions", label: t("actions"), render: (k) => html`<span class="keywords-actions">
      <button type="button" class="secondary small" aria-label=${`${t("edit")}: ${k.text}`} onClick=${() => setDialog({ mode: "edit", keyword: k })}>${t("edit")}</button>
      <button type="button" class="secondary small" aria-label=${`${t("delete")}: ${k.text}`} onClick=${() => setDialog({ mode: "delete", keyword: k })}>${t("delete")}</button>
      <a href=${href("comments", { keyword_id: k.id })} aria-label=${`${t("comments")}: ${k.text}`}>${t("comments")}</a>
    </span>` },
  ];

  return html`<div class="keywords">
    <h1>${t("title")}</h1>
    <div class="keywords-toolbar">
      <button type="button" onClick=${() => setDialog({ mode: "add" })}>${t("add")}</button>
      <button type="button" class="secondary" onClick=${() => setDialog({ mode: "import" })}>${t("import")}</button>
    </div>
    <p role="status" data-testid="keywords-message">${message}</p>
    ${jobId && html`<${ReanalysisNotice} key=${jobId} jobId=${jobId} />`}
    <${ProblemBanner} error=${pager.error || problem} />
    <div class="keywords-layout">
      <section class="card" aria-labelledby="keywords-list-title">
        <h2 id="keywords-list-title">${t("list")}</h2>
        <form class="keywords-filter" onSubmit=${applyFilter} key=${params.toString()}>
          <div class="field"><label for="kwf-q">${t("search")}</label>
            <input id="kwf-q" name="q" type="search" defaultValue=${filter.q || ""} /></div>
          <div class="field"><label for="kwf-category">${t("category")}</label>
            <select id="kwf-category" name="category">
              <option value="" selected=${!filter.category}>${t("any")}</option>
              ${names.map((c) => html`<option value=${c} selected=${c === filter.category}>${c}</option>`)}
            </select></div>
          <div class="field"><label for="kwf-active">${t("active")}</label>
            <select id="kwf-active" name="active">
              <option value="" selected=${!filter.active}>${t("all")}</option>
              <option value="true" selected=${filter.active === "true"}>${t("onlyActive")}</option>
              <option value="false" selected=${filter.active === "false"}>${t("onlyInactive")}</option>
            </select></div>
          <button type="submit" class="secondary">${t("find")}</button>
          <a href="#/keywords">${t("reset")}</a>
        </form>
        ${categories && html`<p class="keywords-categories"><span class="muted">${t("categories")}:</span>
          ${categories.items.map((c) => html` <a class="chip small" href=${href("keywords", { category: c.category })}>${t("categoryCount", { name: c.category, n: formatNumber(c.keywords) })}</a>`)}
          <span class="muted"> ${t("uncategorized", { n: formatNumber(categories.uncategorized) })}</span></p>`}
        <${Table} columns=${columns} rows=${pager.items} rowTestid="keyword-row" empty=${t("empty")} />
        <${LoadMore} pager=${pager} />
      </section>
      <div class="keywords-side">
        <section class="card" aria-labelledby="keywords-preview-title">
          <h2 id="keywords-preview-title">${t("preview")}</h2>
          <p class="muted">${t("previewHint")}</p>
          <${Preview} id="preview" version=${tick} />
        </section>
        <section class="card keywords-quality" aria-labelledby="keywords-quality-title" data-testid="model-quality">
          <h2 id="keywords-quality-title">${t("quality")}</h2>
          <${ModelQuality} />
        </section>
      </div>
    </div>
    <${Dialog} open=${dialog?.mode === "add" || dialog?.mode === "edit"}
      title=${dialog?.mode === "edit" ? t("editTitle", { text: dialog.keyword.text }) : t("addTitle")} onClose=${() => setDialog(null)}>
      ${(dialog?.mode === "add" || dialog?.mode === "edit") && html`<${KeywordForm} key=${dialog.keyword?.id || "new"}
        keyword=${dialog.keyword} categories=${names} onSaved=${saved} onCancel=${() => setDialog(null)} />`}
    <//>
    <${Dialog} open=${dialog?.mode === "import"} title=${t("importTitle")} onClose=${() => setDialog(null)}>
      <${KeywordImport} onImported=${(report) => {
        setMessage(t("imported", { n: formatNumber(report.created) }));
        if (report.reanalysis_job_id) setJobId(report.reanalysis_job_id);
        pager.reload();
        setTick((n) => n + 1);
      }} />
    <//>
    <${Dialog} open=${dialog?.mode === "delete"} title=${t("deleteTitle")} onClose=${() => setDialog(null)}>
      ${dialog?.mode === "delete" && html`<p>${t("confirmDelete", { text: dialog.keyword.text })}</p>
        <button type="button" onClick=${remove} data-testid="delete-confirm">${t("delete")}</button>
        <button type="button" class="secondary" onClick=${() => setDialog(null)}>${t("cancel")}</button>`}
    <//>
  </div>`;
}
