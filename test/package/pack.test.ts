/**
 * The published package: `npm pack`, installed into a fresh TypeScript project in a temporary
 * directory (offline: the tarball is unpacked into its node_modules and the dependencies are
 * linked from this repository's node_modules), then an example of each entry point typechecks
 * under strict NodeNext and runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../screen/helpers.js';

const root = join(import.meta.dirname, '..', '..');

const EXAMPLE = `
import { check, type Determination } from 'aidr';
import { screen, type ScreenRow, resolveCountry } from 'aidr/screen';
import { openStore, reserve, type AccountState } from 'aidr/ledger';
import { verifyAudit, replayAll, type AuditVerifyReport } from 'aidr/audit';
import { veuCheck, uveuCheck } from 'aidr/veu';
import { normalizeKey, readParties, type Party } from 'aidr/parties';

const d: Determination = check({ date: '2025-06-02', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 8 });
const country: string = resolveCountry('Germany').ok ? 'DE' : '';
const rows: ScreenRow[] = [];
for await (const row of screen('orders.csv')) rows.push(row);
const key: string = normalizeKey(' ACME-BR ');
type Uses = [typeof openStore, typeof reserve, AccountState | undefined, typeof verifyAudit, typeof replayAll, AuditVerifyReport | undefined,
  typeof veuCheck, typeof uveuCheck, typeof readParties, Party | undefined];
const used: Uses | undefined = undefined;
console.log(JSON.stringify({ outcome: d.outcome, country, key, lines: rows.map((r) => [r.line, r.determination?.outcome ?? 'error']), used: used === undefined }));
`;

describe('the npm package', () => {
  it('packs, installs into a fresh TypeScript project, and every subpath export typechecks and runs', () => {
    const dir = tempDir();
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
    const proj = join(dir, 'proj');
    mkdirSync(join(proj, 'node_modules', '@types'), { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
    execFileSync('mv', [join(dir, 'package'), join(proj, 'node_modules', 'aidr')]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies)) {
      const [scope] = dep.split('/');
      if (dep.startsWith('@')) mkdirSync(join(proj, 'node_modules', scope!), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(proj, 'node_modules', dep));
    }
    symlinkSync(join(root, 'node_modules', '@types', 'node'), join(proj, 'node_modules', '@types', 'node'));
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { aidr: `file:${tarball}` } }));
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], outDir: 'out', skipLibCheck: false, noUncheckedIndexedAccess: true }, include: ['index.ts'] }));
    writeFileSync(join(proj, 'index.ts'), EXAMPLE);
    writeFileSync(join(proj, 'orders.csv'), 'id,to,model,quantity\nPO-1,Germany,H100 SXM5 80GB,8\nPO-2,Narnia,H100,1\n');
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', proj], { cwd: proj, encoding: 'utf8' });
    const out = JSON.parse(execFileSync(process.execPath, [join(proj, 'out', 'index.js')], { cwd: proj, encoding: 'utf8' }));
    expect(out).toMatchObject({ outcome: expect.any(String), country: 'DE', key: 'acme-br', used: true });
    expect(out.lines[0][0]).toBe(2);
    expect(out.lines[0][1]).not.toBe('error');
    expect(out.lines[1]).toEqual([3, 'error']);
  }, 180_000);
});
