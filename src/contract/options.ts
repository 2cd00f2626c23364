/** The per-call options every interface accepts (CLI flags, HTTP body), as a zod schema. */
import { z } from 'zod';
import { ExactNumber, IsoDate } from './transaction.js';
import { RegimeId } from './determination.js';

export const LedgerViewSchema = z.strictObject({
  lppUsedTpp: ExactNumber.optional(),
  lppUsedTppByReading: z.record(z.string(), ExactNumber).optional(),
  aiaCumulativeTpp: ExactNumber.optional(),
  countryLicensedTpp: ExactNumber.optional(),
});

export const EvalOptionsSchema = z.strictObject({
  asOf: IsoDate.optional(),
  interpretations: z.record(z.string().regex(/^INT-\d+$/, 'an interpretation id such as INT-6'), z.string()).optional(),
  ledger: LedgerViewSchema.optional(),
  explain: z.boolean().optional(),
  sensitivity: z.boolean().optional(),
  /** The regime the top-level fields answer: codified (default) or enforced; both are always in `regimes`. */
  regime: RegimeId.optional(),
});
