/**
 * `aidr veu check`: one input, three questions about a Data Center VEU — which authorization the
 * entity can hold (748.15(b)(2)), whether a UVEU's installed base keeps the Supp. 10 para. 6
 * limits (now, or after a proposed installation), and whether an NVEU's installed base in a
 * country fits Table 1 for the quarter. Each part is optional; the date defaults to today.
 */
import { z } from 'zod';
import { CountryCode, ExactNumber, IsoDate } from '../../contract/transaction.js';
import { dataCenterVeuEligibility, type VeuEligibility } from './dc-veu-748-15.js';
import { nveuCheck, type NveuCheck } from './table1-nveu.js';
import { uveuCheck, type UveuCheck } from './supp10-para6-uveu.js';
import { readingsFrom } from '../../engine/context.js';

export const VeuCheckInput = z.strictObject({
  date: IsoDate.optional(),
  /** Interpretation readings, e.g. { "INT-22": "location_only", "INT-36": "own_headquarters" }. */
  interpretations: z.record(z.string().regex(/^INT-\d+$/), z.string()).optional(),
  party: z.strictObject({
    name: z.string().max(500).optional(),
    country: CountryCode.optional(),
    headquarters: CountryCode.optional(),
    ultimateParentHeadquarters: CountryCode.optional(),
    dataCenters: z.array(CountryCode).max(300).optional(),
    govToGovArrangement: z.boolean().optional(),
  }).optional(),
  uveu: z.strictObject({
    headquarters: CountryCode.optional(),
    ultimateParentHeadquarters: CountryCode.optional(),
    installedByCountry: z.record(CountryCode, ExactNumber),
    proposed: z.strictObject({ country: CountryCode, tpp: ExactNumber }).optional(),
  }).optional(),
  nveu: z.strictObject({
    country: CountryCode.optional(),
    installedTpp: ExactNumber,
    proposedTpp: ExactNumber.optional(),
  }).optional(),
});
export type VeuCheckInput = z.infer<typeof VeuCheckInput>;

export interface VeuCheckResult {
  date: string;
  eligibility?: VeuEligibility;
  uveu?: UveuCheck;
  nveu?: NveuCheck;
}

export function veuCheck(input: VeuCheckInput, today: string): VeuCheckResult {
  const date = input.date ?? today;
  const out: VeuCheckResult = { date };
  readingsFrom(input.interpretations); // refuses unknown interpretations or readings, naming the field
  if (input.party) out.eligibility = dataCenterVeuEligibility(input.party, date, input.interpretations ?? {});
  if (input.uveu) {
    out.uveu = uveuCheck({
      headquarters: input.uveu.headquarters ?? input.party?.headquarters,
      ultimateParentHeadquarters: input.uveu.ultimateParentHeadquarters ?? input.party?.ultimateParentHeadquarters,
      installedByCountry: input.uveu.installedByCountry,
      ...(input.uveu.proposed ? { proposed: input.uveu.proposed } : {}),
      date,
      readings: input.interpretations ?? {},
    });
  }
  if (input.nveu) out.nveu = nveuCheck({ ...input.nveu, date });
  return out;
}
