/** `flowline_http_requests_total` and the request latency histogram, labelled by route template (bounded), method and status. */
import { Counter, Histogram, type Registry } from 'prom-client';

const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Records one finished request. Cheap, synchronous, never throws. */
export type RecordRequest = (route: string, method: string, status: number, seconds: number) => void;

/** Registers the HTTP metrics in `registry` (once per registry) and returns the recorder. */
export function httpMetrics(registry: Registry): RecordRequest {
  const existing = registry.getSingleMetric('flowline_http_requests_total') as Counter<string> | undefined;
  const requests =
    existing ??
    new Counter({
      name: 'flowline_http_requests_total',
      help: 'HTTP API requests, by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    });
  const latency =
    (registry.getSingleMetric('flowline_http_request_duration_seconds') as Histogram<string> | undefined) ??
    new Histogram({
      name: 'flowline_http_request_duration_seconds',
      help: 'HTTP API request latency, by route template, method and status (event streams: until the stream closed).',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    });
  return (route, method, status, seconds) => {
    const labels = { route, method, status: String(status) };
    requests.inc(labels);
    latency.observe(labels, seconds);
  };
}
