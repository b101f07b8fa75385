/**
 * Shared helpers of the benchmark harness: free ports, child processes, readiness polling,
 * autocannon in its own process, RSS and file sizes. Every measurement in bench/ goes through these.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const ROOT = join(import.meta.dir, "..");
const AUTOCANNON = join(ROOT, "node_modules/autocannon/autocannon.js");

/** Seconds of each load run; BENCH_SECONDS overrides the default of 10. */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

/** A TCP port nobody listens on right now (bound on port 0, then released). */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port ?? 0;
  server.stop(true);
  return port;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `url` until it answers 200; returns the milliseconds since `since` (a performance.now()).
 * Throws when `timeoutMs` passes or `child` exits first.
 */
export async function waitUntilOk(
  url: string,
  since: number,
  child?: Subprocess,
  timeoutMs = 30_000,
): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (child?.exitCode !== null && child?.exitCode !== undefined) {
      throw new Error(`${url}: the process exited with code ${child.exitCode} before it was ready`);
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. */
export async function stopProcess(child: Subprocess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * CPU time (user + system, all threads) a process has used so far, in milliseconds, from
 * /proc/<pid>/stat (clock ticks of 10 ms). Less noisy than throughput on a shared machine: the
 * difference over a load run divided by the requests answered is the CPU cost of one request.
 */
function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** User + system milliseconds of a /proc stat file (a process's, or one thread's). */
function statCpuMs(path: string): number {
  const stat = readFileSync(path, "utf8");
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A server's CPU counters and the whole machine's, read before and after a load run. */
export interface CpuSnapshot {
  processMs: number;
  mainThreadMs: number;
  machineBusyTicks: number;
  machineTicks: number;
  at: number;
}

/** What a server and the machine used between a snapshot and now. */
export interface CpuUse {
  /** CPU time of the server process, all threads. */
  processMs: number;
  /** Share of the wall time the server's main (JavaScript) thread was on a CPU, 0 to 1. */
  mainThreadBusy: number;
  /** CPUs the whole machine kept busy on average (load generator and everything else included). */
  machineBusyCpus: number;
}

/** Reads the counters that cpuUseSince compares. */
export function cpuSnapshot(pid: number): CpuSnapshot {
  // The first line of /proc/stat sums every CPU: user nice system idle iowait irq softirq steal...
  const ticks =
    readFileSync("/proc/stat", "utf8").split("\n", 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const machineTicks = ticks.reduce((sum, value) => sum + value, 0);
  const idleTicks = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return {
    processMs: cpuMs(pid),
    mainThreadMs: statCpuMs(`/proc/${pid}/task/${pid}/stat`),
    machineBusyTicks: machineTicks - idleTicks,
    machineTicks,
    at: performance.now(),
  };
}

/**
 * The server's and the machine's CPU use since `before`. The main thread's share shows whether one
 * JavaScript thread is what limits the server; the machine's, whether the cores are.
 */
export function cpuUseSince(before: CpuSnapshot, pid: number): CpuUse {
  const now = cpuSnapshot(pid);
  const wallMs = Math.max(1, now.at - before.at);
  const ticks = Math.max(1, now.machineTicks - before.machineTicks);
  return {
    processMs: now.processMs - before.processMs,
    mainThreadBusy: (now.mainThreadMs - before.mainThreadMs) / wallMs,
    machineBusyCpus: ((now.machineBusyTicks - before.machineBusyTicks) / ticks) * cpus().length,
  };
}

/** Size in bytes of `path`, 0 when it does not exist. */
export function fileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** What one autocannon run reports (the fields the harness uses; latencies in ms). */
export interface LoadResult {
  /** Mean 2xx-or-not requests per second over the run. */
  requestsPerSecond: number;
  /** 2xx answers in total, and the rest. */
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
  seconds: number;
  statusCodes: Record<string, number>;
}

/** Options of one autocannon run. Either `seconds` or `amount`. */
export interface LoadOptions {
  url: string;
  connections?: number;
  seconds?: number;
  amount?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: unknown;
  /** Requests per second over all connections (autocannon -R); latencies then correct for coordinated omission. */
  overallRate?: number;
  /** Per-request timeout in seconds (default 30). */
  timeoutSeconds?: number;
}

/**
 * Runs autocannon in a separate node process (so the load generator never shares the event loop
 * of the measured server) and parses its --json report.
 */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const args = [
    "node",
    AUTOCANNON,
    "--json",
    "--no-progress",
    "-c",
    String(options.connections ?? 50),
    "-t",
    String(options.timeoutSeconds ?? 30),
    "-m",
    options.method ?? (options.body === undefined ? "GET" : "POST"),
  ];
  if (options.amount !== undefined) args.push("-a", String(options.amount));
  else args.push("-d", String(options.seconds ?? SECONDS));
  if (options.overallRate !== undefined) args.push("-R", String(options.overallRate));
  const headers = { ...options.headers };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    args.push("-b", JSON.stringify(options.body));
  }
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}=${value}`);
  args.push(options.url);
  const child = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`autocannon failed (${code}): ${stderr.trim()}`);
  const report = JSON.parse(stdout);
  return {
    requestsPerSecond: report.requests.average,
    ok: report["2xx"],
    non2xx: report.non2xx,
    errors: report.errors,
    timeouts: report.timeouts,
    p50: report.latency.p50,
    p99: report.latency.p99,
    max: report.latency.max,
    seconds: report.duration,
    statusCodes: Object.fromEntries(
      Object.entries(report.statusCodeStats as Record<string, { count: number }>).map(([code, s]) => [
        code,
        s.count,
      ]),
    ),
  };
}

/** What bench/paced-client.ts reports. */
export interface PacedResult {
  sent: number;
  ok: number;
  errors: number;
  statusCodes: Record<string, number>;
  latenciesMs: { p50: number; p99: number; max: number };
}

/**
 * POSTs `body` at a steady `rate` per second for `seconds` from bench/paced-client.ts in its own
 * process, open loop: autocannon's -R sends each connection's quota in a burst every second,
 * which measures bursts rather than a rate.
 */
export async function pacedLoad(options: {
  url: string;
  rate: number;
  seconds: number;
  headers: Record<string, string>;
  body: unknown;
}): Promise<PacedResult> {
  const spec = {
    ...options,
    headers: { ...options.headers, "content-type": "application/json" },
    body: JSON.stringify(options.body),
  };
  const child = Bun.spawn(["bun", join(ROOT, "bench/paced-client.ts"), JSON.stringify(spec)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  if (code !== 0) throw new Error(`paced client failed with exit code ${code}`);
  return JSON.parse(stdout) as PacedResult;
}

/** The value at percentile `p` (0-100) of `values` (sorted here, nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** A child process started from the project root, with its output passed through to ours. */
export function spawnFromRoot(argv: string[], env: Record<string, string> = {}): Subprocess {
  return Bun.spawn(argv, {
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
    env: { ...process.env, ...env },
  });
}

/** The project root (where package.json lives). */
export const PROJECT_ROOT = ROOT;
