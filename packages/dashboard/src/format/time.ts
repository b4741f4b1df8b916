// How the dashboard writes instants and durations: an absolute local time that sorts and
// reads the same everywhere (2026-05-01 14:03:07), a relative one (3 min ago, in 20 s), and
// durations in the unit a person would use (85 ms, 4.2 s, 3 min 10 s). Pure functions.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local date and time to the second, e.g. 2026-05-01 14:03:07. */
export function absoluteTime(iso: string, withMillis = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${withMillis ? `.${pad(d.getMilliseconds(), 3)}` : ''}`;
  return `${date} ${time}`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; in the future "in 20 s". */
export function relativeTime(iso: string, nowMs: number): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const diff = nowMs - t;
  const abs = Math.abs(diff);
  if (abs < 1_000) return 'just now';
  const text = coarseDuration(abs);
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

function coarseDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** A duration: "85 ms", "4.2 s", "3 min 10 s", "2 h 5 min". */
export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const min = Math.floor(s / 60);
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** The ISO instant of a <input type="datetime-local"> value (local time), or undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The value of a <input type="datetime-local"> showing an ISO instant in local time. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
