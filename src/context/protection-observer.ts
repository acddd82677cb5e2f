import type { DocumentRefusalCode, RampartErrorCode } from '../errors.js';
import type { VerificationKind } from '../protection-registry.js';

/**
 * One decision of the protections on one field call: who was refused (or would have been, in
 * report-only mode), or which protections let it through. Carries identities the request proved
 * (key id, user subject, app and device ids) and never a credential.
 */
export interface ProtectionDecisionEvent {
  /** Milliseconds since the epoch. */
  readonly time: number;
  /** `refused`; `would_refuse` in report-only mode (the field resolved anyway); `allowed`. */
  readonly outcome: 'allowed' | 'refused' | 'would_refuse';
  /** The directives concerned: the refusing one, or every one that let the call through. */
  readonly directives: readonly string[];
  /** The refusal's code, for `refused` and `would_refuse`. */
  readonly code: RampartErrorCode | undefined;
  /** The refusal's server-side reason (`revoked`, `binding_mismatch`, …). */
  readonly reason: string | undefined;
  /** `Type.field` of the call. */
  readonly coordinate: string;
  readonly requestId: string;
  readonly clientIp: string;
  readonly apiKeyId: string | undefined;
  readonly userSubject: string | undefined;
  readonly appId: string | undefined;
  readonly deviceId: string | undefined;
}

/** A credential verification, for latency metrics. */
export interface VerificationEvent {
  /** What was verified. */
  readonly kind: VerificationKind;
  /** How it ended. */
  readonly outcome: 'verified' | 'refused' | 'unavailable';
  /** How long it took, in milliseconds (memoised answers are not reported). */
  readonly durationMs: number;
}

/**
 * Receives what the protections decide, for security logs and metrics. Set it once on the
 * security-context factory; the protections report through each request's context. A listener
 * that throws changes nothing.
 */
export interface ProtectionObserver {
  /** Every fresh decision (a per-request decision is reported once per field and request). */
  readonly onDecision?: (event: ProtectionDecisionEvent) => void;
  /** Every credential verification that actually ran. */
  readonly onVerification?: (event: VerificationEvent) => void;
  /** Every request's trusted-documents decision, before any GraphQL work. */
  readonly onDocument?: (event: DocumentDecisionEvent) => void;
}

/**
 * The trusted-documents decision on one request: which document (by id, never its text), whether
 * it was on the list, and what happened. Carries the API key's id when the key was proven.
 */
export interface DocumentDecisionEvent {
  /** Milliseconds since the epoch. */
  readonly time: number;
  /**
   * `allowed` (a trusted document, or a full document the policy allows), `reported` (a full
   * document served in log-unknown mode), `refused`.
   */
  readonly outcome: 'allowed' | 'reported' | 'refused';
  /** The refusal's code, for `refused`. */
  readonly code: DocumentRefusalCode | 'PROTECTION_UNAVAILABLE' | undefined;
  /** Why, for the security log (`unknown_id`, `id_mismatch`, `ad_hoc`, `malformed_id`, …). */
  readonly reason: string | undefined;
  /** The document's id: the one sent, or the SHA-256 of a full document's text. */
  readonly documentId: string | undefined;
  /** The document is on the trusted list. */
  readonly trusted: boolean;
  readonly requestId: string;
  readonly clientIp: string;
  readonly apiKeyId: string | undefined;
}
