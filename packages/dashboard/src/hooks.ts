// Loading data from the API, once or on a timer ("live"), with the error kept for display.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change and, with `everyMs`, again that long after each answer
 * (never two requests at once). A slower answer never overwrites a newer one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const mine = ++generation.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (err: unknown) => {
        if (mine === generation.current) setError(err);
      },
    ).finally(() => {
      if (mine !== generation.current) return;
      setLoading(false);
      if (everyMs !== undefined) timer = setTimeout(() => setTick((t) => t + 1), everyMs);
    });
    return () => {
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick, everyMs]);

  return { data, error, loading, reload };
}

/** The current time, updated every `everyMs`, for relative times that keep moving. */
export function useNow(everyMs = 5_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
