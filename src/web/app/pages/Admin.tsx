/** Admin: API keys (create shows the token once; revoke) and workbench sessions (revoke). */
import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api/client.js';
import { ErrorBox, TextInput } from '../components/Fields.js';
import { can, useApp } from '../state.js';

interface Key { id: string; name: string; role: string; createdAt: string; createdBy: string; revokedAt: string | null }
interface Session { id: string; keyId: string; role: string; name: string; createdAt: string; expiresAt: string; active: boolean; revokedAt: string | null; userAgent: string }

export function AdminPage() {
  const app = useApp();
  const [keys, setKeys] = useState<Key[]>([]);
  const [sessions, setSessions] = useState<Session[]>([]);
  const [form, setForm] = useState({ name: '', role: 'viewer' });
  const [created, setCreated] = useState<{ id: string; token: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const load = async () => {
    try {
      setKeys(await get<Key[]>('/v1/keys'));
      setSessions(await get<Session[]>('/v1/sessions'));
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => { if (can(app, 'admin')) void load(); }, []);
  if (!can(app, 'admin')) return <div class="page"><h1>Administration</h1><p>API keys and sessions are managed by an admin; this session's role is {app.session.principal?.role ?? 'none'}.</p></div>;
  const act = (f: () => Promise<unknown>) => async () => { setError(undefined); try { await f(); await load(); } catch (e) { setError(e); } };
  return (
    <div class="page">
      <h1>Administration</h1>
      <ErrorBox error={error} />
      <section aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(async () => setCreated(await post<{ id: string; token: string }>('/v1/keys', { name: form.name, role: form.role })))(); }} aria-label="Create an API key">
          <TextInput label="Name" value={form.name} onChange={(v) => setForm({ ...form, name: v })} />
          <div class="field"><label for="key-role">Role</label>
            <select id="key-role" value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}>
              <option value="viewer">viewer (read)</option><option value="analyst">analyst (evaluate)</option><option value="officer">officer (commit, ledger writes)</option><option value="admin">admin (keys)</option>
            </select></div>
          <div class="actions"><button type="submit" class="primary">Create key</button></div>
        </form>
        {created ? (
          <div class="token" role="alert">
            <p><strong>The new key's token, shown once:</strong> store it now; only its hash is kept.</p>
            <p><code data-testid="new-token">{created.token}</code></p>
            <button type="button" onClick={() => setCreated(undefined)}>I have stored it</button>
          </div>
        ) : null}
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table><caption class="sr-only">API keys</caption>
          <thead><tr><th scope="col">Key id</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{keys.map((k) => (
            <tr key={k.id}><td><code>{k.id}</code></td><td>{k.name}</td><td>{k.role}</td><td>{k.createdAt.slice(0, 10)} by {k.createdBy}</td><td>{k.revokedAt ? `revoked ${k.revokedAt.slice(0, 10)}` : 'active'}</td>
              <td>{k.revokedAt ? null : <button type="button" class="small danger" onClick={act(() => del(`/v1/keys/${k.id}`))} aria-label={`Revoke key ${k.id} (${k.name})`}>Revoke</button>}</td></tr>
          ))}</tbody></table></div>
      </section>
      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Workbench sessions</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table><caption class="sr-only">Sessions</caption>
          <thead><tr><th scope="col">Session</th><th scope="col">Key</th><th scope="col">Role</th><th scope="col">Signed in</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{sessions.map((s) => (
            <tr key={s.id}><td><code>{s.id}</code>{s.id === app.session.sessionId ? ' (this one)' : ''}</td><td><code>{s.keyId}</code> {s.name}</td><td>{s.role}</td><td>{s.createdAt.replace('T', ' ').slice(0, 16)}</td><td>{s.expiresAt.replace('T', ' ').slice(0, 16)}</td><td>{s.active ? 'active' : s.revokedAt ? 'revoked' : 'ended'}</td>
              <td>{s.active ? <button type="button" class="small danger" onClick={act(() => del(`/v1/sessions/${s.id}`))} aria-label={`Revoke session ${s.id}`}>Revoke</button> : null}</td></tr>
          ))}</tbody></table></div>
      </section>
    </div>
  );
}
