/**
 * `aidr veu check FILE|-`: Data Center VEU eligibility (748.15(b)(2)), UVEU geographic limits
 * (Supp. 10 to part 748 para. 6) and NVEU quarterly caps (748.15(a)(2)(iii)(B), Table 1).
 * JSON in (see docs/ledger.md), JSON or text out. With --from-ledger VEU, the installed bases come
 * from the ledger's `uveu:VEU:*` and `nveu:VEU:CC` accounts, and the UVEU's headquarters (and its
 * ultimate parent's) from what the ledger recorded with its first installation.
 */
import type { Command } from 'commander';
import { issueToError } from '../contract/parse.js';
import { InputError } from '../engine/context.js';
import { today } from '../engine/determine.js';
import { VeuCheckInput, veuCheck, type VeuCheckResult } from '../law/part748/veu-check.js';
import { parseJson, readInput, UsageError, writeJson } from './io.js';
import { fail, withStore } from './ledger.js';

const said = (s: string) => s.replace('_', ' ');

function text(r: VeuCheckResult): string {
  const out: string[] = [`Data Center VEU check as of ${r.date}`];
  const interpretations = new Map<string, { reading: string; label: string }>();
  if (r.eligibility) {
    for (const kind of ['uveu', 'nveu'] as const) {
      const a = r.eligibility[kind];
      out.push('', `${kind.toUpperCase()}: ${said(a.status)}`);
      for (const c of a.conditions) out.push(`  [${c.status}] ${c.id} (${c.citation}): ${c.detail}`);
      for (const m of a.missing) out.push(`  missing: ${m.path}: ${m.why}`);
    }
    out.push('', 'Requirements:');
    for (const q of r.eligibility.requirements) out.push(`  - ${q.what} (${q.citation})`);
    for (const w of r.eligibility.warnings) out.push(`  WARNING ${w}`);
    for (const i of r.eligibility.interpretations) interpretations.set(i.id, i);
  }
  if (r.uveu) {
    const u = r.uveu;
    out.push('', `UVEU geographic allocations (${u.citation}): ${said(u.status)}; total ${u.totalTpp} TPP${u.proposed ? ` after the proposed ${u.proposed.tpp} TPP in ${u.proposed.country}` : ''}`);
    for (const l of Object.values(u.limits)) out.push(`  [${l.status}] ${l.id}: ${l.detail}`);
    for (const m of u.missing) out.push(`  missing: ${m.path}: ${m.why}`);
    for (const n of u.notes) out.push(`  note: ${n}`);
    for (const i of u.interpretations) interpretations.set(i.id, i);
  }
  if (r.nveu) out.push('', `NVEU installed base (${r.nveu.citation}): ${said(r.nveu.status)}. ${r.nveu.detail}`);
  if (interpretations.size) {
    out.push('', 'Interpretations relied on:');
    for (const [id, i] of interpretations) out.push(`  ${id} (${i.reading}): ${i.label}`);
  }
  return `${out.join('\n')}\n`;
}

export function registerVeu(program: Command): void {
  const veu = program.command('veu').description('Data Center VEU: eligibility, UVEU limits, NVEU caps');
  veu
    .command('check')
    .description('Check Data Center VEU eligibility, UVEU geographic limits (incl. a proposed installation) and the NVEU quarterly cap')
    .argument('<file>', 'JSON input file, or - for standard input')
    .option('--format <format>', 'json or text', 'json')
    .option('--from-ledger <veu>', 'take installed bases, and a UVEU\'s recorded headquarters, from the ledger accounts of this VEU')
    .action(async (file: string, flags: { format: string; fromLedger?: string }) => {
      try {
        if (flags.format !== 'json' && flags.format !== 'text') throw new UsageError('--format must be json or text');
        const raw = parseJson(readInput(file), 'the input') as Record<string, unknown>;
        if (flags.fromLedger) await fillFromLedger(raw, flags.fromLedger);
        const r = VeuCheckInput.safeParse(raw);
        if (!r.success) throw issueToError(r.error.issues);
        const result = veuCheck(r.data, today());
        if (flags.format === 'text') process.stdout.write(text(result));
        else writeJson(result);
      } catch (e) {
        fail(e);
      }
    });
}

async function fillFromLedger(raw: Record<string, unknown>, veuId: string): Promise<void> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return;
  await withStore(async (store) => {
    const { listAccounts } = await import('../ledger/index.js');
    const { parseAccountId } = await import('../ledger/accounts.js');
    const { toMilli, tpp } = await import('../ledger/amount.js');
    const prefix = `uveu:${encodeURIComponent(veuId)}:`;
    const uveu = (await listAccounts(store, { kind: 'uveu' })).filter((a) => a.id.startsWith(prefix));
    const installed: Record<string, string> = {};
    for (const a of uveu) {
      const ref = parseAccountId(a.id);
      if (ref.kind === 'uveu') installed[ref.country] = tpp(toMilli(a.usedTpp, 'used') + toMilli(a.reservedTpp, 'reserved'));
    }
    const profile = await store.db.selectFrom('uveu_profiles').selectAll().where('veu', '=', veuId).executeTakeFirst();
    if (uveu.length || profile) {
      const given = (raw.uveu ?? {}) as { headquarters?: unknown; ultimateParentHeadquarters?: unknown };
      // The ledger checked every installation against the headquarters it recorded: the check uses the same.
      for (const [field, recorded] of [['headquarters', profile?.headquarters], ['ultimateParentHeadquarters', profile?.ultimate_parent_headquarters]] as const) {
        const g = given[field];
        if (recorded && typeof g === 'string' && g.trim().toUpperCase() !== recorded) {
          throw new InputError(`uveu.${field}`, `the ledger records UVEU ${veuId} with ${field === 'headquarters' ? 'its headquarters' : 'its ultimate parent headquartered'} in ${recorded}, not ${g}`);
        }
      }
      raw.uveu = {
        ...given,
        ...(profile ? { headquarters: profile.headquarters } : {}),
        ...(profile?.ultimate_parent_headquarters ? { ultimateParentHeadquarters: profile.ultimate_parent_headquarters } : {}),
        installedByCountry: installed,
      };
    }
    const n = raw.nveu as { country?: string; installedTpp?: unknown } | undefined;
    if (n && typeof n.country === 'string') {
      const [a] = (await listAccounts(store, { kind: 'nveu', key: `${veuId}:${n.country.toUpperCase()}` }));
      raw.nveu = { ...n, installedTpp: a ? tpp(toMilli(a.usedTpp, 'used') + toMilli(a.reservedTpp, 'reserved')) : '0' };
    }
  });
}
