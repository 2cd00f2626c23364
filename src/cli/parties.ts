/**
 * `aidr parties import FILE` and `aidr parties show [ID]`: the parties register, so that order
 * lines can name `consignee_id` / `end_user_id` instead of restating where each party is located
 * and headquartered. Import reads CSV, XLSX, JSON Lines or a JSON array (id, name, country,
 * headquarters, ultimate parent headquarters, ultimate parent id, sector, aliases); valid rows
 * are imported (inserted or replaced), invalid ones reported with their line (exit 3).
 */
import type { Command } from 'commander';
import { InputError } from '../engine/context.js';
import { EXIT } from './exit.js';
import { UsageError, writeJson } from './io.js';
import { defaultActor, fail, withStore } from './ledger.js';

export function registerParties(program: Command): void {
  const parties = program.command('parties').description('The parties register: consignees and end users as records, named by id in order lines');

  parties
    .command('import')
    .description('Import parties (CSV, XLSX, JSON Lines, JSON array): id, name, country, headquarters, ultimate parent headquarters, ultimate parent id, sector, aliases')
    .argument('<file>', 'the file, or - for standard input')
    .option('--input-format <format>', 'csv, xlsx, jsonl or json (default: from the extension or the content)')
    .option('--sheet <name>', 'XLSX: the worksheet')
    .option('--actor <name>', 'who imports (default AIDR_ACTOR or the OS user)')
    .action(async (file: string, flags: { inputFormat?: string; sheet?: string; actor?: string }) => {
      try {
        const { readParties } = await import('../parties/import.js');
        const { upsertParties } = await import('../parties/store.js');
        const actor = defaultActor(flags.actor);
        const good: Parameters<typeof upsertParties>[1][number][] = [];
        const bad: { line: number; errors: { path: string; message: string }[] }[] = [];
        let notes = 0;
        const seen = new Map<string, number>();
        const { normalizeKey } = await import('../parties/key.js');
        for await (const r of readParties(file, flags.inputFormat as never, flags.sheet)) {
          if (r.errors) {
            bad.push({ line: r.line, errors: r.errors });
            continue;
          }
          const k = normalizeKey(r.party!.givenId);
          if (seen.has(k)) {
            bad.push({ line: r.line, errors: [{ path: 'id', message: `the same party as line ${seen.get(k)} ("${r.party!.givenId}": ids are compared without case or extra spaces)` }] });
            continue;
          }
          seen.set(k, r.line);
          notes += r.notes.length;
          for (const n of r.notes) process.stderr.write(`aidr: line ${r.line}: ${n}\n`);
          good.push({ ...r.party!, actor });
        }
        await withStore(async (store) => {
          const result = good.length ? await upsertParties(store, good, actor) : { inserted: 0, updated: 0 };
          writeJson({ ...result, invalid: bad.length, normalized: notes, errors: bad.slice(0, 1000) });
        });
        for (const b of bad.slice(0, 10)) process.stderr.write(`aidr: line ${b.line}: ${b.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}\n`);
        if (bad.length) process.exitCode = EXIT.someRowsInvalid;
      } catch (e) {
        fail(e);
      }
    });

  parties
    .command('show')
    .description('Show one party (by id or alias), or list them')
    .argument('[id]', 'a party id or alias')
    .option('--format <format>', 'json or text', 'text')
    .option('--limit <n>', 'list at most this many', '1000')
    .action(async (id: string | undefined, flags: { format: string; limit: string }) => {
      try {
        if (flags.format !== 'json' && flags.format !== 'text') throw new UsageError('--format must be json or text');
        await withStore(async (store) => {
          const { getParty, listParties } = await import('../parties/store.js');
          if (id !== undefined) {
            const p = await getParty(store, id);
            if (!p) throw new InputError('id', `no party ${id} in the register (aidr parties import)`);
            if (flags.format === 'json') return writeJson(p);
            process.stdout.write(`${partyLine(p)}\n`);
            return;
          }
          const all = await listParties(store, Number(flags.limit));
          if (flags.format === 'json') return writeJson(all);
          process.stdout.write(all.length ? `${all.map(partyLine).join('\n')}\n` : 'No parties yet (aidr parties import FILE).\n');
        });
      } catch (e) {
        fail(e);
      }
    });
}

function partyLine(p: import('../parties/store.js').Party): string {
  const facts = [
    p.name, p.country && `in ${p.country}`, p.headquarters && `HQ ${p.headquarters}`, p.ultimateParentHeadquarters && `parent HQ ${p.ultimateParentHeadquarters}`,
    p.ultimateParentId && `parent ${p.ultimateParentId}`, p.sector, p.aliases.length ? `aliases ${p.aliases.join(', ')}` : '',
  ].filter(Boolean);
  return `${p.givenId}: ${facts.join('; ')}`;
}
