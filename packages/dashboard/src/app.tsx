// The dashboard's shell: the API key (asked once per tab), the navigation, and the page
// the address names.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiProblem, onUnauthenticated } from './api/client';
import { forgetKey, storedKey, storeKey } from './api/session';
import type { Me, SagaPage } from './api/types';
import { ProblemBox } from './components/common';
import { useLoad } from './hooks';
import { AttentionPage } from './pages/attention-page';
import { DeadLettersPage } from './pages/dead-letters-page';
import { DefinitionsPage } from './pages/definitions-page';
import { ParticipantsPage } from './pages/participants-page';
import { SagaPage as SagaDetailPage } from './pages/saga-page';
import { SagasPage } from './pages/sagas-page';
import { href, useRoute } from './router';

type Session = { state: 'checking' } | { state: 'signed-out'; problem?: unknown } | { state: 'signed-in'; me: Me };

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });

  const signIn = useCallback(async (key: string | null) => {
    try {
      const me = await api<Me>('v1/me', { key });
      if (key) storeKey(key);
      setSession({ state: 'signed-in', me });
    } catch (err) {
      // Without a key, a 401 is the normal answer: show the form without an error.
      setSession({ state: 'signed-out', problem: key === null && err instanceof ApiProblem && err.unauthenticated ? undefined : err });
    }
  }, []);

  useEffect(() => {
    // With API_AUTH=disabled the coordinator answers without a key; otherwise ask for one.
    void signIn(storedKey());
  }, [signIn]);

  useEffect(
    () =>
      onUnauthenticated((problem) => {
        forgetKey();
        setSession({ state: 'signed-out', problem });
      }),
    [],
  );

  const signOut = () => {
    forgetKey();
    setSession({ state: 'signed-out' });
  };

  if (session.state === 'checking') return <div class="splash">Connecting to the coordinator…</div>;
  if (session.state === 'signed-out') return <KeyForm problem={session.problem} onKey={(k) => void signIn(k)} />;
  return <Shell me={session.me} onSignOut={signOut} />;
}

function KeyForm({ problem, onKey }: { problem?: unknown; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <div class="splash">
      <form
        class="key-form card"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        <h1>Saga coordinator</h1>
        <p>Enter an API key. It is kept in this browser tab only, and forgotten when the tab closes.</p>
        <label class="field">
          <span>API key</span>
          <input name="api-key" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="sck_…" />
        </label>
        <ProblemBox error={problem} />
        <button type="submit" class="primary" disabled={key.trim() === ''}>
          Open the dashboard
        </button>
      </form>
    </div>
  );
}

const NAV: { path: string; label: string }[] = [
  { path: 'sagas', label: 'Sagas' },
  { path: 'attention', label: 'Needs attention' },
  { path: 'participants', label: 'Participants' },
  { path: 'dead-letters', label: 'Dead letters' },
  { path: 'definitions', label: 'Definitions' },
];

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const route = useRoute();
  const [first = 'sagas', second] = route.segments;
  // The count of sagas waiting for an operator, beside the tab that lists them.
  const failed = useLoad(() => api<SagaPage>('v1/sagas?status=FAILED&limit=100'), [], 10_000);
  const failedCount = failed.data ? `${failed.data.items.length}${failed.data.nextCursor ? '+' : ''}` : '';

  let page;
  if (first === 'sagas' && second) page = <SagaDetailPage sagaId={second} me={me} />;
  else if (first === 'sagas') page = <SagasPage params={route.params} />;
  else if (first === 'attention') page = <AttentionPage me={me} />;
  else if (first === 'participants') page = <ParticipantsPage me={me} />;
  else if (first === 'dead-letters') page = <DeadLettersPage />;
  else if (first === 'definitions') page = <DefinitionsPage />;
  else page = <ProblemBox error={new Error(`no page named '${first}'`)} />;

  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={href('sagas')}>
          Saga coordinator
        </a>
        <nav>
          {NAV.map((n) => (
            <a key={n.path} href={href(n.path)} class={first === n.path ? 'active' : ''}>
              {n.label}
              {n.path === 'attention' && failedCount !== '' && failedCount !== '0' && <span class="count">{failedCount}</span>}
            </a>
          ))}
        </nav>
        <div class="who">
          <span title={`actor in saga history: ${me.actor}`}>
            {me.name} <span class={`role role-${me.role}`}>{me.role}</span>
          </span>
          {me.source !== 'auth-disabled' && (
            <button type="button" class="link" onClick={onSignOut}>
              Forget key
            </button>
          )}
        </div>
      </header>
      <main>{page}</main>
    </div>
  );
}
