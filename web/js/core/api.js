// The one way screens talk to the API: same origin, X-Api-Key from the session, problem+json surfaced.
import { apiKey, signOut } from "./session.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem; // {type, title, status, detail, errors?...} as the API sent it
  }
}

const unauthorizedListeners = new Set();

/** Called with the ApiError when the key is missing, wrong or revoked (the session is cleared first). */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value == null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function request(method, path, { params, body, key, headers = {}, signal } = {}) {
  const sent = { Accept: "application/json, application/problem+json", ...headers };
  const token = key ?? apiKey();
  if (token) sent["X-Api-Key"] = token;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  const response = await fetch(path + query(params), {
    method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body), signal,
  });
  const type = response.headers.get("content-type") || "";
  const payload = response.status === 204 ? null : type.includes("json") ? await response.json() : await response.text();
  if (response.ok) return payload;
  const problem = typeof payload === "object" && payload ? payload : { title: response.statusText, detail: payload };
  const error = new ApiError(response.status, problem);
  if (response.status === 401 && key === undefined) {
    signOut();
    unauthorizedListeners.forEach((fn) => fn(error));
  }
  throw error;
}

export const api = {
  get: (path, params, options) => request("GET", path, { ...options, params }),
  post: (path, body, options) => request("POST", path, { ...options, body }),
  put: (path, body, options) => request("PUT", path, { ...options, body }),
  patch: (path, body, options) => request("PATCH", path, { ...options, body }),
  delete: (path, options) => request("DELETE", path, options),
  /** Checks a key before it is stored (a 401 here is the sign-in screen's to explain). */
  workspaceFor: (key) => request("GET", "/v1/workspace", { key }),
};
