/**
 * Prometheus metrics (`GET /metrics`). One registry per server, so several servers in one
 * process (tests) do not share counts.
 *
 * Routes are labelled by their pattern (`/v1/ledger/accounts/:id`), never by the raw path, and
 * every unmatched path is `unmatched`: a client probing random paths cannot make the label set
 * grow without bound.
 *
 * The per-request series (requests and their latency) are plain counters and bucket arrays,
 * turned into Prometheus metrics when scraped: prom-client hashes the label set on every inc and
 * observe, even through a labelled child, which showed on the hot path of every request.
 */
import { Counter, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue, type MetricValueWithName } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** One request answered: method, route pattern, status, and its latency in seconds. */
  recordRequest(method: string, route: string, status: number, seconds: number): void;
  determinations: Counter<'outcome'>;
  commits: Counter<'result'>;
  capExceeded: Counter;
  /** determinations.inc({ outcome }), with the labelled child looked up once per outcome. */
  countOutcome(outcome: string): void;
}

/** Latency buckets (seconds): evaluations take well under a millisecond of CPU; commits wait for a disk flush. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Requests at or below each bound (cumulative when reported). */
  buckets: Float64Array;
}

type Labels = Record<string, string | number>;

/** A metric the registry asks for its values when it is scraped (prom-client's `registerMetric` contract). */
function scraped(name: string, help: string, type: 'counter' | 'histogram', values: () => (MetricValue<string> | MetricValueWithName<string>)[]) {
  return {
    name, help, type, aggregator: 'sum' as const,
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }) as unknown as MetricObjectWithValues<MetricValue<string>>,
    reset: () => {},
  };
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const byOutcome = new Map<string, { inc(): void }>();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'aidr_process_' });
  const series = new Map<string, Series>();
  registry.registerMetric(scraped('aidr_http_requests_total', 'HTTP requests by route pattern, method and status', 'counter',
    () => [...series.values()].map((s) => ({ value: s.count, labels: s.labels }))) as never);
  registry.registerMetric(scraped('aidr_http_request_duration_seconds', 'HTTP request latency (from the request line to the last byte handed to the socket)', 'histogram', () => {
    const out: MetricValueWithName<string>[] = [];
    for (const s of series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        out.push({ metricName: 'aidr_http_request_duration_seconds_bucket', value: cumulative, labels: { le, ...s.labels } as Labels });
      });
      out.push({ metricName: 'aidr_http_request_duration_seconds_bucket', value: s.count, labels: { le: '+Inf', ...s.labels } as Labels });
      out.push({ metricName: 'aidr_http_request_duration_seconds_sum', value: s.sum, labels: s.labels });
      out.push({ metricName: 'aidr_http_request_duration_seconds_count', value: s.count, labels: s.labels });
    }
    return out;
  }) as never);
  const determinations = new Counter({ name: 'aidr_determinations_total', help: 'Determinations made, by outcome', labelNames: ['outcome'], registers: [registry] });
  return {
    registry,
    recordRequest(method, route, status, seconds) {
      const key = `${method} ${route} ${status}`;
      let s = series.get(key);
      if (!s) series.set(key, (s = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Float64Array(BUCKETS.length) }));
      s.count++;
      s.sum += seconds;
      const i = BUCKETS.findIndex((b) => seconds <= b);
      if (i >= 0) s.buckets[i]!++;
    },
    determinations,
    commits: new Counter({ name: 'aidr_ledger_commits_total', help: 'Commits (determination + ledger draw + audit record) by result: recorded, replayed, refused', labelNames: ['result'], registers: [registry] }),
    capExceeded: new Counter({ name: 'aidr_cap_exceeded_total', help: 'Commits and reservations refused because a cap would be exceeded', registers: [registry] }),
    countOutcome(outcome: string): void {
      let c = byOutcome.get(outcome);
      if (!c) byOutcome.set(outcome, (c = determinations.labels({ outcome })));
      c.inc();
    },
  };
}
