import { pino, type Logger } from 'pino';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CaptchaVerifier, ProtectionObserver } from '../index.js';

/** What the demo records: security events (pino, one JSON line each) and Prometheus metrics. */
export interface Observability {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Hands every protection decision to the log (refusals) and the metrics (all). */
  readonly observer: ProtectionObserver;
  /** A dependency of a check failed (only the error's name is logged). */
  dependencyError(dependency: string, error: unknown): void;
  /** A key set was fetched (`ok`) or could not be (`error`). */
  keySetFetched(ok: boolean): void;
  /** The request gate refused a request before any GraphQL work. */
  requestRefused(reason: string, fields: { readonly requestId: string; readonly clientIp: string }): void;
  /** A connection was refused or cut before a request could be handled (`too_many_connections`, `slow_headers`). */
  connectionRefused(reason: string, clientIp: string): void;
  /** The verifier, timed for `rampart_captcha_provider_duration_seconds`. */
  timed(verifier: CaptchaVerifier): CaptchaVerifier;
}

/**
 * Builds the demo's logger and metrics. Log lines go to `write` (stdout in `npm start`, an array
 * in tests). A security event names the directive, code, reason, coordinate, client address, API
 * key id, user subject, app and device ids and request id; no credential ever reaches it: events
 * are built from what the protections proved, not from headers.
 */
export function createObservability(write: (line: string) => void, level = 'info'): Observability {
  const logger = pino(
    { level, base: { service: 'graphql-rampart-demo' }, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) },
  );
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Decisions are counted in plain numbers per label set and handed to the counter when the
  // metrics are read: prom-client hashes the labels of every inc(), and this is the hot path of
  // every protected request. As many label sets as the counter itself would hold.
  type DecisionLabels = { directive: string; outcome: string; code: string };
  const counted = new Map<string, { readonly labels: DecisionLabels; count: number }>();
  new Counter({
    name: 'rampart_decisions_total',
    help: 'Protection decisions by directive and outcome (allowed, refused, would_refuse).',
    labelNames: ['directive', 'outcome', 'code'],
    registers: [registry],
    collect() {
      for (const entry of counted.values()) {
        if (entry.count === 0) continue;
        this.inc(entry.labels, entry.count);
        entry.count = 0;
      }
    },
  });
  const verification = new Histogram({
    name: 'rampart_verification_duration_seconds',
    help: 'Credential verifications that ran (memoised answers excluded), by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  const dependencyErrors = new Counter({
    name: 'rampart_dependency_errors_total',
    help: 'Failures of a dependency of a check (store, key set, provider); the check failed closed.',
    labelNames: ['dependency'],
    registers: [registry],
  });
  const keySetFetches = new Counter({
    name: 'rampart_jwks_fetches_total',
    help: 'Fetches of remote key sets (refreshes, rotations), by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const captchaDuration = new Histogram({
    name: 'rampart_captcha_provider_duration_seconds',
    help: 'Captcha provider (siteverify) calls, by outcome.',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 6],
    registers: [registry],
  });
  const documentDecisions = new Counter({
    name: 'rampart_documents_total',
    help: 'Trusted-documents decisions, by outcome and whether the document was on the list.',
    labelNames: ['outcome', 'trusted'],
    registers: [registry],
  });
  const gateRefusals = new Counter({
    name: 'rampart_request_gate_refusals_total',
    help: 'Requests and connections refused before any GraphQL work (slow, too many, banned, denied), by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });

  return {
    logger,
    registry,
    observer: {
      onDecision(event) {
        for (const directive of event.directives) {
          const code = event.code ?? '';
          const key = `${directive}\u0000${event.outcome}\u0000${code}`;
          const entry = counted.get(key);
          if (entry === undefined) counted.set(key, { labels: { directive, outcome: event.outcome, code }, count: 1 });
          else entry.count++;
        }
        if (event.outcome === 'allowed') return;
        logger.warn(
          {
            event: event.outcome === 'refused' ? 'protection_refused' : 'protection_would_refuse',
            directive: event.directives[0],
            code: event.code,
            reason: event.reason,
            coordinate: event.coordinate,
            clientIp: event.clientIp,
            apiKeyId: event.apiKeyId,
            userSubject: event.userSubject,
            appId: event.appId,
            deviceId: event.deviceId,
            requestId: event.requestId,
          },
          event.outcome === 'refused' ? 'protection refused a field' : 'protection would refuse a field (report-only)',
        );
      },
      onDocument(event) {
        documentDecisions.inc({ outcome: event.outcome, trusted: String(event.trusted) });
        if (event.outcome === 'allowed' && event.trusted) return;
        logger.warn(
          {
            event:
              event.outcome === 'refused' ? 'document_refused' : event.outcome === 'reported' ? 'document_reported' : 'document_allowed',
            code: event.code,
            reason: event.reason,
            documentId: event.documentId,
            clientIp: event.clientIp,
            apiKeyId: event.apiKeyId,
            requestId: event.requestId,
          },
          event.outcome === 'refused'
            ? 'trusted documents refused a request'
            : event.outcome === 'reported'
              ? 'a document that is not trusted was served (report mode)'
              : 'a document that is not trusted was allowed for this key',
        );
      },
      onVerification(event) {
        verification.observe({ kind: event.kind, outcome: event.outcome }, event.durationMs / 1000);
      },
    },
    dependencyError(dependency, error) {
      dependencyErrors.inc({ dependency });
      logger.error(
        { event: 'dependency_error', dependency, error: error instanceof Error ? error.name : 'unknown' },
        'a protection dependency failed; the check failed closed',
      );
    },
    keySetFetched(ok) {
      keySetFetches.inc({ outcome: ok ? 'ok' : 'error' });
    },
    requestRefused(reason, fields) {
      gateRefusals.inc({ reason });
      logger.warn({ event: 'request_refused', reason, ...fields }, 'request refused before any GraphQL work');
    },
    connectionRefused(reason, clientIp) {
      gateRefusals.inc({ reason });
      logger.warn({ event: 'connection_refused', reason, clientIp }, 'connection refused before any request was handled');
    },
    timed(verifier) {
      return {
        ...verifier,
        async verify(token, remoteIp) {
          const end = captchaDuration.startTimer();
          try {
            const verdict = await verifier.verify(token, remoteIp);
            end({ outcome: verdict.success ? 'success' : 'rejected' });
            return verdict;
          } catch (error) {
            end({ outcome: 'unavailable' });
            throw error;
          }
        },
      };
    },
  };
}
