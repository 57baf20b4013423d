// A modal on the native <dialog>: focus is trapped and Escape closes it, for free.
import { useEffect, useRef } from "preact/hooks";
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";

const t = defineMessages({ ru: { close: "Закрыть" }, en: { close: "Close" } });

export function Dialog({ open, title, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return html`<dialog ref=${ref} class="dialog" aria-label=${title} onClose=${onClose}>
    <header><h2>${title}</h2><button type="button" class="link" onClick=${onClose}>${t("close")}</button></header>
    ${open && children}
  </dialog>`;
}
