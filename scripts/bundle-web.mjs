// Bundles the workbench (src/web/app, Preact + TypeScript) into dist/web/app.js and app.css, one
// file each, served by `aidr serve` (src/api/web.ts). Fails when the script and styles together
// exceed the gzipped budget of the issue (250 KB), and prints what they weigh.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, mkdirSync } from 'node:fs';

const BUDGET_GZIP_BYTES = 250 * 1024;
mkdirSync('dist/web', { recursive: true });

await build({
  entryPoints: { app: 'src/web/app/main.tsx' },
  outdir: 'dist/web',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});
await build({ entryPoints: { app: 'src/web/app/app.css' }, outdir: 'dist/web', bundle: true, minify: true, logLevel: 'warning' });

const size = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const js = size('dist/web/app.js');
const css = size('dist/web/app.css');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (process.env.AIDR_BUNDLE_REPORT || js + css > BUDGET_GZIP_BYTES) console.log(`workbench bundle: app.js ${kb(js)} + app.css ${kb(css)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
if (js + css > BUDGET_GZIP_BYTES) {
  console.error('workbench bundle over budget');
  process.exit(1);
}
