// Russian by default, English on request. Every module keeps its own messages (defineMessages), so
// screens never edit one shared dictionary. The choice is stored in localStorage.
const STORAGE_KEY = "vkc.locale";
export const LOCALES = ["ru", "en"];
let current = LOCALES.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : "ru";
const listeners = new Set();

export function locale() {
  return current;
}

export function setLocale(next) {
  if (!LOCALES.includes(next) || next === current) return;
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  listeners.forEach((fn) => fn(next));
}

export function onLocaleChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** t(key, {name: value}) over {ru: {...}, en: {...}}; a missing English text falls back to Russian. */
export function defineMessages(messages) {
  return function t(key, vars = {}) {
    const text = messages[current]?.[key] ?? messages.ru[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
  };
}

export function formatNumber(value, options = {}) {
  return value == null ? "—" : new Intl.NumberFormat(current, options).format(value);
}

/** A 0..1 share as a percentage. */
export function formatShare(value) {
  return value == null ? "—" : formatNumber(value * 100, { maximumFractionDigits: 1 }) + " %";
}

document.documentElement.lang = current;
