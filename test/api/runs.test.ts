import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { QUICK, SLOW, startDaemon, type TestDaemon } from "./helpers.ts";

const SERIAL = `name: Serial
concurrency: 1
steps:
  - id: wait
    type: shell
    config: { run: "sleep 30" }
`;

const CHATTY = `name: Chatty
steps:
  - id: talk
    type: shell
    config: { run: "for i in 1 2 3 4 5; do echo line$i; done" }
`;

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon({
    workflows: { "quick.yaml": QUICK, "slow.yaml": SLOW, "serial.yaml": SERIAL, "chatty.yaml": CHATTY },
  });
});
afterAll(() => d.stop());

async function waitUntil(runId: string, status: string): Promise<void> {
  const { runs } = d.daemon.parts;
  if ((await runs.get(runId)).status === status) return;
  await new Promise<void>((resolve) => {
    const off = runs.events.on("run:started", async (event) => {
      if (event.runId === runId) {
        off();
        resolve();
      }
    });
  });
}

describe("idempotency", () => {
  test("the same key and input replay the run with 200 and Idempotent-Replayed", async () => {
    const body = { input: { items: [] }, idempotencyKey: "order-1" };
    const first = await d.call("POST", "/api/v1/workflows/quick/run", { body });
    expect(first.status).toBe(202);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const second = await d.call("POST", "/api/v1/workflows/quick/run", { body });
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.json.data.id).toBe(first.json.data.id);
  });

  test("the same key with another input is 409 CONFLICT", async () => {
    await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { input: { a: 1 }, idempotencyKey: "order-2" },
    });
    const { status, json } = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { input: { a: 2 }, idempotencyKey: "order-2" },
    });
    expect(status).toBe(409);
    expect(json.error.code).toBe("CONFLICT");
  });

  test("the Idempotency-Key header and the body key are the same key", async () => {
    const viaHeader = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { input: {} },
      headers: { "Idempotency-Key": "order-3" },
    });
    const viaBody = await d.call("POST", "/api/v1/runs", {
      body: { workflowId: "quick", input: {}, idempotencyKey: "order-3" },
    });
    expect(viaBody.status).toBe(200);
    expect(viaBody.json.data.id).toBe(viaHeader.json.data.id);
    const disagree = await d.call("POST", "/api/v1/workflows/quick/run", {
      body: { idempotencyKey: "order-4" },
      headers: { "Idempotency-Key": "order-5" },
    });
    expect(disagree.status).toBe(400);
    expect(disagree.json.error.details[0].path).toEqual(["idempotencyKey"]);
  });

  test("50 concurrent requests with one key create one run", async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        d.call("POST", "/api/v1/workflows/quick/run", {
          body: { input: { n: 1 } },
          headers: { "Idempotency-Key": "race" },
        }),
      ),
    );
    const ids = new Set(responses.map((response) => response.json.data.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((response) => response.status === 202).length).toBe(1);
    expect(responses.filter((response) => response.status === 200).length).toBe(49);
    const list = await d.call("GET", "/api/v1/runs?workflowId=quick&limit=100");
    expect(
      list.json.data.filter((run: { idempotencyKey: string }) => run.idempotencyKey === "race").length,
    ).toBe(1);
  });
});

describe("reading runs", () => {
  test("GET /runs/:id and /executions/:id return the run object with steps", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/quick/run", { body: { wait: 10 } });
    for (const alias of ["runs", "executions"]) {
      const read = await d.call("GET", `/api/v1/${alias}/${json.data.id}`);
      expect(read.status).toBe(200);
      expect(read.json.data).toMatchObject({ id: json.data.id, status: "completed", workflowId: "quick" });
      expect(read.json.data.steps.length).toBe(1);
    }
    expect((await d.call("GET", "/api/v1/runs/run_unknown")).json.error.code).toBe("NOT_FOUND");
  });

  test("logs come in order and the after cursor skips what was read", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/chatty/run", { body: { wait: 10 } });
    const all = await d.call("GET", `/api/v1/runs/${json.data.id}/logs`);
    const lines = all.json.data.filter((line: { stream: string }) => line.stream === "stdout");
    expect(lines.map((line: { line: string }) => line.line)).toEqual([
      "line1",
      "line2",
      "line3",
      "line4",
      "line5",
    ]);
    expect(Object.keys(all.json.data[0]).sort()).toEqual(["line", "stepId", "stream", "ts"]);
    const page = await d.call("GET", `/api/v1/runs/${json.data.id}/logs?limit=2`);
    expect(page.json.data.length).toBe(2);
    expect(page.json.meta.hasMore).toBe(true);
    const rest = await d.call("GET", `/api/v1/runs/${json.data.id}/logs?after=${page.json.meta.nextCursor}`);
    expect([...page.json.data, ...rest.json.data]).toEqual(all.json.data);
    expect((await d.call("GET", "/api/v1/runs/run_unknown/logs")).status).toBe(404);
  });

  test("logs: hasMore is false when a page ends at the last line", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/chatty/run", { body: { wait: 10 } });
    const all = (await d.call("GET", `/api/v1/runs/${json.data.id}/logs`)).json.data;
    const count = all.length;
    const exact = await d.call("GET", `/api/v1/runs/${json.data.id}/logs?limit=${count}`);
    expect(exact.json.data).toEqual(all);
    expect(exact.json.meta.hasMore).toBe(false);
    const short = await d.call("GET", `/api/v1/runs/${json.data.id}/logs?limit=${count - 1}`);
    expect(short.json.data).toEqual(all.slice(0, count - 1));
    expect(short.json.meta.hasMore).toBe(true);
    const last = await d.call(
      "GET",
      `/api/v1/runs/${json.data.id}/logs?limit=1&after=${short.json.meta.nextCursor}`,
    );
    expect(last.json.data).toEqual(all.slice(count - 1));
    expect(last.json.meta.hasMore).toBe(false);
  });

  test("pages have no repeats or gaps while runs are being created", async () => {
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      created.push((await d.call("POST", "/api/v1/workflows/chatty/run", { body: {} })).json.data.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `workflowId=chatty&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const [page] = await Promise.all([
        d.call("GET", `/api/v1/runs?${query}`),
        d.call("POST", "/api/v1/workflows/chatty/run", { body: {} }),
      ]);
      expect(page.json.meta.limit).toBe(5);
      seen.push(...page.json.data.map((run: { id: string }) => run.id));
      cursor = page.json.meta.hasMore ? page.json.meta.nextCursor : null;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  test("GET /runs filters by status and time; /workflows/:id/runs by workflow", async () => {
    const failed = await d.call("GET", "/api/v1/runs?status=completed&limit=100");
    expect(failed.json.data.every((run: { status: string }) => run.status === "completed")).toBe(true);
    const future = await d.call("GET", `/api/v1/runs?from=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.json.data).toEqual([]);
    for (const alias of ["runs", "executions"]) {
      const own = await d.call("GET", `/api/v1/workflows/quick/${alias}?limit=100`);
      expect(own.json.data.length).toBeGreaterThan(0);
      expect(own.json.data.every((run: { workflowId: string }) => run.workflowId === "quick")).toBe(true);
    }
  });
});

describe("runs of one workflow", () => {
  test("a workflow that never existed is 404 on /runs and /executions, like GET /workflows/:id", async () => {
    for (const alias of ["runs", "executions"]) {
      const { status, json } = await d.call("GET", `/api/v1/workflows/nope/${alias}`);
      expect(status).toBe(404);
      expect(json.error).toEqual({ code: "NOT_FOUND", message: 'Workflow "nope" not found' });
    }
    // The query parameter only filters: no such runs is an empty page.
    const filtered = await d.call("GET", "/api/v1/runs?workflowId=nope");
    expect(filtered.status).toBe(200);
    expect(filtered.json.data).toEqual([]);
  });

  test("a deleted workflow still lists its runs", async () => {
    const yaml = "name: Brief\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n";
    expect((await d.call("POST", "/api/v1/workflows", { body: { id: "brief", yaml } })).status).toBe(201);
    const { json } = await d.call("POST", "/api/v1/workflows/brief/run", { body: { wait: 10 } });
    expect((await d.call("DELETE", "/api/v1/workflows/brief")).status).toBe(200);
    expect((await d.call("GET", "/api/v1/workflows/brief")).status).toBe(404);
    const runs = await d.call("GET", "/api/v1/workflows/brief/runs");
    expect(runs.status).toBe(200);
    expect(runs.json.data.map((run: { id: string }) => run.id)).toEqual([json.data.id]);
  });
});

describe("cancel", () => {
  test("a running run is cancelled and its step stopped", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/slow/run", { body: {} });
    await waitUntil(json.data.id, "running");
    const cancel = await d.call("POST", `/api/v1/runs/${json.data.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.json.data).toEqual({ id: json.data.id, status: "cancelled" });
    const run = await d.call("GET", `/api/v1/runs/${json.data.id}`);
    expect(run.json.data.status).toBe("cancelled");
  });

  test("a pending run is cancelled before it starts", async () => {
    const first = await d.call("POST", "/api/v1/workflows/serial/run", { body: {} });
    const second = await d.call("POST", "/api/v1/workflows/serial/run", { body: {} });
    await waitUntil(first.json.data.id, "running");
    expect((await d.call("GET", `/api/v1/runs/${second.json.data.id}`)).json.data.status).toBe("pending");
    const cancel = await d.call("POST", `/api/v1/runs/${second.json.data.id}/cancel`);
    expect(cancel.json.data).toEqual({ id: second.json.data.id, status: "cancelled" });
    const read = await d.call("GET", `/api/v1/runs/${second.json.data.id}`);
    expect(read.json.data.startedAt).toBeNull();
    await d.call("POST", `/api/v1/runs/${first.json.data.id}/cancel`);
  });

  test("a finished run is 400 INVALID_STATUS, an unknown one 404", async () => {
    const { json } = await d.call("POST", "/api/v1/workflows/quick/run", { body: { wait: 10 } });
    const cancel = await d.call("POST", `/api/v1/runs/${json.data.id}/cancel`);
    expect(cancel.status).toBe(400);
    expect(cancel.json.error.code).toBe("INVALID_STATUS");
    expect((await d.call("POST", "/api/v1/runs/run_nope/cancel")).status).toBe(404);
  });
});

describe("metrics", () => {
  test("/metrics counts finished runs and HTTP requests by route", async () => {
    await d.call("GET", "/api/v1/no-such-route");
    const text = await (await fetch(`${d.url}/metrics`)).text();
    expect(text).toMatch(/wfd_runs_total\{workflow="quick",status="completed"\} \d+/);
    expect(text).toMatch(/wfd_runs_total\{workflow="slow",status="cancelled"\} \d+/);
    expect(text).toContain('wfd_run_duration_seconds_bucket{le="+Inf"}');
    expect(text).toMatch(/wfd_runs_pending \d+/);
    expect(text).toMatch(
      /wfd_http_requests_total\{route="\/api\/v1\/workflows\/:id\/run",status="202"\} \d+/,
    );
    expect(text).toMatch(/wfd_http_requests_total\{route="unmatched",status="404"\} \d+/);
    const commits = Number(/^wfd_store_commits_total (\d+)$/m.exec(text)?.[1]);
    const writes = Number(/^wfd_store_commit_writes_total (\d+)$/m.exec(text)?.[1]);
    expect(commits).toBeGreaterThan(0);
    expect(writes).toBeGreaterThanOrEqual(commits);
  });
});
