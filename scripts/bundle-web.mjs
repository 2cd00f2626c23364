// Bundles the workbench (src/web/app, Preact + TypeScript) into dist/web/app.js and app.css, one
// file each, served by `aidr serve` (src/api/web.ts). Fails when the script and styles together
// exceed the gzipped budget of the issue (250 KB), and prints what they weigh.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync, mkdirSync, rmSync } from 'node:fs';

const BUDGET_GZIP_BYTES = 250 * 1024;

// fflate's asynchronous zip() and unzip() (used by the XLSX reader and writer) start Web Workers
// from blob: URLs, which the workbench's Content-Security-Policy forbids (no script that is not a
// file of this origin). Give those two packages an fflate whose zip/unzip run synchronously, with
// the same callback signature; every other export is fflate's own.
const fflateWithoutWorkers = {
  name: 'fflate-without-workers',
  setup(b) {
    b.onResolve({ filter: /^fflate$/ }, (args) =>
      /node_modules\/(read|write)-excel-file\//.test(args.importer) ? { path: 'fflate-sync', namespace: 'aidr-shim' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'aidr-shim' }, () => ({
      resolveDir: process.cwd(),
      loader: 'js',
      contents: `export * from 'fflate';
import { zipSync, unzipSync } from 'fflate';
const sync = (f) => (data, opts, cb) => {
  if (typeof opts === 'function') { cb = opts; opts = {}; }
  let out;
  try { out = f(data, opts); } catch (e) { queueMicrotask(() => cb(e, null)); return () => {}; }
  queueMicrotask(() => cb(null, out));
  return () => {};
};
export const zip = sync(zipSync);
export const unzip = sync(unzipSync);`,
    }));
  },
};
rmSync('dist/web', { recursive: true, force: true });
mkdirSync('dist/web', { recursive: true });

await build({
  entryPoints: { app: 'src/web/app/main.tsx' },
  outdir: 'dist/web',
  bundle: true,
  format: 'esm',
  // The spreadsheet readers and writers (Screen only) load when first used, not with the page.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [fflateWithoutWorkers],
});
await build({ entryPoints: { app: 'src/web/app/app.css' }, outdir: 'dist/web', bundle: true, minify: true, logLevel: 'warning' });

const size = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const chunks = readdirSync('dist/web/chunks').filter((f) => f.endsWith('.js')).map((f) => `dist/web/chunks/${f}`);
const first = size('dist/web/app.js');
const js = first + chunks.reduce((n, f) => n + size(f), 0);
const css = size('dist/web/app.css');
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (process.env.AIDR_BUNDLE_REPORT || js + css > BUDGET_GZIP_BYTES) console.log(`workbench bundle: scripts ${kb(js)} (of which app.js, loaded with the page, ${kb(first)}; ${chunks.length} chunks on demand) + app.css ${kb(css)} gzipped (budget ${kb(BUDGET_GZIP_BYTES)})`);
if (js + css > BUDGET_GZIP_BYTES) {
  console.error('workbench bundle over budget');
  process.exit(1);
}
