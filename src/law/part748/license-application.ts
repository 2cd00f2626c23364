/**
 * What a license application for AI commodities must carry, and how long the license lasts:
 * - Supp. No. 2 to part 748 para. (c)(3): a purchase order (or equivalent contract, which may be
 *   contingent on the license) goes with the application; BIS generally limits the licensed
 *   quantity to it.
 * - Para. (c)(4): the aggregate TPP of each export item in SNAP-R block 22(j); for a destination
 *   with a per-country TPP allocation, a separate application per country.
 * - 15 CFR 750.7(g): licenses for items listed in 742.6(a)(6)(iii)(A) are generally valid for one
 *   year (four years otherwise).
 */
import type { Step } from '../../contract/determination.js';
import { covers, listCitation } from '../eccn-lists.js';

const VALIDITY = '15 CFR 750.7(g)';

export function licenseApplicationStep(eccn: string | null, allocationCountry: string | undefined): Step | undefined {
  if (!covers('licenseApplication', eccn)) return undefined;
  const oneYear = covers('worldwideLicense', eccn);
  const perCountry = allocationCountry ? ` ${allocationCountry} has a per-country TPP allocation: file an application for it alone, with the TPP calculated for it.` : '';
  return {
    rule: 'License application (where a license is sought)',
    citation: `${listCitation('licenseApplication')}; ${VALIDITY}`,
    result: `purchase order with the application; aggregate TPP in block 22(j)${oneYear ? '; one-year validity' : ''}`,
    detail: `Submit the purchase order or equivalent contract (it may be contingent on the license); BIS generally limits the licensed quantity to it. State the aggregate TPP of each export item (the sum over its ICs) in SNAP-R block 22(j).${perCountry}${oneYear ? ` A license for ${eccn} is generally valid for one year (${VALIDITY}).` : ''}`,
  };
}
