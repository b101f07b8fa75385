import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { wfdFromSource } from "../helpers/binary.ts";

/*
 * The client commands against servers that are not (quite) a wfd daemon: a wrong --url, a proxy's
 * error page, a daemon that hangs. Each must end in one line naming the problem, not a JS error.
 */

const RUN = { id: "run_1", workflowId: "w", status: "completed", steps: [], error: null };

/** The answer for each first path segment: the URL given to `wfd --url` picks the behaviour. */
const ANSWERS: Record<string, () => Response | Promise<Response>> = {
  "empty-404": () => new Response(null, { status: 404 }),
  "json-null": () => Response.json(null),
  "success-only": () => Response.json({ success: true }),
  "html-200": () => new Response("<html><body>Welcome to nginx!</body></html>", { status: 200 }),
  "error-no-code": () => Response.json({ success: false, error: "nope" }, { status: 500 }),
  hang: () => new Promise<Response>(() => {}),
  // Answers after the client's --timeout-ms, but within the wait `trigger --wait` asked for.
  "slow-wait": async () => {
    await Bun.sleep(600);
    return Response.json({ success: true, data: RUN, meta: {} });
  },
  "repeated-detail": () =>
    Response.json(
      {
        success: false,
        error: {
          code: "VALIDATION_ERROR",
          message: "Invalid query: limit: Invalid number",
          details: [
            { path: ["limit"], message: "Invalid number" },
            { path: ["status"], message: "Invalid type" },
          ],
        },
      },
      { status: 400 },
    ),
};

let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0, // the "hang" answer must hang for as long as the client waits
    fetch: (request) => {
      const segment = new URL(request.url).pathname.split("/")[1] ?? "";
      return (ANSWERS[segment] ?? (() => new Response("no such case", { status: 500 })))();
    },
  });
});
afterAll(() => server.stop(true));

const urlFor = (segment: string) => `http://127.0.0.1:${server.port}/${segment}`;

/** Runs `wfd` as a child process with a key, so only the server's answer can go wrong. */
function wfd(args: string[]) {
  return wfdFromSource(args, { env: { WFD_API_KEY: "wfd_some_key" } });
}

describe("client commands against a server that is not wfd", () => {
  test("every answer that is not wfd's envelope is one line naming the URL and what came back", async () => {
    const cases: [string, string[], string][] = [
      ["empty-404", ["runs"], "/api/v1/runs did not answer as a wfd daemon (HTTP 404, empty body)"],
      [
        "json-null",
        ["status", "run_1"],
        "/api/v1/runs/run_1 did not answer as a wfd daemon (HTTP 200, not a wfd answer)",
      ],
      ["success-only", ["runs"], "/api/v1/runs did not answer as a wfd daemon (HTTP 200, not a wfd answer)"],
      [
        "html-200",
        ["cancel", "run_1"],
        "/api/v1/runs/run_1/cancel did not answer as a wfd daemon (HTTP 200, not JSON)",
      ],
      [
        "error-no-code",
        ["logs", "run_1"],
        "/api/v1/runs/run_1/logs did not answer as a wfd daemon (HTTP 500, not a wfd answer)",
      ],
    ];
    for (const [segment, args, message] of cases) {
      const result = await wfd([...args, "--url", urlFor(segment)]);
      expect({ segment, stderr: result.stderr, code: result.code }).toEqual({
        segment,
        stderr: `error: ${urlFor(segment)}${message}\n`,
        code: 1,
      });
    }
  });

  test("a server that never answers ends in one line after --timeout-ms, exit 1", async () => {
    const started = Date.now();
    const result = await wfd(["status", "run_1", "--url", urlFor("hang"), "--timeout-ms", "300"]);
    expect(result.stderr).toBe(
      `error: ${urlFor("hang")}/api/v1/runs/run_1 did not answer within 0.3 s (see --timeout-ms)\n`,
    );
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("trigger --wait allows the wait it asked the daemon for on top of --timeout-ms", async () => {
    const result = await wfd(["trigger", "w", "--wait", "--url", urlFor("slow-wait"), "--timeout-ms", "200"]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("run_1 completed\n");
    expect(result.code).toBe(0);
  });

  test("--timeout-ms must be a positive whole number (exit 2)", async () => {
    const result = await wfd(["runs", "--url", urlFor("hang"), "--timeout-ms", "soon"]);
    expect(result.stderr).toBe('error: --timeout-ms: expected a positive whole number, got "soon"\n');
    expect(result.code).toBe(2);
  });

  test("an API error names each detail once: those the message already says are not repeated", async () => {
    const result = await wfd(["runs", "--url", urlFor("repeated-detail")]);
    expect(result.stderr).toBe(
      "error: VALIDATION_ERROR: Invalid query: limit: Invalid number (status: Invalid type)\n",
    );
    expect(result.code).toBe(1);
  });
});
