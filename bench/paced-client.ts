/**
 * An open-loop load generator, run as its own process: `bun bench/paced-client.ts <json options>`.
 * Request i is due at start + i/rate and is sent then, whether or not earlier ones have answered,
 * so the rate is steady (autocannon's -R sends each connection's quota in a burst at the start of
 * every second). Latency counts from the due time, so a late send is counted too (no coordinated
 * omission). Prints `{sent, ok, errors, statusCodes, latenciesMs: {p50, p99, max}}` as JSON.
 */
export {};

interface Options {
  url: string;
  rate: number;
  seconds: number;
  headers: Record<string, string>;
  body: string;
}

const options = JSON.parse(process.argv[2] ?? "{}") as Options;
const total = Math.round(options.rate * options.seconds);
const latencies: number[] = [];
const statusCodes: Record<string, number> = {};
let ok = 0;
let errors = 0;

async function send(dueAt: number): Promise<void> {
  try {
    const response = await fetch(options.url, {
      method: "POST",
      headers: options.headers,
      body: options.body,
    });
    await response.arrayBuffer();
    statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
    if (response.status >= 200 && response.status < 300) ok++;
  } catch {
    errors++;
  }
  latencies.push(performance.now() - dueAt);
}

const start = performance.now();
const inFlight: Promise<void>[] = [];
for (let sent = 0; sent < total; ) {
  const now = performance.now();
  // Everything due by now goes out, then wait for the next due time.
  while (sent < total && start + (sent * 1000) / options.rate <= now) {
    inFlight.push(send(start + (sent * 1000) / options.rate));
    sent++;
  }
  const nextDue = start + (sent * 1000) / options.rate;
  await Bun.sleep(Math.max(0, nextDue - performance.now()));
}
await Promise.all(inFlight);
latencies.sort((a, b) => a - b);
const at = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
console.log(
  JSON.stringify({
    sent: total,
    ok,
    errors,
    statusCodes,
    latenciesMs: { p50: at(50), p99: at(99), max: at(100) },
  }),
);
