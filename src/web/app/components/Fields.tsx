/** Labelled form fields: every input has a visible label (keyboard and screen-reader users alike). */
import type { ComponentChildren } from 'preact';
import { useApp } from '../state.js';

let counter = 0;
const uid = (p: string) => `${p}-${++counter}`;

export function Field({ label, children, hint, id }: { label: string; children: (id: string) => ComponentChildren; hint?: string; id?: string }) {
  const fid = id ?? uid('f');
  return (
    <div class="field">
      <label for={fid}>{label}</label>
      {children(fid)}
      {hint ? <small id={`${fid}-hint`}>{hint}</small> : null}
    </div>
  );
}

export function CountrySelect({ label, value, onChange, allowEmpty = true, emptyLabel = '(not given)', id }: { label: string; value: string | undefined; onChange: (v: string | undefined) => void; allowEmpty?: boolean; emptyLabel?: string; id?: string }) {
  const { reference } = useApp();
  return (
    <Field label={label} id={id}>
      {(fid) => (
        <select id={fid} value={value ?? ''} onChange={(e) => onChange((e.target as HTMLSelectElement).value || undefined)}>
          {allowEmpty ? <option value="">{emptyLabel}</option> : null}
          {reference.countries.map((c) => <option value={c.code} key={c.code}>{c.name}</option>)}
        </select>
      )}
    </Field>
  );
}

export function TextInput({ label, value, onChange, type = 'text', hint, id, ...rest }: { label: string; value: string | number | undefined; onChange: (v: string) => void; type?: string; hint?: string; id?: string; min?: number; step?: string; inputMode?: string; autoComplete?: string }) {
  return (
    <Field label={label} hint={hint} id={id}>
      {(fid) => <input id={fid} type={type as 'text'} value={value ?? ''} aria-describedby={hint ? `${fid}-hint` : undefined} onInput={(e) => onChange((e.target as HTMLInputElement).value)} {...(rest as Record<string, unknown>)} />}
    </Field>
  );
}

export function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label class="check"><input type="checkbox" checked={checked} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} /> {label}</label>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as { message?: string; errors?: { path: string; message: string }[]; status?: number };
  return (
    <div class="error" role="alert">
      <strong>{e.status === 403 ? 'Not allowed: ' : ''}{e.message ?? String(error)}</strong>
      {e.errors && e.errors.length > 1 ? <ul>{e.errors.map((x) => <li key={x.path}><code>{x.path}</code>: {x.message}</li>)}</ul> : null}
    </div>
  );
}
