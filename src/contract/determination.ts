/**
 * The output side of the determination contract (docs/contract.md). The zod schema is
 * the source of the TypeScript types and of the JSON Schema / OpenAPI documents.
 */
import { z } from 'zod';

export const TriValue = z.enum(['yes', 'no', 'unknown']);
export const ConditionStatus = z.enum(['met', 'not_met', 'unknown']);
export const ExceptionStatus = z.enum(['eligible', 'not_eligible', 'unknown']);
export const ExceptionCode = z.enum(['AIA', 'ACM', 'LPP', 'NAC', 'ACA', 'HBM']);
export const Outcome = z.enum(['not_subject', 'no_license_required', 'license_exception', 'license_required', 'indeterminate']);
export const ReviewPolicy = z.enum([
  'presumption_of_approval', 'presumption_of_denial', 'approval_within_allocation', 'denial_over_allocation', 'case_by_case',
]);

/** One step of the explanation; `children` are the findings it rests on (the tree). */
export interface Step {
  rule: string;
  citation: string;
  result: string;
  detail?: string;
  children?: Step[];
}
export const Step: z.ZodType<Step> = z.lazy(() =>
  z.object({
    rule: z.string(),
    citation: z.string(),
    result: z.string(),
    detail: z.string().optional(),
    children: z.array(Step).optional(),
  }),
);

export const Condition = z.object({
  id: z.string(),
  status: ConditionStatus,
  citation: z.string(),
  /** Omitted in lean output. */
  detail: z.string().optional(),
});

export const Obligation = z.object({
  what: z.string(),
  when: z.string(),
  to: z.string(),
  citation: z.string(),
  subject: z.string().optional(),
  deadline: z.string().optional(),
});

export const ExceptionResult = z.object({
  code: ExceptionCode,
  status: ExceptionStatus,
  conditions: z.array(Condition),
  obligations: z.array(Obligation),
});

export const Classification = z.object({
  eccn: z.string().nullable(),
  status: z.enum(['classified', 'not_controlled', 'unknown']),
  candidates: z.array(z.string().nullable()).optional(),
  tppPerUnit: z.number().optional(),
  aggregateTpp: z.number().optional(),
  aggregateTppExact: z.string().optional(),
  performanceDensity: z.number().optional(),
  trainingOperations: z.string().optional(),
  basis: z.array(Step).optional(),
});

export const RedFlag = z.object({
  id: z.string(),
  status: z.enum(['present', 'possible']),
  citation: z.string(),
  detail: z.string(),
  action: z.string(),
});

export const MissingFact = z.object({ path: z.string(), why: z.string() });

/** The sensitivity fields are computed unless the caller turned sensitivity off (lean output). */
export const InterpretationUse = z.object({
  id: z.string(),
  question: z.string(),
  reading: z.string(),
  label: z.string(),
  changesOutcome: z.boolean().optional(),
  changes: z.array(z.string()).optional(),
  changesObligations: z.boolean().optional(),
  alternatives: z.array(z.object({ reading: z.string(), outcome: Outcome, changes: z.array(z.string()) })).optional(),
});

export const Ruleset = z.object({
  id: z.string(),
  asOf: z.string(),
  inForce: z.boolean(),
  complianceRequired: z.boolean(),
  enforced: z.boolean(),
  status: z.string(),
  version: z.string(),
});

/** The two readings of the law a determination answers under (docs/legal-status.md). */
export const RegimeId = z.enum(['codified', 'enforced']);

/** One regime's answer: the fields a compliance decision turns on, as that regime reads them. */
export const RegimeAnswer = z.object({
  id: RegimeId,
  /** The Federal Register texts and guidance this regime's answer rests on, oldest first. */
  basis: z.array(z.string()),
  eccn: z.string().nullable(),
  subjectToEar: TriValue,
  licenseRequired: TriValue,
  outcome: Outcome,
  reviewPolicy: ReviewPolicy.nullable(),
  /** Codes of the exceptions that are `eligible` under this regime. */
  eligibleExceptions: z.array(ExceptionCode),
  citations: z.array(z.string()),
  /** The vintage of the date (V1 2023-11-17 … V7), or null before the first modelled. */
  vintage: z.string().nullable(),
  /**
   * Whether compliance with this regime's text is required on the date: false for the codified
   * regime from 2025-01-13 to 2025-05-14 (90 FR 4544 in effect, compliance deferred to 2025-05-15).
   */
  complianceRequired: z.boolean(),
  /** The text version of each provision applied (provision id, version date, source), for replay. */
  versions: z.array(z.object({ provision: z.string(), from: z.string(), source: z.string(), codified: z.boolean() })),
  /**
   * The interpretations this regime's answer relied on (a reading that decided something here), in
   * id order. The top-level `interpretations` describe the chosen regime's in full.
   */
  readings: z.array(z.object({ id: z.string(), reading: z.string() })),
});

export const Determination = z.object({
  id: z.string().optional(),
  ruleset: Ruleset,
  /** Set while the rule is in force but compliance is not yet required: the date from which the answer below applies. */
  complianceFrom: z.string().optional(),
  classification: Classification,
  subjectToEar: TriValue,
  licenseRequired: TriValue,
  outcome: Outcome,
  exceptions: z.array(ExceptionResult),
  reviewPolicy: ReviewPolicy.nullable(),
  allocation: z
    .object({ country: z.string(), cap: z.number(), licensedTpp: z.number().nullable(), remaining: z.number().nullable(), draws: z.boolean() })
    .optional(),
  redFlags: z.array(RedFlag),
  missingFacts: z.array(MissingFact),
  interpretations: z.array(InterpretationUse),
  warnings: z.array(z.string()),
  explanation: z.array(Step).optional(),
  /** The regime the top-level fields answer (option `regime`, default `codified`). */
  regime: RegimeId,
  /** Both regimes' answers, codified first. */
  regimes: z.array(RegimeAnswer),
  /** Whether any field of the two regimes' answers differs. */
  regimesDiffer: z.boolean(),
});

export type Tri = z.infer<typeof TriValue>;
export type Condition = z.infer<typeof Condition>;
export type Obligation = z.infer<typeof Obligation>;
export type ExceptionResult = z.infer<typeof ExceptionResult>;
export type ExceptionCode = z.infer<typeof ExceptionCode>;
export type ExceptionStatus = z.infer<typeof ExceptionStatus>;
export type Outcome = z.infer<typeof Outcome>;
export type ReviewPolicy = z.infer<typeof ReviewPolicy>;
export type Classification = z.infer<typeof Classification>;
export type RedFlag = z.infer<typeof RedFlag>;
export type MissingFact = z.infer<typeof MissingFact>;
export type InterpretationUse = z.infer<typeof InterpretationUse>;
export type Determination = z.infer<typeof Determination>;
export type RegimeId = z.infer<typeof RegimeId>;
export type RegimeAnswer = z.infer<typeof RegimeAnswer>;
