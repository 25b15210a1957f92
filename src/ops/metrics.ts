/**
 * Prometheus metrics (prom-client), one registry per set of services (src/services.ts, served by
 * its HTTP server at /metrics; never the global default registry, so several in one process do
 * not collide). Labels are bounded: operations are
 * named by their root fields (schema names), never by the client's operation name.
 */
import client from 'prom-client';
import type { DataSource } from 'typeorm';
import type { AuditBatchObserver, AuditIntegrityObserver } from '../audit/audit.service';
import { poolStats } from '../db/pool';

export interface Metrics {
  readonly registry: client.Registry;
  readonly operations: client.Counter<'operation' | 'type' | 'outcome'>;
  readonly duration: client.Histogram<'operation' | 'outcome'>;
  readonly logins: client.Counter<'method' | 'result'>;
  readonly auditBatches: client.Histogram<'result'>;
  readonly auditBatchSize: client.Histogram<never>;
  readonly auditFailures: client.Counter<never>;
  readonly databaseUnavailable: client.Counter<never>;
  readonly auditIntegrityOk: client.Gauge<never>;
  readonly auditIntegrityFailures: client.Counter<never>;
  readonly auditFirstBadSeq: client.Gauge<never>;
}

export function createMetrics(ds: DataSource | null, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (opts.defaultMetrics !== false) client.collectDefaultMetrics({ register: registry });
  // Every metric lives in this registry only; labelNames are tuples so the label types follow them.
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new client.Counter<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) => new client.Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
  const gauge = (name: string, help: string) => new client.Gauge({ name, help, registers: [registry] });

  const operations = counter(
    'graphql_operations_total',
    'GraphQL operations by root field(s), operation type and outcome (SUCCESS, PARTIAL, ERROR, AUDIT_UNAVAILABLE)',
    ['operation', 'type', 'outcome'] as const,
  );
  const duration = histogram(
    'graphql_operation_duration_seconds',
    'Time from request start to response release (audit record committed), by operation and outcome',
    [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ['operation', 'outcome'] as const,
  );
  const logins = counter(
    'login_attempts_total',
    'Login attempts by method (PASSWORD, SIGNATURE, PORTAL) and result (success, refused)',
    ['method', 'result'] as const,
  );
  const auditBatches = histogram(
    'audit_batch_write_seconds',
    'Duration of one group-commit transaction of audit records',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    ['result'] as const,
  );
  const auditBatchSize = histogram(
    'audit_batch_records',
    'Audit records written per group-commit transaction',
    [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  );
  const auditFailures = counter(
    'audit_unavailable_total',
    'Responses withheld because their audit record could not be written',
  );
  const databaseUnavailable = counter(
    'database_unavailable_total',
    'Requests answered 503 DATABASE_UNAVAILABLE because the session look-up could not reach the database',
  );
  const auditIntegrityOk = gauge(
    'audit_integrity_ok',
    'Whether the records since the last verified checkpoint verified at the last checkpoint (1) or not (0: nothing is signed; alarm)',
  );
  auditIntegrityOk.set(1);
  const auditIntegrityFailures = counter(
    'audit_integrity_failures_total',
    'Checkpoints refused because audit records did not verify (altered, missing or out of place)',
  );
  const auditFirstBadSeq = gauge(
    'audit_integrity_first_bad_seq',
    'Chain position of the first audit record that failed verification (0 when none)',
  );
  if (ds) {
    new client.Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (total, idle, in_use) and requests waiting for one (waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const p = poolStats(ds);
        if (!p) return;
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
        this.set({ state: 'in_use' }, p.total - p.idle);
        this.set({ state: 'waiting' }, p.waiting);
      },
    });
    new client.Gauge({
      name: 'db_pool_max_connections',
      help: 'Configured size of the database pool',
      registers: [registry],
      collect() {
        const max = poolStats(ds)?.max;
        if (typeof max === 'number') this.set(max);
      },
    });
  }
  return {
    registry,
    operations,
    duration,
    logins,
    auditBatches,
    auditBatchSize,
    auditFailures,
    databaseUnavailable,
    auditIntegrityOk,
    auditIntegrityFailures,
    auditFirstBadSeq,
  };
}

/** The audit's integrity observer (AuditServiceOptions.onIntegrity): the alarm metrics. */
export function auditIntegrityMetrics(metrics: Metrics): AuditIntegrityObserver {
  return (s) => {
    metrics.auditIntegrityOk.set(s.ok ? 1 : 0);
    metrics.auditFirstBadSeq.set(s.firstBadSeq === null ? 0 : Number(s.firstBadSeq));
    if (!s.ok) metrics.auditIntegrityFailures.inc();
  };
}

/** The audit's batch observer (AuditServiceOptions.onBatch) that feeds these metrics. */
export function auditBatchMetrics(metrics: Metrics): AuditBatchObserver {
  return (size, ms, error) => {
    metrics.auditBatches.observe({ result: error ? 'failed' : 'committed' }, ms / 1000);
    metrics.auditBatchSize.observe(size);
  };
}

/** A bounded label for an operation: its root fields, sorted, at most three. */
export function operationLabel(rootFields: string[]): string {
  if (rootFields.length === 0) return '(none)';
  const u = [...new Set(rootFields)].sort();
  return u.length > 3 ? `${u.slice(0, 3).join('+')}+…` : u.join('+');
}
