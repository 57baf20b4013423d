// Boots the app: sign-in until a key is accepted, then the layout with the current route's screen.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, onUnauthorized } from "./core/api.js";
import { html } from "./core/html.js";
import { onLocaleChange } from "./core/i18n.js";
import { DEFAULT_ROUTE, loadScreen, useRoute } from "./core/router.js";
import { apiKey, signOut } from "./core/session.js";
import { Layout, routeTitle } from "./components/layout.js";
import { ProblemBanner } from "./components/problem-banner.js";
import { SignIn } from "./screens/signin.js";

function Screen({ route }) {
  const [loaded, setLoaded] = useState(null);
  useEffect(() => {
    let live = true;
    setLoaded(null);
    loadScreen(route.name).then(
      (module) => live && setLoaded({ name: route.name, Component: module.default }),
      (error) => live && setLoaded({ name: route.name, error }),
    );
    return () => { live = false; };
  }, [route.name]);
  useEffect(() => { document.title = `${routeTitle(route.name)} · VK Comments Parser`; });
  if (!loaded || loaded.name !== route.name) return null;
  if (loaded.error) return html`<${ProblemBanner} error=${loaded.error} />`;
  return html`<${loaded.Component} route=${route} />`;
}

function App() {
  const route = useRoute();
  const [workspace, setWorkspace] = useState(null);
  const [signInProblem, setSignInProblem] = useState(null);
  // a new language or time zone re-renders everything (messages and dates are read at render time)
  const [settingsTick, setSettingsTick] = useState(0);
  const refresh = () => setSettingsTick((n) => n + 1);
  useEffect(() => onLocaleChange(refresh), []);
  useEffect(() => onUnauthorized((error) => { setWorkspace(null); setSignInProblem(error); }), []);
  useEffect(() => {
    if (apiKey() && !workspace) api.get("/v1/workspace").then(setWorkspace, setSignInProblem);
  }, []);
  useEffect(() => {
    if (!route.name) location.replace(`#/${DEFAULT_ROUTE}`);
  }, [route.name]);

  if (!apiKey() || !workspace) {
    if (apiKey() && !signInProblem) return html`<p class="boot" aria-busy="true">…</p>`;
    return html`<${SignIn} expired=${signInProblem} onSignedIn=${(ws) => { setSignInProblem(null); setWorkspace(ws); }} />`;
  }
  const leave = () => { signOut(); setWorkspace(null); setSignInProblem(null); };
  return html`<${Layout} route=${route} workspace=${workspace} onSignOut=${leave} onTimeZoneChange=${refresh}>
    ${route.name && html`<${Screen} key=${route.name} route=${route} settings=${settingsTick} />`}
  <//>`;
}

const root = document.getElementById("app");
root.textContent = ""; // the static "loading" text
render(html`<${App} />`, root);
