/** The server's types, shared with it: the zod contract (src/contract) and the engine's what-if. */
export type { Determination, ExceptionResult, Condition, Obligation, Step, InterpretationUse, MissingFact, Outcome } from '../../../contract/determination.js';
export type { TransactionInput as Transaction } from '../../../contract/transaction.js';
export type { WhatIf, FactChange } from '../../../engine/what-if.js';

export type Role = 'viewer' | 'analyst' | 'officer' | 'admin';
export interface Principal { keyId: string; role: Role; name: string; anonymous: boolean }
export interface SessionState { authenticated: boolean; authRequired: boolean; principal: Principal | null; csrfToken?: string; expiresAt?: string; sessionId?: string }

export interface Country { code: string; name: string; groups: string[]; supp5a: boolean; tier: number }
export interface Reference {
  date: string;
  countries: Country[];
  endUses: string[];
  activities: string[];
  figures: Record<'lppAnnualCap' | 'lppNotice' | 'aiaReporting' | 'countryAllocation', { tpp: string; citation: string }>;
}
export interface Chip { id: string; name: string; tpp: number; tppFrom: string; dieAreaMm2: number | null; performanceDensity: number | null; datacenter: boolean; eccn: string }
export interface RulesetInfo {
  id: string; version: string; status: string;
  interpretations: { id: string; question: string; citation: string; default: string; readings: { id: string; label: string }[] }[];
}
export interface Account { id: string; kind: string; key: string; period: string; capTpp: string | null; usedTpp: string; reservedTpp: string; leftTpp: string | null; countryLicensedTpp?: string; countryLeftTpp?: string }
export interface Movement { seq: string; kind: string; usedDeltaTpp: string; reservedDeltaTpp: string; onDate: string; at: string; actor: string; auditId: string | null; ref: string | null }
export interface AuditSummary { seq: number; id: string; at: string; actor: string; kind: string; transactionId: string | null; outcome: string | null; exception: string | null; rulesetVersion: string; hash: string }

/** Regimes (contract section "Regimes"), present once the regimes work lands; absent: one answer. */
export interface RegimeAnswer {
  id: string; basis?: string[]; eccn: string | null; subjectToEar: string; licenseRequired: string; outcome: string;
  reviewPolicy: string | null; eligibleExceptions: string[]; citations: string[];
}
export interface WithRegimes { regime?: string; regimes?: RegimeAnswer[]; regimesDiffer?: boolean }
