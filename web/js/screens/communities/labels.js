// Words shared by the communities list and a community's page (VK status, job status, monitoring).
import { defineMessages } from "../../core/i18n.js";

export const t = defineMessages({
  ru: {
    open: "открытое", closed: "закрытое", private: "частное", deleted: "удалено VK", banned: "заблокировано VK",
    deactivated: "деактивировано VK", yes: "да", every: "каждые {n} мин", off: "выключен",
    queued: "в очереди", running: "выполняется", succeeded: "готово", failed: "ошибка", cancelled: "отменена",
    high: "высокий", normal: "обычный", low: "низкий", members: "участников: {n}",
  },
  en: {
    open: "open", closed: "closed", private: "private", deleted: "deleted by VK", banned: "blocked by VK",
    deactivated: "deactivated by VK", yes: "yes", every: "every {n} min", off: "off",
    queued: "queued", running: "running", succeeded: "succeeded", failed: "failed", cancelled: "cancelled",
    high: "high", normal: "normal", low: "low", members: "{n} members",
  },
});

/** VK's state of a community in words: deactivated first, then open / closed / private. */
export function vkState(c) {
  if (c.deactivated) return t(c.deactivated === "deleted" || c.deactivated === "banned" ? c.deactivated : "deactivated");
  return t(["open", "closed", "private"][c.is_closed] || "open");
}
