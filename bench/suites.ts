/**
 * The measurements of issue 7 (a-e and the ceilings). Each starts its own server process on a
 * fresh temporary directory, drives it with autocannon from another process, and stops it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CpuUse,
  cpuSnapshot,
  cpuUseSince,
  freePort,
  type LoadOptions,
  type LoadResult,
  load,
  PROJECT_ROOT,
  pacedLoad,
  percentile,
  rssMb,
  SECONDS,
  sleep,
  spawnFromRoot,
  stopProcess,
  waitUntilOk,
} from "./harness.ts";
import {
  AUTH,
  BENCH_WORKFLOW,
  commitCounts,
  createProject,
  databaseBytes,
  getJson,
  orderPath,
  orderWorkflow,
  readStoredRuns,
  startWfd,
  type Wfd,
  waitForIdle,
} from "./wfd.ts";

// Under load the daemon's JIT thread is busy for about 4 s (840-870 ms of CPU in the first 2 s,
// about 200 ms in the next 2, none after): a shorter warm-up measures code still being compiled.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONNECTIONS = 50;
const ACCEPT_BODY = { input: { n: 21 } };
const WAIT_BODY = { input: { n: 21 }, wait: 10 };

/** A throughput figure: 2xx per second and latency percentiles (ms) of one load run. */
export interface Throughput {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** The server process's CPU time (all threads, user + system) per counted answer, in µs. */
  cpuMicrosPerRequest: number;
  /** Share of the measured run the server's main thread was on a CPU (1: it set the pace). */
  mainThreadBusy: number;
  /** CPUs the whole machine kept busy on average during the measured run, of os.cpus(). */
  machineBusyCpus: number;
  /** wfd only: writes per store transaction during the measured run (/metrics). */
  writesPerCommit?: number;
}

function throughput(result: LoadResult, cpu: CpuUse, okCount = result.ok): Throughput {
  return {
    perSecond: Math.round(okCount / result.seconds),
    cpuMicrosPerRequest: okCount > 0 ? Math.round((cpu.processMs * 1000) / okCount) : 0,
    mainThreadBusy: Math.round(cpu.mainThreadBusy * 100) / 100,
    machineBusyCpus: Math.round(cpu.machineBusyCpus * 100) / 100,
    p50: result.p50,
    p99: result.p99,
    ok: okCount,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * A short load run first, so the JIT and SQLite caches are warm; then the measured one, with the
 * CPU the server process `pid` and the machine used during it.
 */
async function warmThenLoad(
  options: LoadOptions,
  pid: number,
  beforeMeasured: () => Promise<void> = async () => {},
): Promise<{ warm: LoadResult; measured: LoadResult; cpu: CpuUse }> {
  const warm = await load({ ...options, seconds: WARMUP_SECONDS });
  await beforeMeasured();
  const before = cpuSnapshot(pid);
  const measured = await load(options);
  return { warm, measured, cpu: cpuUseSince(before, pid) };
}

/** warmThenLoad against wfd, with the writes per store transaction of the measured run. */
async function warmThenLoadWfd(options: LoadOptions, wfd: Wfd) {
  let before = { commits: 0, writes: 0 };
  const run = await warmThenLoad(options, wfd.pid, async () => {
    before = await commitCounts(wfd.url);
  });
  const after = await commitCounts(wfd.url);
  const writesPerCommit = (after.writes - before.writes) / Math.max(1, after.commits - before.commits);
  return { ...run, writesPerCommit: Math.round(writesPerCommit * 10) / 10 };
}

function runUrl(wfd: Wfd): string {
  return `${wfd.url}/api/v1/workflows/${BENCH_WORKFLOW}/run`;
}

/** a. Accepted runs/s (202) of `binary`, then: is every 2xx answer's run in the database? */
export async function measureAccepting(binary?: string) {
  const project = createProject();
  const wfd = await startWfd(project, binary);
  try {
    const options = { url: runUrl(wfd), connections: CONNECTIONS, headers: AUTH, body: ACCEPT_BODY };
    const { warm, measured, cpu, writesPerCommit } = await warmThenLoadWfd(options, wfd);
    await wfd.stop();
    const stored = readStoredRuns(project.dbPath).runs;
    const answered2xx = warm.ok + measured.ok;
    const figure = { ...throughput(measured, cpu), writesPerCommit };
    return { ...figure, answered2xx, stored, allStored: stored >= answered2xx };
  } finally {
    await wfd.stop();
    project.remove();
  }
}

/** b. Completed runs/s of `binary` with `wait` (200 with the finished run), 50 connections. */
export async function measureCompleted(binary?: string): Promise<Throughput> {
  const project = createProject();
  const wfd = await startWfd(project, binary);
  try {
    const options = { url: runUrl(wfd), connections: CONNECTIONS, headers: AUTH, body: WAIT_BODY };
    const { measured, cpu, writesPerCommit } = await warmThenLoadWfd(options, wfd);
    return { ...throughput(measured, cpu, measured.statusCodes["200"] ?? 0), writesPerCommit };
  } finally {
    await wfd.stop();
    project.remove();
  }
}

/**
 * b. At a fixed 1,000 runs/s, the trigger-to-completed latency: the HTTP round trip of a POST with
 * wait (open-loop paced client, so a stall delays the requests behind it too) and createdAt ->
 * completedAt of the stored runs. The warm-up runs at full load, as the throughput runs do: at
 * 1,000/s the JIT thread is still compiling 12 s after the start (about 140 µs of CPU per
 * request), which a daemon in service has long finished. A short paced run then settles the rate.
 */
export async function measureFixedRate() {
  const paced = createProject();
  const pacedWfd = await startWfd(paced);
  try {
    const options = { url: runUrl(pacedWfd), rate: 1000, headers: AUTH, body: WAIT_BODY };
    await load({
      url: options.url,
      connections: CONNECTIONS,
      headers: AUTH,
      body: WAIT_BODY,
      seconds: WARMUP_SECONDS,
    });
    await pacedLoad({ ...options, seconds: 2 });
    const measuredSince = new Date().toISOString();
    const before = cpuSnapshot(pacedWfd.pid);
    const result = await pacedLoad({ ...options, seconds: SECONDS });
    const cpu = cpuUseSince(before, pacedWfd.pid);
    await pacedWfd.stop();
    const stored = readStoredRuns(paced.dbPath, measuredSince);
    return {
      rate: 1000,
      achieved: Math.round(result.ok / SECONDS),
      // At this rate each request pays its own commit and an idle loop's wake-ups: several times
      // the CPU it costs under full load, which is what queues behind a stall.
      cpuMicrosPerRequest: result.ok > 0 ? Math.round((cpu.processMs * 1000) / result.ok) : 0,
      mainThreadBusy: Math.round(cpu.mainThreadBusy * 100) / 100,
      httpP50: result.latenciesMs.p50,
      httpP99: result.latenciesMs.p99,
      storedP50: percentile(stored.latenciesMs, 50),
      storedP99: percentile(stored.latenciesMs, 99),
      storedRuns: stored.completed,
    };
  } finally {
    await pacedWfd.stop();
    paced.remove();
  }
}

/** c. The raw Bun.serve ceiling of one mode (bench/ceiling-server.ts), same load settings. */
export async function measureCeiling(mode: "single" | "group" | "completed"): Promise<Throughput> {
  const dir = mkdtempSync(join(tmpdir(), "wfd-bench-ceiling-"));
  const port = freePort();
  const child = spawnFromRoot([
    "bun",
    "run",
    join(PROJECT_ROOT, "bench/ceiling-server.ts"),
    mode,
    String(port),
    join(dir, "ceiling.db"),
  ]);
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitUntilOk(`${url}/readyz`, performance.now(), child);
    const load = { url, connections: CONNECTIONS, body: ACCEPT_BODY };
    const { measured, cpu } = await warmThenLoad(load, child.pid);
    return throughput(measured, cpu);
  } finally {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const SEEDED_RUNS = Number(process.env.BENCH_SEED_RUNS ?? 100_000);

/**
 * d. RSS idle, then 100,000 runs created over HTTP (the daemon's real path and storage) and
 * executed; RSS once they are all finished; GET /runs?limit=100 latency; database bytes per run.
 */
export async function measureMemoryAndStorage() {
  const project = createProject();
  const wfd = await startWfd(project);
  try {
    await sleep(1000);
    const idleRssMb = rssMb(wfd.pid);
    let created = 0;
    while (created < SEEDED_RUNS) {
      const result = await load({
        url: runUrl(wfd),
        connections: CONNECTIONS,
        headers: AUTH,
        body: ACCEPT_BODY,
        amount: SEEDED_RUNS - created,
      });
      created += result.ok;
    }
    await waitForIdle(wfd);
    await sleep(1000);
    const loadedRssMb = rssMb(wfd.pid);
    const list = await load({
      url: `${wfd.url}/api/v1/runs?limit=100`,
      connections: 10,
      headers: AUTH,
      amount: 500,
    });
    const afterListRssMb = rssMb(wfd.pid);
    await wfd.stop();
    const runs = readStoredRuns(project.dbPath).runs;
    const bytes = databaseBytes(project.dbPath);
    return {
      idleRssMb: round1(idleRssMb),
      rssAfterRunsMb: round1(loadedRssMb),
      rssAfterListMb: round1(afterListRssMb),
      storedRuns: runs,
      databaseBytes: bytes,
      bytesPerRun: Math.round(bytes / runs),
      listRuns: { p50: list.p50, p99: list.p99, ok: list.ok, non2xx: list.non2xx },
    };
  } finally {
    await wfd.stop();
    project.remove();
  }
}

const WORKFLOW_FILES = Number(process.env.BENCH_WORKFLOW_FILES ?? 1000);
const RELOADS = 10;
const FRESH_STARTS = 3;

/**
 * e. Start-to-ready (spawn to the first 200 of /readyz) with 1,000 workflow files, on a fresh data
 * directory and again on a restart; then the time from writing a changed file to GET
 * /workflows/:id serving the new versionId (median of 10 edits). The fresh start is the median of
 * FRESH_STARTS, each on a new project. Last, as many fresh starts with 1,000 files that each have
 * their own inputSchema and templates (the others differ only in name).
 */
export async function measureStartupAndReload() {
  const project = createProject(WORKFLOW_FILES);
  const template = await Bun.file(join(PROJECT_ROOT, "workflows.example/order-created.yaml")).text();
  try {
    const first = await startWfd(project);
    const coldReadyMs = Math.round(first.readyMs);
    const coldRssMb = rssMb(first.pid);
    await first.stop();
    const wfd = await startWfd(project);
    try {
      const reloads: number[] = [];
      for (let edit = 1; edit <= RELOADS; edit++) {
        const index = edit * 37;
        const url = `${wfd.url}/api/v1/workflows/order-${index}`;
        const before = (await getJson<{ data: { versionId: string } }>(url)).data.versionId;
        const started = performance.now();
        writeFileSync(orderPath(project, index), orderWorkflow(template, index, edit));
        for (;;) {
          const now = (await getJson<{ data: { versionId: string } }>(url)).data.versionId;
          if (now !== before) break;
          if (performance.now() - started > 10_000) throw new Error(`${url}: no new version after 10 s`);
          await sleep(2);
        }
        reloads.push(performance.now() - started);
      }
      await wfd.stop();
      const fresh = [coldReadyMs, ...(await freshStarts(FRESH_STARTS - 1, false))];
      const distinct = await freshStarts(FRESH_STARTS, true);
      return {
        workflowFiles: WORKFLOW_FILES + 1,
        coldReadyMs: percentile(fresh, 50),
        coldReadyRunsMs: fresh,
        coldDistinctReadyMs: percentile(distinct, 50),
        coldDistinctReadyRunsMs: distinct,
        restartReadyMs: Math.round(wfd.readyMs),
        rssWithWorkflowsMb: round1(coldRssMb),
        reloadMedianMs: Math.round(percentile(reloads, 50)),
        reloadMaxMs: Math.round(Math.max(...reloads)),
      };
    } finally {
      await wfd.stop();
    }
  } finally {
    project.remove();
  }
}

/** Start-to-ready of `count` fresh starts, each on a new project of WORKFLOW_FILES files, rounded. */
async function freshStarts(count: number, distinct: boolean): Promise<number[]> {
  const readyMs: number[] = [];
  for (let run = 0; run < count; run++) {
    const project = createProject(WORKFLOW_FILES, distinct);
    try {
      const wfd = await startWfd(project);
      await wfd.stop();
      readyMs.push(Math.round(wfd.readyMs));
    } finally {
      project.remove();
    }
  }
  return readyMs;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Seconds of each measured load run (BENCH_SECONDS). */
export const LOAD_SECONDS = SECONDS;
