// Hash routes (#/overview?date_from=...): the screen's filter lives in the URL, bookmarkable.
import { useEffect, useState } from "preact/hooks";

export const ROUTES = ["overview", "communities", "comments", "keywords", "jobs", "exports", "alerts", "settings"];
export const DEFAULT_ROUTE = "overview";

export function parseHash(hash = location.hash) {
  const [path, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  return { name: ROUTES.includes(name) ? name : null, rest: rest.map(decodeURIComponent), params: new URLSearchParams(search) };
}

export function href(name, params = {}, ...rest) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value == null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const path = [name, ...rest.map(encodeURIComponent)].join("/");
  const text = search.toString();
  return `#/${path}${text ? `?${text}` : ""}`;
}

export function navigate(name, params, ...rest) {
  location.hash = href(name, params, ...rest);
}

/** The current route; re-renders on every hash change. */
export function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const update = () => setRoute(parseHash());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** Each screen lives in screens/<name>.js and default-exports its component; loaded on first visit. */
export function loadScreen(name) {
  return import(`../screens/${name}.js`);
}
