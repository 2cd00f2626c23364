/**
 * License Exceptions AIA (740.27), ACM (740.28) and LPP (740.29) exist only in 90 FR 4544's text
 * (from 2025-01-13). Before it they did not exist; as BIS enforces the EAR they are not available
 * under INT-45's default (the posture's relaxations are not assumed usable; E9).
 */
import type { ExceptionCode } from '../../contract/determination.js';
import type { Ctx } from '../../engine/context.js';
import { provisionText } from '../../data/regimes.js';
import { versionOn } from '../provision.js';
import { cond, type ExceptionEval } from './exception.js';

const ID = '740.27-740.29';
const FROM = provisionText(ID).versions[0]!.from;
const SECTION: Partial<Record<ExceptionCode, string>> = { AIA: '15 CFR 740.27', ACM: '15 CFR 740.28', LPP: '15 CFR 740.29' };

/** The answers, per code and per why (before FROM, or the INT-45 reading): immutable, built once (outputs are read-only). */
const absent = new Map<ExceptionCode, Map<string, ExceptionEval>>();
const BEFORE = 'before';

/** The exception's result when its text does not apply on the date in the regime, else undefined. */
export function diffusionExceptionAbsent(code: ExceptionCode, ctx: Ctx): ExceptionEval | undefined {
  if (versionOn(ID, ctx)) return undefined;
  const why = ctx.asOf < FROM ? BEFORE : ctx.reading('INT-45');
  let byWhy = absent.get(code);
  if (!byWhy) absent.set(code, (byWhy = new Map()));
  let result = byWhy.get(why);
  if (!result) {
    const detail = why === BEFORE
      ? `License Exception ${code} was created by 90 FR 4544, effective ${FROM}.`
      : `As BIS enforces the EAR, the relaxations of 90 FR 4544 are not assumed usable (INT-45: ${why}).`;
    byWhy.set(why, (result = { code, status: 'not_eligible', conditions: [cond('exception-in-force', false, SECTION[code]!, detail)], obligations: [] }));
  }
  return result;
}
