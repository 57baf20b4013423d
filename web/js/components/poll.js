// Live values: load once, then again every `every` ms while `live(data)` says something is still moving
// (a job queued or running, an export being written); stops as soon as nothing is.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export const LIVE_JOB = new Set(["queued", "running"]);

/** usePolled(() => api.get(...), (data) => LIVE_JOB.has(data.status), [deps]) → {data, error, reload}. */
export function usePolled(load, live, deps, every = 1500) {
  const [state, setState] = useState({ data: null, error: null });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const shown = useRef(null);
  useEffect(() => {
    const mine = ++generation.current;
    const key = JSON.stringify(deps);
    if (shown.current !== key) { shown.current = key; setState({ data: null, error: null }); } // another thing
    load().then(
      (data) => mine === generation.current && setState({ data, error: null }),
      (error) => mine === generation.current && setState((s) => ({ data: s.data, error })),
    );
  }, [...deps, tick]);
  const moving = state.data != null && !state.error && live(state.data);
  useEffect(() => {
    if (!moving) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), every);
    return () => clearTimeout(timer);
  }, [moving, state.data]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}
