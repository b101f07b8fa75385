import { expect, test } from "bun:test";
import type { RunsReadApi } from "../../src/api/deps.ts";
import { Metrics } from "../../src/api/metrics.ts";
import type { Run } from "../../src/core/run.ts";

const store = {
  countRunsByStatus: async () => 3,
  commitStats: () => ({ commits: 2, writes: 5 }),
} as unknown as RunsReadApi;

function finished(workflowId: string, status: Run["status"]): Run {
  return { workflowId, status, durationMs: 1500 } as Run;
}

test("requests are counted by route and status, each pair on its own line", async () => {
  const metrics = new Metrics();
  metrics.countRequest("/api/v1/runs", 200);
  metrics.countRequest("/api/v1/runs", 200);
  metrics.countRequest("/api/v1/runs", 404);
  metrics.countRequest("unmatched", 404);
  const text = await metrics.render(store);
  expect(text).toContain('wfd_http_requests_total{route="/api/v1/runs",status="200"} 2\n');
  expect(text).toContain('wfd_http_requests_total{route="/api/v1/runs",status="404"} 1\n');
  expect(text).toContain('wfd_http_requests_total{route="unmatched",status="404"} 1\n');
});

test("finished runs are counted by workflow and status, with their durations", async () => {
  const metrics = new Metrics();
  metrics.recordRun(finished("orders", "completed"));
  metrics.recordRun(finished("orders", "failed"));
  metrics.recordRun(finished("orders", "completed"));
  const text = await metrics.render(store);
  expect(text).toContain('wfd_runs_total{workflow="orders",status="completed"} 2\n');
  expect(text).toContain('wfd_runs_total{workflow="orders",status="failed"} 1\n');
  expect(text).toContain('wfd_run_duration_seconds_bucket{le="1"} 0\n');
  expect(text).toContain('wfd_run_duration_seconds_bucket{le="5"} 3\n');
  expect(text).toContain("wfd_runs_pending 3\n");
  expect(text).toContain("wfd_store_commit_writes_total 5\n");
});

test("label values are escaped as the Prometheus text format requires", async () => {
  const metrics = new Metrics();
  metrics.countRequest('a"b\\c\nd', 500);
  const text = await metrics.render(store);
  expect(text).toContain('wfd_http_requests_total{route="a\\"b\\\\c\\nd",status="500"} 1\n');
});
