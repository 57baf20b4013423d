// Job words shared by the list, a job's page and the dead letters.
import { defineMessages } from "../../core/i18n.js";

export const label = defineMessages({
  ru: { queued: "в очереди", running: "выполняется", succeeded: "готово", failed: "ошибка", cancelled: "отменена",
    high: "высокий", normal: "обычный", low: "низкий" },
  en: { queued: "queued", running: "running", succeeded: "succeeded", failed: "failed", cancelled: "cancelled",
    high: "high", normal: "normal", low: "low" },
});

export const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"];
