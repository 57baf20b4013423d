// A modal on the native <dialog>: focus is trapped and Escape closes it, for free.
// showModal() runs in a layout effect, in the same task that puts the children in the DOM: with a
// plain effect there was a moment where the content existed but the dialog was not yet modal, and an
// Escape pressed then was lost (the dialog opened afterwards and stayed open).
import { useLayoutEffect, useRef } from "preact/hooks";
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";

const t = defineMessages({ ru: { close: "Закрыть" }, en: { close: "Close" } });

export function Dialog({ open, title, onClose, children }) {
  const ref = useRef(null);
  const wanted = useRef(open);
  wanted.current = open;
  useLayoutEffect(() => {
    const el = ref.current;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  // The native close event also follows our own close(); only a close the owner did not ask for
  // (Escape) is reported, so onClose runs once per closing.
  const closed = () => wanted.current && onClose();
  return html`<dialog ref=${ref} class="dialog" aria-label=${title} onClose=${closed}>
    <header><h2>${title}</h2><button type="button" class="link" onClick=${onClose}>${t("close")}</button></header>
    ${open && children}
  </dialog>`;
}
