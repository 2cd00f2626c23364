/**
 * `aidr keys create|list|revoke`: API keys of the HTTP service, in the same store the service
 * uses (DATABASE_URL or AIDR_DATA_DIR). The token is printed once, at creation; only its hash is
 * kept.
 */
import type { Command } from 'commander';
import { UsageError, writeJson } from './io.js';
import { defaultActor, fail, withStore } from './ledger.js';

const ROLE_NAMES = ['viewer', 'analyst', 'officer', 'admin'];

function format(f: string): 'json' | 'text' {
  if (f !== 'json' && f !== 'text') throw new UsageError('--format must be json or text');
  return f;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for `aidr serve`: create (the token is shown once), list, revoke');

  keys
    .command('create')
    .description('Create an API key with a role: viewer (read), analyst (evaluate), officer (commit, ledger writes), admin (keys)')
    .requiredOption('--role <role>', ROLE_NAMES.join(' | '))
    .option('--name <name>', 'who or what uses it (shown in listings)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (flags: { role: string; name?: string; format: string }) => {
      try {
        const fmt = format(flags.format);
        if (!ROLE_NAMES.includes(flags.role)) throw new UsageError(`--role must be one of ${ROLE_NAMES.join(', ')}`);
        if (flags.name !== undefined && flags.name.length > 200) throw new UsageError('--name: at most 200 characters');
        await withStore(async (store) => {
          const { createKey } = await import('../api/keys.js');
          const k = await createKey(store, { role: flags.role as 'viewer', ...(flags.name !== undefined ? { name: flags.name } : {}), createdBy: `cli:${defaultActor()}` });
          if (fmt === 'json') return writeJson(k);
          process.stderr.write(`aidr: created key ${k.id} (role ${k.role}${k.name ? `, ${k.name}` : ''}). The token below is shown once; store it now:\n`);
          process.stdout.write(`${k.token}\n`);
        });
      } catch (e) {
        fail(e);
      }
    });

  keys
    .command('list')
    .description('List API keys (ids, names, roles, created, revoked; never tokens)')
    .option('--format <format>', 'text or json', 'text')
    .action(async (flags: { format: string }) => {
      try {
        const fmt = format(flags.format);
        await withStore(async (store) => {
          const { listKeys } = await import('../api/keys.js');
          const all = await listKeys(store);
          if (fmt === 'json') return writeJson(all);
          if (all.length === 0) return void process.stdout.write('No API keys yet: aidr keys create --role analyst --name NAME\n');
          const rows = [['id', 'role', 'name', 'created', 'revoked'], ...all.map((k) => [k.id, k.role, k.name, k.createdAt, k.revokedAt ?? '-'])];
          const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
          process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n')}\n`);
        });
      } catch (e) {
        fail(e);
      }
    });

  keys
    .command('revoke')
    .description('Revoke an API key (a running service stops accepting it within AIDR_KEY_CACHE_MS, default 2 s)')
    .argument('<id>', 'the key id (the part after aidr_ in the token)')
    .action(async (id: string) => {
      try {
        await withStore(async (store) => {
          const { revokeKey } = await import('../api/keys.js');
          const k = await revokeKey(store, id, `cli:${defaultActor()}`);
          if (!k) throw new UsageError(`no API key ${id}`);
          writeJson(k);
        });
      } catch (e) {
        fail(e);
      }
    });
}
