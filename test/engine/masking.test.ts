import { afterEach, describe, expect, test } from "bun:test";
import type { Run } from "../../src/core/run.ts";
import { MAX_OUTPUT_CHARS } from "../../src/engine/failures.ts";
import { createEngine } from "../../src/engine/runner.ts";
import { createStepRegistry } from "../../src/engine/steps/index.ts";
import { STORED_LINE_COST } from "../../src/engine/steps/line-capture.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { RunService } from "../../src/runs/service.ts";
import { openSqliteStore, type SqliteStore } from "../../src/store/index.ts";
import { TestCatalog } from "../helpers/runtime.ts";

/** The auditor's secrets: one a prefix of another, one with spaces and braces, one of two lines. */
const SECRETS = {
  TOKEN: "s3cr3t-token-value",
  LONG: "abcdEFGH-long-secret",
  SHORT: "abcd",
  SPACEY: "pass word/with{x}",
  MULTI: "line-one-secret\nline-two-secret",
  TINY: "ab",
};

let store: SqliteStore | undefined;
let runs: RunService | undefined;
afterEach(async () => {
  await runs?.stop(0);
  await store?.close();
  runs = undefined;
  store = undefined;
});

/** Runs a one-workflow YAML through the real engine and store; returns the stored run and log. */
async function runStored(yaml: string, input: unknown = {}) {
  store = openSqliteStore({ path: ":memory:" });
  const catalog = new TestCatalog(store);
  const executor = createEngine({
    registry: createStepRegistry({ shell: { killGraceMs: 200 } }),
    services: {
      clock: systemClock,
      logger: silentLogger,
      workflowsDir: process.cwd(),
      secrets: SECRETS,
      env: {},
      connections: {},
    },
  });
  runs = new RunService({
    store,
    catalog,
    executor,
    concurrency: 4,
    idempotencyTtlMs: 86_400_000,
    logger: silentLogger,
  });
  const { workflowId } = await catalog.define("leak.yaml", yaml);
  await runs.start();
  const { run } = await runs.create({ workflowId, input, trigger: { type: "api" } });
  const finished = (await runs.waitForFinish(run?.id as string, 10_000)) as Run;
  const { lines } = await store.getLogs(finished.id, 0, 100_000);
  const stored = await runs.get(finished.id);
  return { run: stored, lines, text: (stream: string) => linesOf(lines, stream) };
}

function linesOf(lines: { stream: string; line: string }[], stream: string): string[] {
  return lines.filter((line) => line.stream === stream).map((line) => line.line);
}

const shellWorkflow = (script: string) => `
name: Leak
steps:
  - id: sh
    type: shell
    config:
      run: ${JSON.stringify(script)}
      env: { TOKEN: "{{ secrets.TOKEN }}", LONG: "{{ secrets.LONG }}", SHORT: "{{ secrets.SHORT }}", MULTI: "{{ secrets.MULTI }}", TINY: "{{ secrets.TINY }}" }
`;

describe("secrets in stored logs", () => {
  test("a secret that is a prefix of another never leaves part of the longer one", async () => {
    const { text } = await runStored(
      shellWorkflow(`echo "long=$LONG"; echo "short=$SHORT"; echo "both=$SHORT$LONG"; echo "tiny=$TINY"`),
    );
    expect(text("stdout")).toEqual(["long=***", "short=***", "both=******", "tiny=ab"]);
  });

  test("a line of output that is exactly a secret is stored as ***", async () => {
    const { text } = await runStored(shellWorkflow(`echo "$TOKEN"; echo "$TOKEN" >&2`));
    expect(text("stdout")).toEqual(["***"]);
    expect(text("stderr")).toEqual(["***"]);
  });

  test("each line of a multi-line secret is masked, in log lines and in the error", async () => {
    const { text, run } = await runStored(
      shellWorkflow(`printf '%s\\n' "$MULTI"; printf '%s\\n' "$MULTI" >&2; exit 3`),
    );
    expect(text("stdout")).toEqual(["***", "***"]);
    expect(text("stderr")).toEqual(["***", "***"]);
    expect(run.steps[0]?.error).toEqual({ code: "SHELL_EXIT", message: "command exited with code 3: ***" });
  });

  test("percent-encoded and form-encoded forms of a secret are masked", async () => {
    const { text } = await runStored(
      shellWorkflow(
        "echo 'GET http://127.0.0.1/status/pass%20word/with%7Bx%7D'; echo 'q=pass+word%2Fwith%7Bx%7D'; echo 'lower pass%20word%2fwith%7bx%7d'",
      ),
    );
    expect(text("stdout")).toEqual(["GET http://127.0.0.1/status/***", "q=***", "lower ***"]);
  });
});

describe("shell errors", () => {
  test("a secret at the 497-character cut of the last stderr line is masked before the cut", async () => {
    const { run, text } = await runStored(shellWorkflow(`printf '%0485d%s\\n' 0 "$TOKEN" >&2; exit 1`));
    const masked = `${"0".repeat(485)}***`;
    expect(text("stderr")).toEqual([masked]);
    expect(run.steps[0]?.error?.message).toBe(`command exited with code 1: ${masked}`);
    expect(run.error?.message).toBe(`command exited with code 1: ${masked}`);
  });

  test("a masked last line still longer than 500 characters is cut after masking", async () => {
    const { run } = await runStored(shellWorkflow(`printf '%0495d%s%0100d\\n' 0 "$TOKEN" 0 >&2; exit 1`));
    expect(run.steps[0]?.error?.message).toBe(`command exited with code 1: ${"0".repeat(495)}**...`);
  });
});

describe("log size", () => {
  test("output of many short lines stores lines only up to the limit, then one note", async () => {
    const { run, lines } = await runStored(shellWorkflow(`yes '' | head -c 1000000`));
    const kept = Math.floor(MAX_OUTPUT_CHARS / STORED_LINE_COST);
    expect(run.steps[0]?.error?.code).toBe("OUTPUT_TOO_LARGE");
    expect(lines.length).toBe(kept + 2);
    expect(lines.slice(0, kept).every((line) => line.stream === "stdout" && line.line === "")).toBe(true);
    expect(lines.slice(kept).map((line) => [line.stream, line.line])).toEqual([
      [
        "system",
        `the rest of this attempt's output is not stored in the log: the log of one attempt holds at most ${MAX_OUTPUT_CHARS} characters, counting ${STORED_LINE_COST} per line`,
      ],
      ["system", `step "sh" failed: ${run.steps[0]?.error?.message}`],
    ]);
  });
});

describe("fail messages", () => {
  const failWorkflow = (message: string) => `
name: Stop
steps:
  - id: stop
    type: fail
    config: { message: ${JSON.stringify(message)} }
`;

  test("an object message is JSON text, with its secrets masked (JSON-escaped ones too)", async () => {
    const { run, text } = await runStored(failWorkflow("{{ secrets }}"));
    const message = '{"TOKEN":"***","LONG":"***","SHORT":"***","SPACEY":"***","MULTI":"***","TINY":"ab"}';
    expect(run.steps[0]?.error).toEqual({ code: "FAIL", message });
    expect(text("system")).toEqual([`step "stop" failed: ${message}`]);
  });

  test("a list message is JSON text", async () => {
    const { run } = await runStored(failWorkflow("{{ input.why }}"), { why: [1, "no", { key: "abcd" }] });
    expect(run.error?.message).toBe('[1,"no",{"key":"***"}]');
  });

  test("a URL holding an encoded secret is masked in the error", async () => {
    const { run } = await runStored(failWorkflow("GET http://127.0.0.1/status/pass%20word/with%7Bx%7D: 404"));
    expect(run.error?.message).toBe("GET http://127.0.0.1/status/***: 404");
  });
});
