import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/index.ts";
import { startDaemon, type TestDaemon } from "../api/helpers.ts";

const LONG = `name: Long
steps:
  - id: nap
    type: shell
    config: { run: "sleep 30" }
`;

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

test("a POST waiting for its run when the daemon stops gets the pending answer, not a dropped connection", async () => {
  d = await startDaemon({ workflows: { "long.yaml": LONG } });
  const daemon = d.daemon;
  const started = daemon.parts.runs.events.waitFor("step:started");
  const answer = d.call("POST", "/api/v1/workflows/long/run", { body: { wait: 30 } });
  await started;
  await daemon.stop();
  const { status, json } = await answer;
  expect(status).toBe(202);
  expect(json.data).toMatchObject({ status: "pending", workflowId: "long" });
  // The run it names was accepted and is left to resume at the next start.
  const store = openSqliteStore({ path: join(d.config.dataDir, "wfd.db") });
  expect((await store.getRun(json.data.id))?.status).toBe("running");
  await store.close();
});

test("a second signal's interrupt ends running steps at once instead of after the grace period", async () => {
  d = await startDaemon({
    workflows: { "long.yaml": LONG },
    configure: (config) => {
      config.shutdownGraceMs = 60_000;
    },
  });
  const daemon = d.daemon;
  const started = daemon.parts.runs.events.waitFor("step:started");
  const { json } = await d.call("POST", "/api/v1/workflows/long/run", { body: {} });
  await started;
  const stopped = daemon.stop();
  daemon.interruptNow();
  // Within the test's own timeout: the 60 s grace period is not waited out.
  await stopped;
  const store = openSqliteStore({ path: join(d.config.dataDir, "wfd.db") });
  expect((await store.getRun(json.data.id))?.status).toBe("running");
  await store.close();
});
