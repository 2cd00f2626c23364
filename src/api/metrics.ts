/**
 * Prometheus metrics (`GET /metrics`). One registry per server, so several servers in one
 * process (tests) do not share counts.
 *
 * Routes are labelled by their pattern (`/v1/ledger/accounts/:id`), never by the raw path, and
 * every unmatched path is `unmatched`: a client probing random paths cannot make the label set
 * grow without bound.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
  determinations: Counter<'outcome'>;
  commits: Counter<'result'>;
  capExceeded: Counter;
  /** determinations.inc({ outcome }), with the labelled child looked up once per outcome. */
  countOutcome(outcome: string): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const byOutcome = new Map<string, { inc(): void }>();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'aidr_process_' });
  const m: Omit<Metrics, 'countOutcome'> = {
    registry,
    requests: new Counter({ name: 'aidr_http_requests_total', help: 'HTTP requests by route pattern, method and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    duration: new Histogram({
      name: 'aidr_http_request_duration_seconds', help: 'HTTP request latency (from the request line to the last byte handed to the socket)',
      labelNames: ['method', 'route', 'status'], registers: [registry],
      // Evaluations take well under a millisecond of CPU; commits wait for a disk flush.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    determinations: new Counter({ name: 'aidr_determinations_total', help: 'Determinations made, by outcome', labelNames: ['outcome'], registers: [registry] }),
    commits: new Counter({ name: 'aidr_ledger_commits_total', help: 'Commits (determination + ledger draw + audit record) by result: recorded, replayed, refused', labelNames: ['result'], registers: [registry] }),
    capExceeded: new Counter({ name: 'aidr_cap_exceeded_total', help: 'Commits and reservations refused because a cap would be exceeded', registers: [registry] }),
  };
  return {
    ...m,
    countOutcome(outcome: string): void {
      let c = byOutcome.get(outcome);
      if (!c) byOutcome.set(outcome, (c = m.determinations.labels({ outcome })));
      c.inc();
    },
  };
}
