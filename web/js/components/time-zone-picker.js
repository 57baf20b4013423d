// The user's time zone: shown in the header, changed in a dialog, stored (core/time.js).
import { useState } from "preact/hooks";
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";
import { knownZones, setTimeZone, timeZone } from "../core/time.js";
import { Dialog } from "./dialog.js";
import { Field } from "./field.js";

const t = defineMessages({
  ru: { title: "Часовой пояс", label: "Пояс IANA", hint: "Даты и границы периодов считаются в этом поясе.", save: "Сохранить", change: "Часовой пояс: {zone}. Изменить" },
  en: { title: "Time zone", label: "IANA zone", hint: "Dates and period boundaries are cut in this zone.", save: "Save", change: "Time zone: {zone}. Change" },
});

export function TimeZonePicker({ onChange }) {
  const [open, setOpen] = useState(false);
  const [zone, setZone] = useState(timeZone());
  const save = (event) => {
    event.preventDefault();
    setTimeZone(zone);
    setOpen(false);
    onChange(zone);
  };
  return html`<button type="button" class="link" data-testid="time-zone" aria-label=${t("change", { zone: timeZone() })}
      onClick=${() => { setZone(timeZone()); setOpen(true); }}>${timeZone()}</button>
    <${Dialog} open=${open} title=${t("title")} onClose=${() => setOpen(false)}>
      <form onSubmit=${save}>
        <${Field} label=${t("label")} hint=${t("hint")}>
          ${(props) => html`<select ...${props} name="time-zone" value=${zone} onChange=${(e) => setZone(e.currentTarget.value)}>
            ${knownZones().map((z) => html`<option value=${z}>${z}</option>`)}</select>`}
        <//>
        <button type="submit">${t("save")}</button>
      </form>
    <//>`;
}
