/**
 * The daemon under test: a temporary project (wfd.yaml, workflows, data dir), the compiled binary
 * started as its own process, and read-only looks at its database once it has stopped.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { fileBytes, freePort, PROJECT_ROOT, spawnFromRoot, stopProcess, waitUntilOk } from "./harness.ts";

/** The API key of the benchmark project (configured in clear text, hashed by wfd at start). */
export const KEY = "wfd_bench_key_0123456789abcdefghijklmnop";
/** Headers of every authenticated request. */
export const AUTH = { "x-api-key": KEY };
/** The id of the one-step transform workflow the throughput figures run. */
export const BENCH_WORKFLOW = "bench";

const BENCH_YAML = `name: Bench
description: One transform step
inputSchema:
  type: object
  properties:
    n: { type: number }
steps:
  - id: double
    type: transform
    config:
      mapping:
        n: "{{ input.n }}"
        doubled: "{{ input.n | times: 2 }}"
`;

/** A temporary wfd project; `remove()` deletes it. */
export interface Project {
  root: string;
  config: string;
  workflowsDir: string;
  dbPath: string;
  remove(): void;
}

/**
 * Creates a project with the bench workflow and `orderFiles` copies of
 * workflows.example/order-created.yaml (inputSchema, templates, an http step) in 10 folders.
 * The copies differ only in their name unless `distinct` is set: then each also has its own
 * inputSchema and templates, so no per-content cache (compiled schemas) serves two files.
 */
export function createProject(orderFiles = 0, distinct = false): Project {
  const root = mkdtempSync(join(tmpdir(), "wfd-bench-"));
  const workflowsDir = join(root, "workflows");
  mkdirSync(workflowsDir);
  writeFileSync(join(workflowsDir, `${BENCH_WORKFLOW}.yaml`), BENCH_YAML);
  const order = readFileSync(join(PROJECT_ROOT, "workflows.example/order-created.yaml"), "utf8");
  for (let i = 0; i < orderFiles; i++) {
    const folder = join(workflowsDir, `team-${i % 10}`);
    mkdirSync(folder, { recursive: true });
    const text = orderWorkflow(order, i, 0);
    writeFileSync(join(folder, `order-${i}.yaml`), distinct ? distinctWorkflow(text, i) : text);
  }
  const config = join(root, "wfd.yaml");
  writeFileSync(
    config,
    [
      "server: { host: 127.0.0.1, bodyLimit: 1mb }",
      "workflowsDir: ./workflows",
      "dataDir: ./data",
      "apiKeys:",
      "  - name: bench",
      `    key: ${KEY}`,
      "    rateLimit: { execute: 1000000000, other: 1000000000 }",
      "shutdown: { gracePeriod: 2s }",
      "log: { level: warn }",
      "",
    ].join("\n"),
  );
  return {
    root,
    config,
    workflowsDir,
    dbPath: join(root, "data", "wfd.db"),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** An order workflow with an inputSchema and templates of its own (`index` is in each). */
function distinctWorkflow(text: string, index: number): string {
  return text
    .replace("minItems: 1", `minItems: 1\n      maxItems: ${1000 + index}`)
    .replaceAll("times: 1.08", `times: 1.${index}`)
    .replaceAll("{{ input.customerId }}", `{{ input.customerId }}-${index}`);
}

/** The text of order workflow `index` at edit number `edit` (each edit is a new version). */
export function orderWorkflow(template: string, index: number, edit: number): string {
  return template.replace("name: Process Customer Order", `name: Order ${index} (edit ${edit})`);
}

/** The path of order workflow `index` inside `project`. */
export function orderPath(project: Project, index: number): string {
  return join(project.workflowsDir, `team-${index % 10}`, `order-${index}.yaml`);
}

/** A running `wfd serve`. */
export interface Wfd {
  child: Subprocess;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 of GET /readyz. */
  readyMs: number;
  stop(): Promise<void>;
}

/** The binary under test: BENCH_BINARY (to compare two builds in one sitting), else dist/wfd. */
export const BINARY = process.env.BENCH_BINARY ?? join(PROJECT_ROOT, "dist/wfd");

/** Builds dist/wfd with `bun run build` (skipped when BENCH_BINARY names another build). */
export async function buildBinary(): Promise<void> {
  if (process.env.BENCH_BINARY) return;
  const code = await spawnFromRoot(["bun", "run", "build"]).exited;
  if (code !== 0) throw new Error(`bun run build failed with exit code ${code}`);
}

/** Starts `binary serve` on `project` and a free port, and waits until /readyz answers 200. */
export async function startWfd(project: Project, binary = BINARY): Promise<Wfd> {
  const port = freePort();
  const started = performance.now();
  const child = spawnFromRoot([binary, "serve", "--config", project.config, "--port", String(port)]);
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitUntilOk(`${url}/readyz`, started, child);
  return { child, url, pid: child.pid, readyMs, stop: () => stopProcess(child) };
}

/** The daemon's group-commit counters from GET /metrics: transactions and the writes they held. */
export async function commitCounts(url: string): Promise<{ commits: number; writes: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  return { commits: counter("wfd_store_commits_total"), writes: counter("wfd_store_commit_writes_total") };
}

/** Stored-run figures read from a stopped daemon's database, opened read-only. */
export interface StoredRuns {
  runs: number;
  completed: number;
  /** createdAt -> completedAt of completed runs, in ms. */
  latenciesMs: number[];
}

/**
 * Counts the runs in `dbPath` and collects createdAt -> completedAt of the completed ones created
 * at or after `since` (ISO; default all, so a warm-up can be left out).
 */
export function readStoredRuns(dbPath: string, since = ""): StoredRuns {
  const db = new Database(dbPath, { readonly: true });
  try {
    const runs = db.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()?.n ?? 0;
    const rows = db
      .query<{ created_at: string; completed_at: string }, [string]>(
        "SELECT created_at, completed_at FROM runs WHERE status = 'completed' AND created_at >= ?",
      )
      .all(since);
    const latenciesMs = rows.map((row) => Date.parse(row.completed_at) - Date.parse(row.created_at));
    return { runs, completed: rows.length, latenciesMs };
  } finally {
    db.close();
  }
}

/** Bytes of wfd.db plus its WAL. */
export function databaseBytes(dbPath: string): number {
  return fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);
}

/** Reads one JSON answer of the API. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: AUTH });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits until no run is pending or running (GET /runs?status=...), up to `timeoutMs`. */
export async function waitForIdle(wfd: Wfd, timeoutMs = 300_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    let busy = false;
    for (const status of ["pending", "running"]) {
      const page = await getJson<{ data: unknown[] }>(`${wfd.url}/api/v1/runs?status=${status}&limit=1`);
      busy ||= page.data.length > 0;
    }
    if (!busy) return;
    if (performance.now() > until) throw new Error("runs still unfinished after the timeout");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
