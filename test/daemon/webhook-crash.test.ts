import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { openSqliteStore } from "../../src/store/index.ts";
import { REPO_ROOT } from "../helpers/binary.ts";

const root = mkdtempSync(join(tmpdir(), "wfd-hook-crash-"));
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const KEY = "wfd_crash_hook_key_0123456789abcdefghij";

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** The receiver leaves the first request unanswered (the daemon dies meanwhile) and accepts the next. */
const received: Received[] = [];
const arrivals: Array<(request: Received) => void> = [];
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const entry = { headers: Object.fromEntries(request.headers), body: await request.text() };
    received.push(entry);
    arrivals.shift()?.(entry);
    if (received.length === 1) await new Promise(() => {});
    return new Response(null, { status: 204 });
  },
});
const nextArrival = () => new Promise<Received>((resolve) => arrivals.push(resolve));

afterAll(async () => {
  await receiver.stop(true);
  rmSync(root, { recursive: true, force: true });
});

/** Starts `wfd serve` as its own process and resolves with its URL once it listens. */
async function serve(configFile: string) {
  const child = Bun.spawn(["bun", join(REPO_ROOT, "src/main.ts"), "serve", "--config", configFile], {
    cwd: root,
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("wfd serve exited before listening");
    buffer += new TextDecoder().decode(value);
    const match = /"msg":"wfd is listening".*?"url":"http:\/\/[^:]+:(\d+)"/.exec(buffer);
    if (match) {
      reader.releaseLock();
      void child.stdout.pipeTo(new WritableStream());
      return { child, url: `http://127.0.0.1:${match[1]}` };
    }
  }
}

test("a delivery cut off by kill -9 is sent again after restart, with the same webhook-id", async () => {
  mkdirSync(join(root, "workflows"));
  writeFileSync(
    join(root, "workflows", "quick.yaml"),
    "name: Quick\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n",
  );
  const configFile = join(root, "wfd.yaml");
  writeFileSync(
    configFile,
    `server: { host: 127.0.0.1, port: 0 }
workflowsDir: ./workflows
dataDir: ./data
apiKeys: [{ name: test, key: ${KEY} }]
outbound: { allowPrivate: true }
webhooks: [{ url: "http://127.0.0.1:${receiver.port}/hook", events: [run.completed], secret: "${SECRET}" }]
log: { level: info }
`,
  );
  const first = await serve(configFile);
  const arrived = nextArrival();
  const response = await fetch(`${first.url}/api/v1/workflows/quick/run`, {
    method: "POST",
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    body: JSON.stringify({ wait: 10 }),
  });
  const run = ((await response.json()) as { data: { id: string; status: string } }).data;
  expect(run.status).toBe("completed");
  const cutOff = await arrived;
  first.child.kill(9);
  await first.child.exited;

  const again = nextArrival();
  const second = await serve(configFile);
  const resent = await again;
  expect(resent.headers["webhook-id"]).toBe(cutOff.headers["webhook-id"] as string);
  expect(resent.body).toBe(cutOff.body);
  const event = new Webhook(SECRET).verify(resent.body, resent.headers) as { data: { id: string } };
  expect(event.data.id).toBe(run.id);

  // A graceful stop waits for the attempt in flight to be recorded.
  second.child.kill("SIGTERM");
  expect(await second.child.exited).toBe(0);
  const store = openSqliteStore({ path: join(root, "data", "wfd.db") });
  try {
    const [subscription] = await store.events.listSubscriptions();
    const { deliveries } = await store.events.listDeliveries(subscription?.id ?? "", 10);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: "delivered" });
    expect(deliveries[0]?.attempts.map((a) => a.statusCode)).toEqual([204]);
  } finally {
    await store.close();
  }
}, 30_000);
