// Small building blocks shared by the pages: times, status badges, JSON, errors.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiProblem } from '../api/client';
import { absoluteTime, duration, relativeTime } from '../format/time';

/** An instant as "5 min ago" with the absolute local time beside it (and to the millisecond on hover). */
export function Time({ at, now, compact = false }: { at: string | null | undefined; now: number; compact?: boolean }) {
  if (!at) return <span class="muted">—</span>;
  return (
    <time dateTime={at} title={`${absoluteTime(at, true)} (${at})`} class="time">
      <span class="rel">{relativeTime(at, now)}</span>
      {!compact && <span class="abs">{absoluteTime(at)}</span>}
    </time>
  );
}

export function Duration({ ms }: { ms: number | null | undefined }) {
  return ms === null || ms === undefined ? <span class="muted">—</span> : <span class="num nowrap">{duration(ms)}</span>;
}

/** A status in its colour: the class is the status itself, lower-cased (status-compensation_failed). */
export function Status({ value, title }: { value: string; title?: string }) {
  return (
    <span class={`badge status-${value.toLowerCase()}`} title={title}>
      {value.replace(/_/g, ' ')}
    </span>
  );
}

export function Json({ value, open = false, label }: { value: unknown; open?: boolean; label?: string }) {
  if (value === undefined || value === null) return <span class="muted">null</span>;
  const text = JSON.stringify(value, null, 2);
  if (text.length <= 60 && !text.includes('\n')) return <code class="json-inline">{text}</code>;
  return (
    <details class="json" open={open}>
      <summary>{label ?? summaryOf(value)}</summary>
      <pre>{text}</pre>
    </details>
  );
}

function summaryOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    return `{ ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''} }`;
  }
  return String(value);
}

export function ShortId({ id }: { id: string }) {
  return (
    <code class="id" title={id}>
      {id.slice(0, 8)}
    </code>
  );
}

/** An error from the API, with its code and field errors. */
export function ProblemBox({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiProblem) {
    return (
      <div class="problem" role="alert">
        <strong>{error.code}</strong> {error.detail}
        {error.errors.length > 0 && (
          <ul>
            {error.errors.map((e) => (
              <li key={e.field}>
                <code>{e.field}</code>: {e.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div class="problem" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

/** What a page shows for an endpoint this coordinator does not have yet. */
export function NotAvailable({ what }: { what: string }) {
  return (
    <div class="notice">
      {what} is not available in this version of the coordinator.
    </div>
  );
}

export function Section({ title, children, actions }: { title: ComponentChildren; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{title}</h2>
        {actions && <div class="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** Copies a value (a saga id, a trace id) to the clipboard. */
export function Copy({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="link small"
      title="copy"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setDone(true);
          setTimeout(() => setDone(false), 1200);
        });
      }}
    >
      {done ? 'copied' : 'copy'}
    </button>
  );
}
