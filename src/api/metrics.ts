import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { DeliveryEvents } from "../core/events.ts";
import type { Run } from "../core/run.ts";
import type { TypedEmitter } from "../lib/emitter.ts";
import type { RunsApi, RunsReadApi } from "./deps.ts";

const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * A counter by two labels. Counts are kept by the raw label values, and the escaped label text is
 * built only when rendered: every request is counted, and building it each time showed up in the
 * request path's profile.
 */
class TwoLabelCounter {
  private readonly counts = new Map<string, Map<string | number, number>>();

  constructor(
    private readonly firstLabel: string,
    private readonly secondLabel: string,
  ) {}

  increment(first: string, second: string | number): void {
    let bySecond = this.counts.get(first);
    if (!bySecond) {
      bySecond = new Map();
      this.counts.set(first, bySecond);
    }
    bySecond.set(second, (bySecond.get(second) ?? 0) + 1);
  }

  /** One exposition line per pair of label values counted. */
  lines(metric: string): string[] {
    const lines: string[] = [];
    for (const [first, bySecond] of this.counts) {
      for (const [second, value] of bySecond) {
        const labels = `${this.firstLabel}="${label(first)}",${this.secondLabel}="${label(String(second))}"`;
        lines.push(`${metric}{${labels}} ${value}`);
      }
    }
    return lines;
  }
}

/**
 * Prometheus metrics of DESIGN §10 that the API can see: finished runs by workflow and status,
 * run durations, pending runs, HTTP requests by route and status, and webhook deliveries.
 */
export class Metrics {
  private readonly runsTotal = new TwoLabelCounter("workflow", "status");
  private readonly durationCounts = DURATION_BUCKETS.map(() => 0);
  private durationCount = 0;
  private durationSum = 0;
  private readonly httpTotal = new TwoLabelCounter("route", "status");
  private readonly deliveriesTotal = new Map<string, number>();

  /** Counts runs as the run service reports them finished; returns the unsubscribe function. */
  watch(runs: RunsApi): () => void {
    return runs.events.on("run:finished", (run) => this.recordRun(run));
  }

  /** Counts webhook delivery attempts by result: delivered, retrying or failed (gave up). */
  watchDeliveries(events: TypedEmitter<DeliveryEvents>): () => void {
    return events.on("delivery:attempted", ({ status }) => {
      const result = status === "pending" ? "retrying" : status;
      const key = `result="${result}"`;
      this.deliveriesTotal.set(key, (this.deliveriesTotal.get(key) ?? 0) + 1);
    });
  }

  /** Counts one finished run. */
  recordRun(run: Run): void {
    this.runsTotal.increment(run.workflowId, run.status);
    if (run.durationMs === null) return;
    const seconds = run.durationMs / 1000;
    this.durationCount++;
    this.durationSum += seconds;
    DURATION_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) this.durationCounts[index] = (this.durationCounts[index] ?? 0) + 1;
    });
  }

  /** Middleware counting every request by its route pattern (not its path, to bound the label set). */
  httpMiddleware(): MiddlewareHandler {
    const count = (route: string, status: number) => this.countRequest(route, status);
    return async function metricsMiddleware(c, next) {
      await next();
      // Middleware matches every path (method ALL); the last real route names the endpoint.
      const route = matchedRoutes(c).findLast((matched) => matched.method !== "ALL");
      count(route?.path ?? "unmatched", c.res.status);
    };
  }

  /** Counts one HTTP response. */
  countRequest(route: string, status: number): void {
    this.httpTotal.increment(route, status);
  }

  /** The Prometheus text exposition. */
  async render(store: RunsReadApi): Promise<string> {
    const lines: string[] = [];
    lines.push(
      "# HELP wfd_runs_total Finished runs by workflow and status.",
      "# TYPE wfd_runs_total counter",
    );
    lines.push(...this.runsTotal.lines("wfd_runs_total"));
    lines.push(
      "# HELP wfd_run_duration_seconds Duration of finished runs.",
      "# TYPE wfd_run_duration_seconds histogram",
    );
    DURATION_BUCKETS.forEach((bound, index) => {
      lines.push(`wfd_run_duration_seconds_bucket{le="${bound}"} ${this.durationCounts[index] ?? 0}`);
    });
    lines.push(`wfd_run_duration_seconds_bucket{le="+Inf"} ${this.durationCount}`);
    lines.push(`wfd_run_duration_seconds_sum ${this.durationSum}`);
    lines.push(`wfd_run_duration_seconds_count ${this.durationCount}`);
    lines.push("# HELP wfd_runs_pending Runs waiting to start.", "# TYPE wfd_runs_pending gauge");
    lines.push(`wfd_runs_pending ${await store.countRunsByStatus("pending")}`);
    const { commits, writes } = store.commitStats();
    lines.push(
      "# HELP wfd_store_commits_total Store transactions committed (each one fsync), counting those that stored something.",
      "# TYPE wfd_store_commits_total counter",
      `wfd_store_commits_total ${commits}`,
      "# HELP wfd_store_commit_writes_total Writes those transactions held (group commit: writes per commit = this / commits).",
      "# TYPE wfd_store_commit_writes_total counter",
      `wfd_store_commit_writes_total ${writes}`,
    );
    lines.push(
      "# HELP wfd_http_requests_total HTTP requests by route and status.",
      "# TYPE wfd_http_requests_total counter",
    );
    lines.push(...this.httpTotal.lines("wfd_http_requests_total"));
    lines.push(
      "# HELP wfd_webhook_deliveries_total Webhook delivery attempts by result.",
      "# TYPE wfd_webhook_deliveries_total counter",
    );
    for (const [labels, value] of this.deliveriesTotal) {
      lines.push(`wfd_webhook_deliveries_total{${labels}} ${value}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
