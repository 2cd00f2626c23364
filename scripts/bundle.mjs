// Bundles the CLI into one ES module (dist/aidr.mjs) so that `bin/aidr` starts fast: loading zod,
// commander and ~40 modules one by one costs ~200 ms on these machines; one file costs ~40 ms.
// Database and HTTP packages stay external and load only in the commands that use them.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { rmSync } from 'node:fs';

// zod re-exports all of its ~50 message locales; aidr speaks English only. Serve just `en`.
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/zod/`) ? { path: 'zod-locales', namespace: 'aidr-stub' } : undefined);
    const en = fileURLToPath(new URL('../node_modules/zod/v4/locales/en.js', import.meta.url));
    b.onLoad({ filter: /.*/, namespace: 'aidr-stub' }, () => ({ contents: `export { default as en } from ${JSON.stringify(en)};`, loader: 'js', resolveDir: dirname(en) }));
  },
};

// Commands that need the database load it through dynamic imports; splitting puts that code (and
// its imports of kysely, pg, better-sqlite3) in chunks that only those commands load.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist',
  entryNames: 'aidr',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  minify: true,
  sourcemap: 'linked',
  packages: 'bundle',
  plugins: [englishOnlyZod],
  external: ['better-sqlite3', 'pg', 'pg-native', 'kysely', 'fastify', '@fastify/*', 'fastify-type-provider-zod', 'pino', 'pino-pretty', 'exceljs', 'pg-boss', 'cli-progress', 'i18n-iso-countries'],
  banner: { js: "import { createRequire as __aidrRequire } from 'node:module'; const require = __aidrRequire(import.meta.url);" },
});
