/**
 * `aidr audit replay --all`: every stored determination re-evaluated against today's ruleset, in
 * sequence order, streamed (one record in memory at a time): one JSON line per record whose
 * answer differs (its seq, id, the differences), and the counts on stderr. Records that are not
 * determinations (an account merge) are skipped. Exit 1 when any differs, as `replay ID` does.
 */
import { replayAudit } from '../ledger/replay.js';
import { auditRecords } from '../store/audit.js';
import type { Store } from '../store/open.js';

export async function replayAll(store: Store, write: (line: string) => Promise<void> = stdoutLine): Promise<number> {
  let records = 0;
  let differing = 0;
  let sameVersion = 0;
  for await (const r of auditRecords(store)) {
    if (r.kind !== 'determination') continue;
    records++;
    const x = await replayAudit(store, String(r.seq), { withToday: false });
    if (x.sameVersion) sameVersion++;
    if (x.identical) continue;
    differing++;
    await write(JSON.stringify({ seq: x.seq, id: x.id, at: x.at, storedVersion: x.storedVersion, currentVersion: x.currentVersion, note: x.note, differences: x.differences.filter((d) => d.path !== 'ruleset.version') }));
  }
  process.stderr.write(`aidr audit replay --all: ${records} determination(s) replayed, ${records - differing} the same, ${differing} different; ${sameVersion} made under today's ruleset version\n`);
  return differing ? 1 : 0;
}

async function stdoutLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}
