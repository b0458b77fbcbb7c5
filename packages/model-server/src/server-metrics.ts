/** Upper bounds of the latency histogram's buckets, in seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface LatencyHistogram {
  /** Requests at or under each bucket's bound, cumulative as Prometheus reads them. */
  counts: number[];
  sum: number;
  count: number;
}

/** Counters and a latency histogram of the server's requests, written in Prometheus' text format. */
export class ServerMetrics {
  readonly #requests = new Map<string, number>();
  readonly #errors = new Map<string, number>();
  readonly #latency = new Map<string, LatencyHistogram>();
  modelLoaded = false;
  inFlight = 0;

  /** One answered request: `route` is a route of the server or `unknown`, never a raw path. */
  record(route: string, status: number, seconds: number): void {
    increment(this.#requests, `route="${route}",status="${status}"`);
    if (status >= 400) increment(this.#errors, `route="${route}",kind="${status >= 500 ? 'server' : 'client'}"`);
    let histogram = this.#latency.get(route);
    if (histogram === undefined) {
      histogram = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#latency.set(route, histogram);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) histogram.counts[i]!++;
    histogram.sum += seconds;
    histogram.count++;
  }

  text(): string {
    const lines = [
      '# HELP blazefleet_serve_requests_total Requests answered, by route and HTTP status.',
      '# TYPE blazefleet_serve_requests_total counter',
      ...[...this.#requests].map(([labels, count]) => `blazefleet_serve_requests_total{${labels}} ${count}`),
      '# HELP blazefleet_serve_errors_total Requests answered with an error: kind client (4xx) or server (5xx).',
      '# TYPE blazefleet_serve_errors_total counter',
      ...[...this.#errors].map(([labels, count]) => `blazefleet_serve_errors_total{${labels}} ${count}`),
      '# HELP blazefleet_serve_request_duration_seconds Time from a request to its answer, by route.',
      '# TYPE blazefleet_serve_request_duration_seconds histogram',
    ];
    for (const [route, { counts, sum, count }] of this.#latency) {
      LATENCY_BUCKETS.forEach((bound, i) => lines.push(`blazefleet_serve_request_duration_seconds_bucket{route="${route}",le="${bound}"} ${counts[i]}`));
      lines.push(`blazefleet_serve_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${count}`);
      lines.push(`blazefleet_serve_request_duration_seconds_sum{route="${route}"} ${sum}`);
      lines.push(`blazefleet_serve_request_duration_seconds_count{route="${route}"} ${count}`);
    }
    lines.push(
      '# HELP blazefleet_serve_in_flight_requests Requests being answered now.',
      '# TYPE blazefleet_serve_in_flight_requests gauge',
      `blazefleet_serve_in_flight_requests ${this.inFlight}`,
      '# HELP blazefleet_serve_model_loaded 1 once the model is loaded and /ping answers 200.',
      '# TYPE blazefleet_serve_model_loaded gauge',
      `blazefleet_serve_model_loaded ${this.modelLoaded ? 1 : 0}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

function increment(counters: Map<string, number>, key: string): void {
  counters.set(key, (counters.get(key) ?? 0) + 1);
}
