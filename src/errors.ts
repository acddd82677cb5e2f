import { GraphQLError } from 'graphql';

/** Every refusal code a protected field can answer with, in the contract's order. */
export const rampartErrorCodes = Object.freeze([
  'API_KEY_REQUIRED',
  'API_KEY_INVALID',
  'ATTESTATION_REQUIRED',
  'ATTESTATION_INVALID',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CAPTCHA_REQUIRED',
  'CAPTCHA_FAILED',
  'RATE_LIMITED',
  'PROTECTION_UNAVAILABLE',
  'GRAPHQL_VALIDATION_FAILED',
] as const);

/**
 * The closed set of refusal codes, as the contract lists them. Clients may switch on these; they
 * never change meaning.
 */
export type RampartErrorCode = (typeof rampartErrorCodes)[number];

/**
 * Why a check refused, for the operator's security log only. It is never serialised into the
 * response: clients see `message` and `extensions.code`.
 */
export type RefusalReason = string;

/**
 * A refusal by one of the protections. It is a `GraphQLError`, so a resolver may return or throw it
 * and graphql-js places it on the field's path; `extensions.code` is the stable code.
 *
 * `reason` stays on the server (security events); it is not part of `extensions`.
 */
export abstract class RampartError extends GraphQLError {
  abstract readonly code: RampartErrorCode;
  /** Server-side detail for the security log, e.g. `revoked`. Never sent to the client. */
  readonly reason: RefusalReason;

  protected constructor(code: RampartErrorCode, message: string, reason: RefusalReason, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
    this.reason = reason;
  }
}

/** No API key on the request, or a key sent in the URL (where it leaks into logs). */
export class ApiKeyRequiredError extends RampartError {
  readonly code = 'API_KEY_REQUIRED' as const;
  constructor(message = 'This field requires an API key. Send it in the X-API-Key header.', reason: RefusalReason = 'missing') {
    super('API_KEY_REQUIRED', message, reason);
  }
}

/** The API key is unknown, revoked, expired, malformed, or lacks a scope the field needs. */
export class ApiKeyInvalidError extends RampartError {
  readonly code = 'API_KEY_INVALID' as const;
  constructor(
    message = 'The API key is not valid for this field. Check the key, or ask for a new one.',
    reason: RefusalReason = 'invalid',
  ) {
    super('API_KEY_INVALID', message, reason);
  }
}

/** No attestation token on the request. */
export class AttestationRequiredError extends RampartError {
  readonly code = 'ATTESTATION_REQUIRED' as const;
  constructor(message = 'This field requires an app attestation token. Call it from the genuine app.', reason: RefusalReason = 'missing') {
    super('ATTESTATION_REQUIRED', message, reason);
  }
}

/** The attestation token is badly signed, expired, for another app, or bound to something else. */
export class AttestationInvalidError extends RampartError {
  readonly code = 'ATTESTATION_INVALID' as const;
  constructor(
    message = 'The app attestation token is not valid. Fetch a fresh one from the attestation service.',
    reason: RefusalReason = 'invalid',
  ) {
    super('ATTESTATION_INVALID', message, reason);
  }
}

/** No access token, or one that is malformed, expired or from an untrusted issuer; a bad DPoP proof. */
export class UnauthenticatedError extends RampartError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(message = 'This field requires a valid user access token. Sign in again.', reason: RefusalReason = 'invalid') {
    super('UNAUTHENTICATED', message, reason);
  }
}

/** A valid access token without the scopes the field needs. The message never lists scopes held. */
export class ForbiddenError extends RampartError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'The access token does not grant access to this field.', reason: RefusalReason = 'insufficient_scope') {
    super('FORBIDDEN', message, reason);
  }
}

/** No captcha token on the request. */
export class CaptchaRequiredError extends RampartError {
  readonly code = 'CAPTCHA_REQUIRED' as const;
  constructor(
    message = 'This field requires a human-verification (captcha) token in the X-Captcha-Token header.',
    reason: RefusalReason = 'missing',
  ) {
    super('CAPTCHA_REQUIRED', message, reason);
  }
}

/** The captcha token was rejected, replayed, scored too low, or is for another action or host. */
export class CaptchaFailedError extends RampartError {
  readonly code = 'CAPTCHA_FAILED' as const;
  constructor(
    message = 'The human-verification (captcha) token was not accepted. Solve a new captcha and retry.',
    reason: RefusalReason = 'rejected',
  ) {
    super('CAPTCHA_FAILED', message, reason);
  }
}

/**
 * Over the limit or the cost budget. `extensions.retryAfter` says, in whole seconds, when to try
 * again; a cost budget adds `extensions.cost` (`details`).
 */
export class RateLimitedError extends RampartError {
  readonly code = 'RATE_LIMITED' as const;
  readonly retryAfter: number;
  constructor(
    retryAfterSeconds: number,
    message = 'Too many calls to this field. Retry after the time given in retryAfter (seconds).',
    reason: RefusalReason = 'over_limit',
    details: Readonly<Record<string, unknown>> = {},
  ) {
    const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
    super('RATE_LIMITED', message, reason, { ...details, retryAfter });
    this.retryAfter = retryAfter;
  }
}

/**
 * A dependency of a check (a store, a key set, a provider) could not answer, so the check failed
 * closed: the field is refused, never allowed.
 */
export class ProtectionUnavailableError extends RampartError {
  readonly code = 'PROTECTION_UNAVAILABLE' as const;
  constructor(
    message = 'A protection this field needs is temporarily unavailable. Retry shortly.',
    reason: RefusalReason = 'dependency_unavailable',
  ) {
    super('PROTECTION_UNAVAILABLE', message, reason);
  }
}

/**
 * The operation as written is refused before any of its resolvers runs: it costs more than the
 * per-operation maximum, asks for a longer list than allowed, or its slicing arguments are not
 * usable. The code is graphql-js's for a refused document; the message states no limit.
 */
export class OperationRefusedError extends RampartError {
  readonly code = 'GRAPHQL_VALIDATION_FAILED' as const;
  constructor(message = 'The operation is too costly. Ask for fewer items or fields.', reason: RefusalReason = 'too_costly') {
    super('GRAPHQL_VALIDATION_FAILED', message, reason);
  }
}

/**
 * True when `error` is a refusal by one of the protections. graphql-js wraps what a resolver
 * refuses with: for an error of an execution result, pass its `originalError`.
 */
export function isRampartError(error: unknown): error is RampartError {
  return error instanceof RampartError;
}

/** The request-level refusals of trusted documents, before any GraphQL work: the contract's codes. */
export type DocumentRefusalCode = 'PERSISTED_QUERY_NOT_FOUND' | 'PERSISTED_QUERY_REQUIRED';

/**
 * A refusal of the whole request by the trusted-documents policy, before parsing. Not a field
 * refusal: servers answer it as they answer their own request errors. `reason` stays on the server.
 */
export abstract class DocumentRefusalError extends GraphQLError {
  abstract readonly code: DocumentRefusalCode;
  /** Server-side detail for the security log (`unknown_id`, `id_mismatch`, `ad_hoc`). */
  readonly reason: RefusalReason;

  protected constructor(code: DocumentRefusalCode, message: string, reason: RefusalReason) {
    super(message, { extensions: { code } });
    this.reason = reason;
  }
}

/** The document id is not on the list of trusted documents (or does not name the document sent with it). */
export class PersistedQueryNotFoundError extends DocumentRefusalError {
  readonly code = 'PERSISTED_QUERY_NOT_FOUND' as const;
  constructor(
    message = "This document id is not a trusted document of this API. Send an id from the app build's manifest.",
    reason: RefusalReason = 'unknown_id',
  ) {
    super('PERSISTED_QUERY_NOT_FOUND', message, reason);
  }
}

/** A full GraphQL document where only trusted document ids are accepted. */
export class PersistedQueryRequiredError extends DocumentRefusalError {
  readonly code = 'PERSISTED_QUERY_REQUIRED' as const;
  constructor(
    message = "This API accepts only trusted documents: send the documentId of an operation from the app build's manifest, not a query.",
    reason: RefusalReason = 'ad_hoc',
  ) {
    super('PERSISTED_QUERY_REQUIRED', message, reason);
  }
}
