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

/** The exception's result when its text does not apply on the date in the regime, else undefined. */
export function diffusionExceptionAbsent(code: ExceptionCode, ctx: Ctx): ExceptionEval | undefined {
  if (versionOn(ID, ctx)) return undefined;
  const detail = ctx.asOf < FROM
    ? `License Exception ${code} was created by 90 FR 4544, effective ${FROM}.`
    : `As BIS enforces the EAR, the relaxations of 90 FR 4544 are not assumed usable (INT-45: ${ctx.reading('INT-45')}).`;
  return { code, status: 'not_eligible', conditions: [cond('exception-in-force', false, SECTION[code]!, detail)], obligations: [] };
}
