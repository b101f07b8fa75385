/**
 * The whole API without sockets: `bun run bench/api-in-process.ts [requests]`. Starts the daemon
 * in this process on a temporary project and calls its server's `fetch` from 50 concurrent
 * callers, so the figure is the daemon's own CPU per request with no HTTP parsing or load
 * generator on the same cores. Three kinds of request:
 * - accepted: POST /workflows/bench/run, answered 202 (the run executes meanwhile or within);
 * - waited: the same with `wait`, answered 200 with the finished run;
 * - refused: a body that is not JSON, answered 400.
 */
import { loadConfig } from "../src/daemon/config.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { timeConcurrently } from "./concurrency.ts";
import { BENCH_WORKFLOW, createProject, KEY } from "./wfd.ts";

const REQUESTS = Number(process.argv[2] ?? 10_000);
const IN_FLIGHT = 50;
const BODIES = {
  accepted: '{"input":{"n":21}}',
  waited: '{"input":{"n":21},"wait":10}',
  refused: "{",
} as const;
type Kind = keyof typeof BODIES;

const project = createProject();
const daemon = new Daemon({ config: loadConfig({ config: project.config }), logger: silentLogger, port: 0 });
await daemon.start();
const url = `${daemon.url}/api/v1/workflows/${BENCH_WORKFLOW}/run`;
// With a Content-Length, as HTTP clients send it: the body is then read in one call, not as a stream.
const headersOf = (body: string) => ({
  "x-api-key": KEY,
  "content-type": "application/json",
  "content-length": String(Buffer.byteLength(body)),
});

async function measure(kind: Kind, requests: number) {
  const statuses: Record<number, number> = {};
  const headers = headersOf(BODIES[kind]);
  const cpuBefore = process.cpuUsage();
  const seconds = await timeConcurrently(requests, IN_FLIGHT, async () => {
    const response = await daemon.fetch(new Request(url, { method: "POST", headers, body: BODIES[kind] }));
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    kind,
    perSecond: Math.round(requests / seconds),
    cpuMicrosPerRequest: Math.round((cpu.user + cpu.system) / requests),
    statuses,
  };
}

// Two measured rounds after the warm-up: the first measurement after a warm-up also pays for
// its garbage collection and background compiling, whichever kind comes first.
const kinds = Object.keys(BODIES) as Kind[];
for (const kind of kinds) await measure(kind, Math.ceil(REQUESTS / 4));
for (let round = 1; round <= 2; round++) {
  for (const kind of kinds) console.log(JSON.stringify({ round, ...(await measure(kind, REQUESTS)) }));
}
await daemon.stop();
project.remove();
