// A labelled form control with its hint and error wired through aria-describedby.
import { useState } from "preact/hooks";
import { html } from "../core/html.js";

let counter = 0;

export function Field({ label, hint, error, children, id: given }) {
  const [own] = useState(() => `f${++counter}`);
  const id = given || own;
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const control = typeof children === "function" ? children({ id, "aria-describedby": describedBy, "aria-invalid": error ? "true" : undefined }) : children;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${control}
    ${hint && html`<small id=${`${id}-hint`} class="muted">${hint}</small>`}
    ${error && html`<small id=${`${id}-error`} class="error">${error}</small>`}
  </div>`;
}
