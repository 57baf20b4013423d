// Keyset paging: pages of a list endpoint ({items, next_cursor}) appended by "load more".
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";

const t = defineMessages({ ru: { more: "Загрузить ещё", loading: "Загрузка…" }, en: { more: "Load more", loading: "Loading…" } });

/** usePager("/v1/jobs", {status}) → {items, more, loading, error, done, reload}; params changes restart it. */
export function usePager(path, params) {
  const [state, setState] = useState({ items: [], cursor: null, done: false, loading: false, error: null });
  const generation = useRef(0);
  const key = JSON.stringify(params);
  const load = useCallback(async (cursor, reset) => {
    const mine = generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    try {
      const page = await api.get(path, { ...params, cursor });
      if (mine !== generation.current) return;
      setState((s) => ({
        items: reset ? page.items : s.items.concat(page.items), cursor: page.next_cursor,
        done: !page.next_cursor, loading: false, error: null,
      }));
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ ...s, loading: false, error }));
    }
  }, [path, key]);
  useEffect(() => {
    generation.current += 1;
    load(null, true);
  }, [load]);
  return { ...state, more: () => load(state.cursor, false), reload: () => { generation.current += 1; load(null, true); } };
}

export function LoadMore({ pager }) {
  if (pager.done) return null;
  return html`<button type="button" class="secondary" disabled=${pager.loading} onClick=${pager.more}>
    ${pager.loading ? t("loading") : t("more")}</button>`;
}
