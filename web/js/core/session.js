// The API key lives in sessionStorage only: closing the tab or signing out forgets it.
const KEY = "vkc.apiKey";

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function signIn(key) {
  sessionStorage.setItem(KEY, key.trim());
}

export function signOut() {
  sessionStorage.clear();
}
