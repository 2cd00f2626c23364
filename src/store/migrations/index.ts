/**
 * The ordered list of migrations (a static provider: the bundle and `dist/` carry no migration
 * files to discover at run time). Names sort in the order they run.
 *
 * To add one (e.g. the HTTP service's API keys): create `NNN-what.ts` exporting a factory
 * `migrationNNN(dialect): Migration` that only adds tables, columns or indexes (never rewrites an
 * applied migration), and add one line below. Every `openStore` applies pending migrations under
 * the migrator's lock; the conformance suite (test/store) runs them on both back ends.
 */
import type { Migration } from 'kysely';
import type { Dialect } from '../open.js';
import type { Signer } from '../signing.js';
import { migration001 } from './001-ledger-and-audit.js';
import { migration002 } from './002-pg-reserve-function.js';
import { migration003 } from './003-api-keys.js';
import { migration004 } from './004-pg-reserve-procedure.js';
import { migration005 } from './005-uveu-headquarters.js';
import { migration006 } from './006-veu-parents-allocation-increases.js';
import { migration007 } from './007-signed-records.js';
import { migration008 } from './008-parties-screenings-keys.js';
import { migration009 } from './009-web-sessions.js';
import { migration010 } from './010-keys-nfkc.js';

export function migrations(dialect: Dialect, signer?: Signer): Record<string, Migration> {
  return {
    '001-ledger-and-audit': migration001(dialect),
    '002-pg-reserve-function': migration002(dialect),
    '003-api-keys': migration003(dialect),
    '004-pg-reserve-procedure': migration004(dialect),
    '005-uveu-headquarters': migration005(dialect),
    '006-veu-parents-allocation-increases': migration006(dialect),
    '007-signed-records': migration007(dialect),
    '008-parties-screenings-keys': migration008(dialect),
    '009-web-sessions': migration009(dialect),
    '010-keys-nfkc': migration010(dialect, signer),
  };
}
