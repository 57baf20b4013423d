// Create or edit a keyword with every option of KeywordCreate/KeywordUpdate, and try the rule being
// edited on a text before saving it (the preview sends the form as an ad hoc rule).
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages } from "../../core/i18n.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Preview } from "./preview.js";

const t = defineMessages({
  ru: {
    text: "Слово, фраза или регулярное выражение", textHint: "Слова и фразы совпадают во всех формах.",
    kind: "Вид", auto: "определить по тексту", word: "слово", phrase: "фраза", regex: "регулярное выражение",
    category: "Категория", categoryHint: "Свободный текст; можно выбрать из существующих.",
    case_sensitive: "Учитывать регистр", whole_word: "Только целое слово",
    wholeHint: "Если снять, слово от 4 букв найдётся и внутри длинных слов («банк» в «Сбербанке»).",
    phrase_mode: "Фраза", exact: "точно: слова подряд и по порядку", any_order: "в любом порядке в пределах окна",
    window: "Окно фразы (слов)", windowHint: "1–50; пусто — по умолчанию.", negatives: "Минус-слова",
    negativesHint: "По одному на строку: если такое слово или фраза есть в комментарии, совпадение не считается.",
    fuzzy: "Допускать одну опечатку (леммы от 6 букв)", active: "Активно", save: "Сохранить", create: "Добавить",
    cancel: "Отмена", options: "Параметры", tryIt: "Проверить правило на тексте",
  },
  en: {
    text: "Word, phrase or regular expression", textHint: "Words and phrases match in every form.",
    kind: "Kind", auto: "from the text", word: "word", phrase: "phrase", regex: "regular expression",
    category: "Category", categoryHint: "Free text; pick an existing one or type a new one.",
    case_sensitive: "Match case", whole_word: "Whole word only",
    wholeHint: "Unchecked, a word of 4+ letters also matches inside longer words ('банк' in 'Сбербанке').",
    phrase_mode: "Phrase", exact: "exact: adjacent and in order", any_order: "any order within the window",
    window: "Phrase window (words)", windowHint: "1–50; empty for the default.", negatives: "Negative words",
    negativesHint: "One per line: a comment containing one of them is not a match.",
    fuzzy: "Tolerate one typo (lemmas of 6+ letters)", active: "Active", save: "Save", create: "Add",
    cancel: "Cancel", options: "Options", tryIt: "Try the rule on a text",
  },
});

const BLANK = {
  text: "", kind: "", category: "", case_sensitive: false, whole_word: true, phrase_mode: "any_order", window: "",
  negatives: "", fuzzy: true, active: true,
};

function fromKeyword(k) {
  return { ...k, kind: k.kind, category: k.category ?? "", window: k.window ?? "", negatives: k.negatives.join("\n") };
}

/** The form's values as the API's KeywordCreate body. */
export function ruleOf(v) {
  const body = {
    text: v.text.trim(), category: v.category.trim() || null, case_sensitive: v.case_sensitive, whole_word: v.whole_word,
    phrase_mode: v.phrase_mode, window: v.window === "" ? null : Number(v.window),
    negatives: v.negatives.split("\n").map((n) => n.trim()).filter(Boolean), fuzzy: v.fuzzy, active: v.active,
  };
  if (v.kind) body.kind = v.kind;
  return body;
}

/** Only what changed (KeywordUpdate: fields not sent keep their values). */
function changes(before, after) {
  const out = {};
  for (const [name, value] of Object.entries(after)) {
    if (JSON.stringify(value) !== JSON.stringify(before[name])) out[name] = value;
  }
  return out;
}

export function KeywordForm({ keyword, categories, onSaved, onCancel }) {
  const [values, setValues] = useState(() => (keyword ? fromKeyword(keyword) : BLANK));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => {
    const target = e.currentTarget;
    setValues((v) => ({ ...v, [name]: target.type === "checkbox" ? target.checked : target.value }));
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = ruleOf(values);
      const saved = keyword
        ? await api.patch(`/v1/keywords/${keyword.id}`, changes(ruleOf(fromKeyword(keyword)), body))
        : await api.post("/v1/keywords", body);
      onSaved(saved, keyword ? "updated" : "created");
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const check = (name, hint) => html`<div class="keywords-check">
    <input type="checkbox" id=${`kw-${name}`} name=${name} checked=${values[name]} onChange=${set(name)}
      aria-describedby=${hint ? `kw-${name}-hint` : undefined} />
    <label for=${`kw-${name}`}>${t(name)}</label>
    ${hint && html`<small id=${`kw-${name}-hint`} class="muted">${hint}</small>`}
  </div>`;
  const rule = values.text.trim() ? [{ ...ruleOf(values), active: true, id: "rule" }] : [];
  return html`<form class="keywords-form" onSubmit=${submit} data-testid="keyword-form">
    <${ProblemBanner} error=${error} />
    <div class="field">
      <label for="kw-text">${t("text")}</label>
      <input id="kw-text" name="text" required autofocus maxlength="200" value=${values.text} onInput=${set("text")} aria-describedby="kw-text-hint" />
      <small id="kw-text-hint" class="muted">${t("textHint")}</small>
    </div>
    <div class="keywords-form-row">
      <div class="field"><label for="kw-kind">${t("kind")}</label>
        <select id="kw-kind" name="kind" value=${values.kind} onChange=${set("kind")}>
          ${!keyword && html`<option value="">${t("auto")}</option>`}
          ${["word", "phrase", "regex"].map((k) => html`<option value=${k}>${t(k)}</option>`)}
        </select></div>
      <div class="field"><label for="kw-category">${t("category")}</label>
        <input id="kw-category" name="category" list="kw-categories" maxlength="100" value=${values.category}
          onInput=${set("category")} aria-describedby="kw-category-hint" />
        <datalist id="kw-categories">${categories.map((c) => html`<option value=${c}></option>`)}</datalist>
        <small id="kw-category-hint" class="muted">${t("categoryHint")}</small></div>
    </div>
    <fieldset class="keywords-options"><legend>${t("options")}</legend>
      ${check("case_sensitive")}
      ${check("whole_word", t("wholeHint"))}
      ${check("fuzzy")}
      ${check("active")}
      <div class="keywords-form-row">
        <div class="field"><label for="kw-phrase_mode">${t("phrase_mode")}</label>
          <select id="kw-phrase_mode" name="phrase_mode" value=${values.phrase_mode} onChange=${set("phrase_mode")}>
            <option value="any_order">${t("any_order")}</option><option value="exact">${t("exact")}</option>
          </select></div>
        <div class="field"><label for="kw-window">${t("window")}</label>
          <input id="kw-window" name="window" type="number" min="1" max="50" value=${values.window} onInput=${set("window")}
            aria-describedby="kw-window-hint" />
          <small id="kw-window-hint" class="muted">${t("windowHint")}</small></div>
      </div>
      <div class="field"><label for="kw-negatives">${t("negatives")}</label>
        <textarea id="kw-negatives" name="negatives" rows="3" value=${values.negatives} onInput=${set("negatives")}
          aria-describedby="kw-negatives-hint"></textarea>
        <small id="kw-negatives-hint" class="muted">${t("negativesHint")}</small></div>
    </fieldset>
    <details class="keywords-try"><summary>${t("tryIt")}</summary>
      <${Preview} id="rule-preview" rules=${rule} />
    </details>
    <p class="keywords-form-actions">
      <button type="submit" disabled=${busy}>${keyword ? t("save") : t("create")}</button>
      <button type="button" class="secondary" onClick=${onCancel}>${t("cancel")}</button>
    </p>
  </form>`;
}
