/**
 * The rule's numbers (data/parameters.json), exposed as exact decimals with their citations.
 * No threshold is written anywhere else in the code.
 */
import { loadData } from './load.js';
import { Decimal, dec } from '../compute/exact.js';

interface Cited { citation: string; source?: string; note?: string; interpretation?: string }
interface Plain<T> { value: T; note?: string; citation?: string }
type Valued<T> = Cited & { value: T };

interface ParametersFile {
  eccn3A090: {
    macFactor: Valued<number>;
    a1: Cited & { tppMin: string };
    a2: Cited & { tppMin: string; pdMin: string };
    b1: Cited & { tppMin: string; tppBelow: string; pdMin: string; pdBelow: string };
    b2: Cited & { tppMin: string; pdMin: string; pdBelow: string };
    note1: Cited & { tppBelow: string };
    nacAca: Cited & { nonDatacenterTppMin: string };
  };
  eccn4E091: {
    operationsThreshold: Valued<string>;
    note1AbsoluteOperations: Cited & { readings: Record<string, string> };
    note1Fraction: Valued<string>;
    syntheticDataShare: Valued<string>;
    operationsPerParameterPerToken: Valued<string>;
  };
  aia: { reportingCumulativeTpp: Valued<string>; reportAddress: Valued<string>; reportSubject: Valued<string> };
  lpp: {
    annualCumulativeTpp: Valued<string>;
    advanceNoticeShipmentTpp: Valued<string>;
    certificationCopyDays: Valued<number>;
    reportAddress: Valued<string>;
    shipmentSubject: Valued<string>;
    limitReachedSubject: Valued<string>;
  };
  nac: { priorNotificationDays: Valued<number>; approvalsLookbackMonths: Valued<number> };
  acm: { accountingUpdateMonths: Valued<number> };
  countryAllocation: {
    tpp: Valued<string>;
    period: Cited & { from: string; to: string };
    supp5bIncreaseFraction: Valued<string>;
  };
  nveu: Cited & { quarters: { quarter: string; tpp: string }[] };
  uveu: Cited & {
    outsideSupp5aMaxFraction: Plain<string>;
    singleNonSupp5aCountryMaxFraction: Plain<string>;
    usHeadquarteredOutsideUsMaxFraction: Plain<string>;
    reportingDates: Valued<string[]>;
    newLocationNoticeDays: Valued<number>;
    intraCompanyTransferNoticeDays: Valued<number>;
  };
  records: { retentionYears: Valued<number> };
  eccn3A090c: { from: Valued<string>; memoryBandwidthDensityAbove: Valued<string> };
  hbm: {
    from: Valued<string>;
    memoryBandwidthDensityBelow: Valued<string>;
    discrepancyPercent: Valued<string>;
    discrepancyReportDays: Valued<number>;
    reportAddress: Valued<string>;
  };
}

export const P = loadData<ParametersFile>('parameters.json');

/** 3A090 thresholds as exact decimals. */
export const T3A090 = {
  macFactor: P.eccn3A090.macFactor.value,
  a1Tpp: dec(P.eccn3A090.a1.tppMin),
  a2Tpp: dec(P.eccn3A090.a2.tppMin),
  a2Pd: dec(P.eccn3A090.a2.pdMin),
  b1Tpp: dec(P.eccn3A090.b1.tppMin),
  b1TppBelow: dec(P.eccn3A090.b1.tppBelow),
  b1Pd: dec(P.eccn3A090.b1.pdMin),
  b1PdBelow: dec(P.eccn3A090.b1.pdBelow),
  b2Tpp: dec(P.eccn3A090.b2.tppMin),
  b2Pd: dec(P.eccn3A090.b2.pdMin),
  b2PdBelow: dec(P.eccn3A090.b2.pdBelow),
  note1TppBelow: dec(P.eccn3A090.note1.tppBelow),
  nacAcaNonDcTppMin: dec(P.eccn3A090.nacAca.nonDatacenterTppMin),
};

export const T4E091 = {
  operations: dec(P.eccn4E091.operationsThreshold.value),
  note1Absolute: (reading: string): Decimal => dec(P.eccn4E091.note1AbsoluteOperations.readings[reading]!),
  note1Fraction: dec(P.eccn4E091.note1Fraction.value),
  syntheticShare: dec(P.eccn4E091.syntheticDataShare.value),
  opsPerParamToken: dec(P.eccn4E091.operationsPerParameterPerToken.value),
};

export const LPP = {
  annualCap: dec(P.lpp.annualCumulativeTpp.value),
  noticeThreshold: dec(P.lpp.advanceNoticeShipmentTpp.value),
  copyDays: P.lpp.certificationCopyDays.value,
  address: P.lpp.reportAddress.value,
  shipmentSubject: P.lpp.shipmentSubject.value,
  limitSubject: P.lpp.limitReachedSubject.value,
};

export const AIA = {
  reportingThreshold: dec(P.aia.reportingCumulativeTpp.value),
  address: P.aia.reportAddress.value,
  subject: P.aia.reportSubject.value,
};

export const ALLOCATION = {
  tpp: dec(P.countryAllocation.tpp.value),
  supp5bIncrease: dec(P.countryAllocation.supp5bIncreaseFraction.value),
  period: P.countryAllocation.period,
};

export const NAC_NOTICE_DAYS = P.nac.priorNotificationDays.value;
export const NAC_LOOKBACK_MONTHS = P.nac.approvalsLookbackMonths.value;
export const ACM_ACCOUNTING_MONTHS = P.acm.accountingUpdateMonths.value;
export const RECORD_YEARS = P.records.retentionYears.value;

/** 3A090.c (high bandwidth memory), from 89 FR 96790. */
export const T3A090C = {
  from: P.eccn3A090c.from.value,
  mbdAbove: dec(P.eccn3A090c.memoryBandwidthDensityAbove.value),
};

/** License Exception HBM, 15 CFR 740.25 (89 FR 96790). */
export const HBM = {
  from: P.hbm.from.value,
  mbdBelow: dec(P.hbm.memoryBandwidthDensityBelow.value),
  discrepancyPercent: P.hbm.discrepancyPercent.value,
  reportDays: P.hbm.discrepancyReportDays.value,
  address: P.hbm.reportAddress.value,
};
