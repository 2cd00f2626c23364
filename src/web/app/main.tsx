/**
 * The workbench: signs in (when the server requires keys), loads the reference data once, and
 * shows one page at a time by the address's hash (#/check, #/what-if, #/screen, #/ledgers,
 * #/audit, #/chips, #/admin), so that the browser's back button and bookmarks work.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, get, post, setCsrf, whenUnauthorized } from './api/client.js';
import type { Chip, Reference, RulesetInfo, SessionState, Transaction } from './api/types.js';
import { ErrorBox } from './components/Fields.js';
import { AdminPage } from './pages/Admin.js';
import { AuditPage } from './pages/Audit.js';
import { CheckPage, EXAMPLES } from './pages/Check.js';
import { ChipsPage } from './pages/Chips.js';
import { LedgersPage } from './pages/Ledgers.js';
import { ScreenPage } from './pages/Screen.js';
import { WhatIfPage } from './pages/WhatIf.js';
import { App, type AppState } from './state.js';

const PAGES = [
  { path: 'check', label: 'Check' },
  { path: 'what-if', label: 'What-if' },
  { path: 'screen', label: 'Screen' },
  { path: 'ledgers', label: 'Ledgers' },
  { path: 'audit', label: 'Audit' },
  { path: 'chips', label: 'Chips & TPP' },
  { path: 'admin', label: 'Admin' },
] as const;

const route = () => location.hash.replace(/^#\/?/, '').split('/') as [string, string?];

function useRoute(): [string, string?] {
  const [r, setR] = useState(route());
  useEffect(() => {
    const on = () => setR(route());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return r;
}

function SignIn({ onSignedIn }: { onSignedIn: (s: SessionState) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  return (
    <main id="main" class="page signin">
      <h1>Sign in to the aidr workbench</h1>
      <p>Enter your API key once; the browser keeps a session (until you sign out, or for a working day). Ask an admin for a key (<code>aidr keys create</code>).</p>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setError(undefined);
        try {
          onSignedIn(await post<SessionState>('/v1/session', { token }));
        } catch (err) {
          setError(err);
        }
      }}>
        <div class="field">
          <label for="api-key">API key</label>
          <input id="api-key" type="password" autoComplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} required />
        </div>
        <button type="submit" class="primary">Sign in</button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}

interface Loaded { reference: Reference; chips: Chip[]; ruleset: RulesetInfo; anchors: ReadonlySet<string> }

async function loadReference(): Promise<Loaded> {
  const [reference, chips, ruleset, anchors] = await Promise.all([get<Reference>('/v1/reference'), get<Chip[]>('/v1/chips'), get<RulesetInfo>('/v1/ruleset'), get<string[]>('/rule/anchors.json')]);
  return { reference, chips, ruleset, anchors: new Set(anchors) };
}

function Root() {
  const [session, setSession] = useState<SessionState | undefined>();
  const [loaded, setLoaded] = useState<Loaded | undefined>();
  const [error, setError] = useState<unknown>();
  const [tx, setTx] = useState<Transaction>(EXAMPLES[0]!.tx);
  const [page, arg] = useRoute();

  const start = (s: SessionState) => {
    setCsrf(s.csrfToken);
    setSession(s);
  };
  // The reference data is asked for beside the session, not after it: one round trip to the first screen.
  const early = useRef<Promise<Loaded | undefined> | undefined>(undefined);
  useEffect(() => {
    whenUnauthorized(() => { setCsrf(undefined); setSession((s) => (s ? { ...s, authenticated: false, principal: null } : s)); setLoaded(undefined); });
    early.current = loadReference().catch(() => undefined);
    get<SessionState>('/v1/session').then(start, setError);
  }, []);
  const signedIn = session !== undefined && session.principal !== null;
  useEffect(() => {
    if (!signedIn || loaded) return;
    const pending = early.current ?? Promise.resolve(undefined);
    early.current = undefined;
    pending.then((l) => (l ? setLoaded(l) : loadReference().then(setLoaded, setError)));
  }, [signedIn, loaded]);

  if (error && !(error instanceof ApiError && error.status === 401)) return <main id="main" class="page"><h1>aidr workbench</h1><ErrorBox error={error} /></main>;
  if (!session) return <main id="main" class="page"><p role="status">Loading…</p></main>;
  if (!signedIn) return <SignIn onSignedIn={start} />;
  if (!loaded) return <main id="main" class="page"><p role="status">Loading the reference data…</p></main>;

  const state: AppState = {
    session, ...loaded, tx, setTx,
    signOut: async () => {
      await del('/v1/session').catch(() => undefined);
      setCsrf(undefined);
      setLoaded(undefined);
      setSession({ authenticated: false, authRequired: session.authRequired, principal: session.authRequired ? null : session.principal });
      if (!session.authRequired) get<SessionState>('/v1/session').then(start, setError);
    },
  };
  const current = PAGES.find((p) => p.path === page)?.path ?? 'check';
  const p = session.principal!;
  return (
    <App.Provider value={state}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to the content</a>
      <header class="topbar no-print">
        <a class="brand" href="#/check">aidr workbench</a>
        <nav aria-label="Pages">
          <ul>{PAGES.map((x) => <li key={x.path}><a href={`#/${x.path}`} aria-current={current === x.path ? 'page' : undefined}>{x.label}</a></li>)}</ul>
        </nav>
        <div class="who">
          <span>{p.anonymous ? 'Local officer (no sign-in on loopback)' : `${p.name || p.keyId} (${p.role})`}</span>
          {session.authenticated ? <button type="button" class="small" onClick={state.signOut}>Sign out</button> : null}
          <a href="/rule" target="_blank" rel="noopener">Rule text</a>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {current === 'check' ? <CheckPage /> : current === 'what-if' ? <WhatIfPage /> : current === 'screen' ? <ScreenPage /> : current === 'ledgers' ? <LedgersPage />
          : current === 'audit' ? <AuditPage id={arg} /> : current === 'chips' ? <ChipsPage /> : <AdminPage />}
      </main>
    </App.Provider>
  );
}

// A printed determination shows its whole explanation: collapsed sections open for the print, then close again.
let openedForPrint: HTMLDetailsElement[] = [];
addEventListener('beforeprint', () => {
  openedForPrint = [...document.querySelectorAll<HTMLDetailsElement>('details:not([open])')];
  for (const d of openedForPrint) d.open = true;
});
addEventListener('afterprint', () => {
  for (const d of openedForPrint) d.open = false;
  openedForPrint = [];
});

render(<Root />, document.getElementById('app')!);
