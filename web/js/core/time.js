// The user's IANA time zone (browser default, changeable, stored) and dates shown in it.
import { locale } from "./i18n.js";

const STORAGE_KEY = "vkc.timeZone";
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export function isValidZone(name) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function timeZone() {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored && isValidZone(stored) ? stored : browserZone;
}

export function setTimeZone(name) {
  if (!isValidZone(name)) throw new RangeError(`Unknown time zone ${name}`);
  localStorage.setItem(STORAGE_KEY, name);
}

export function knownZones() {
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [browserZone, "UTC"];
}

export function formatDateTime(value, options = { dateStyle: "medium", timeStyle: "short" }) {
  if (value == null) return "—";
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: timeZone() }).format(new Date(value));
}

export function formatDate(value) {
  return formatDateTime(value, { dateStyle: "medium" });
}

/** Milliseconds to add to UTC to get the wall clock of `zone` at instant `ms`. */
function zoneOffset(ms, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant of midnight starting the given local date (YYYY-MM-DD) in `zone`. */
export function midnight(isoDate, zone = timeZone()) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - zoneOffset(guess, zone);
  return new Date(guess - zoneOffset(first, zone));
}

/** Today's local date (YYYY-MM-DD) in `zone`. */
export function today(zone = timeZone()) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
}

/** A local date moved by `days`. */
export function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
