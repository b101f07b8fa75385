import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { SynchronousMode } from "../../src/store/database.ts";
import { openSqliteStore } from "../../src/store/index.ts";
import { cleanup, closeAfterTest, newRun, tempDir } from "./helpers.ts";

afterEach(cleanup);

const STORE_MODULE = join(import.meta.dir, "../../src/store/index.ts");
const IDS_MODULE = join(import.meta.dir, "../../src/lib/ids.ts");

/** A script that creates runs from 8 concurrent writers forever, printing each id once acknowledged. */
function writerScript(path: string, synchronous: SynchronousMode): string {
  return `
    import { openSqliteStore } from ${JSON.stringify(STORE_MODULE)};
    import { prefixedId } from ${JSON.stringify(IDS_MODULE)};
    const store = openSqliteStore({ path: ${JSON.stringify(path)}, synchronous: ${JSON.stringify(synchronous)} });
    async function writer() {
      for (;;) {
        const id = prefixedId("run");
        await store.createRun({
          id, workflowId: "crash", workflowVersion: 1, versionId: "sha256:x", input: { id },
          trigger: { type: "cli" }, idempotencyKey: null, connectionId: null, entityType: null,
          entityId: null, webhookUrl: null, createdAt: new Date().toISOString(),
        });
        process.stdout.write(id + "\\n");
      }
    }
    for (let i = 0; i < 8; i++) writer();
  `;
}

/** Reads lines from the child's stdout until `count` ids were printed. */
async function readIds(stdout: ReadableStream<Uint8Array>, count: number): Promise<string[]> {
  const decoder = new TextDecoder();
  const reader = stdout.getReader();
  let text = "";
  for (;;) {
    const lines = text.split("\n").slice(0, -1);
    if (lines.length >= count) {
      reader.releaseLock();
      return lines;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`the writer exited after printing ${lines.length} ids`);
    text += decoder.decode(value, { stream: true });
  }
}

describe("durability", () => {
  test("acknowledged writes are there after reopening without a clean close", async () => {
    const path = join(tempDir(), "wfd.db");
    const writer = openSqliteStore({ path });
    const runs = Array.from({ length: 25 }, () => newRun());
    await Promise.all(runs.map((run) => writer.createRun(run)));
    // No close(): a second connection sees only what was committed, like a restarted process.
    const reopened = closeAfterTest(openSqliteStore({ path }));
    for (const run of runs) expect((await reopened.getRun(run.id))?.input).toEqual(run.input);
    await writer.close();
  });

  // NORMAL skips the fsync, so a crash of the machine may lose the last commits; a crash of the
  // process may not, because each commit is in the operating system's cache when it returns.
  test.each(["FULL", "NORMAL"] as const)(
    "every run acknowledged before kill -9 exists after reopening (synchronous=%s)",
    async (synchronous) => {
      const path = join(tempDir(), "wfd.db");
      const child = Bun.spawn([process.execPath, "-e", writerScript(path, synchronous)], {
        stdout: "pipe",
        stderr: "inherit",
      });
      let ids: string[];
      try {
        ids = await readIds(child.stdout, 300);
      } finally {
        child.kill("SIGKILL");
        await child.exited;
      }
      expect(child.signalCode).toBe("SIGKILL");
      const store = closeAfterTest(openSqliteStore({ path }));
      const missing: string[] = [];
      for (const id of ids) if (!(await store.getRun(id))) missing.push(id);
      expect(missing).toEqual([]);
      expect(ids.length).toBeGreaterThanOrEqual(300);
    },
  );
});
