/**
 * Data Center VEU checks as a library (`aidr/veu`): 748.15(b)(2) eligibility, the UVEU limits of
 * Supp. No. 10 to part 748 para. 6, the NVEU Table 1 caps.
 *
 *   import { veuCheck, uveuCheck } from 'aidr/veu';
 */
export { veuCheck, VeuCheckInput, type VeuCheckResult } from '../law/part748/veu-check.js';
export { uveuCheck, nextReportingDate, type UveuCheck, type UveuCheckInput, type UveuLimit } from '../law/part748/supp10-para6-uveu.js';
export { dataCenterVeuEligibility, type VeuEligibility, type VeuParty } from '../law/part748/dc-veu-748-15.js';
export { nveuCap, quarterOf, type NveuCap } from '../law/part748/table1-nveu.js';
