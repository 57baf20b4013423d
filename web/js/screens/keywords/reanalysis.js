// "A re-analysis was queued": the job a keyword change answered with, linked to #/jobs/<id>, and its
// progress polled until it ends (so the analyst knows when old comments are matched).
import { useEffect, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages } from "../../core/i18n.js";
import { href } from "../../core/router.js";
import { ProgressBar } from "../../components/progress-bar.js";

const t = defineMessages({
  ru: { queued: "Запущен повторный анализ сохранённых комментариев", job: "задача {id}", status: "статус: {status}",
    progress: "Ход повторного анализа", done: "Повторный анализ завершён: старые комментарии сопоставлены с новыми правилами." },
  en: { queued: "A re-analysis of the stored comments was queued", job: "job {id}", status: "status: {status}",
    progress: "Re-analysis progress", done: "Re-analysis finished: old comments are matched against the new rules." },
});

const POLL_MS = 1000;
const ACTIVE = new Set(["queued", "running"]);

export function ReanalysisNotice({ jobId }) {
  const [job, setJob] = useState(null);
  useEffect(() => {
    let live = true;
    let timer = 0;
    const poll = () => api.get(`/v1/jobs/${jobId}`).then((j) => {
      if (!live) return;
      setJob(j);
      if (ACTIVE.has(j.status)) timer = setTimeout(poll, POLL_MS);
    }, () => {});
    poll();
    return () => { live = false; clearTimeout(timer); };
  }, [jobId]);
  const percent = job?.progress?.percent ?? (job?.status === "succeeded" ? 100 : null);
  return html`<div class="keywords-reanalysis card" role="status" data-testid="reanalysis">
    <p>${t("queued")}: <a href=${href("jobs", {}, jobId)} data-testid="reanalysis-job">${t("job", { id: jobId.slice(0, 8) })}</a>
      ${job && html` · <span data-testid="reanalysis-status">${t("status", { status: job.status })}</span>`}</p>
    ${job && html`<${ProgressBar} label=${t("progress")} percent=${percent} eta_s=${job.progress?.eta_s} />`}
    ${job?.status === "succeeded" && html`<p>${t("done")}</p>`}
  </div>`;
}
