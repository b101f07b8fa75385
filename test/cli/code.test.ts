import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_KEY, startDaemon } from "../api/helpers.ts";
import { runWfd } from "../helpers/cli.ts";
import { readSnippet } from "../helpers/snippet-reader.ts";

/** Quotes, backslashes, `$` (with and without braces), a backtick, a newline, non-ASCII and an emoji. */
const TRICKY = `it's "quoted" \\ C:\\temp $HOME \${USER} \`id\` ü ß 日本 😀\nnext line`;
const TRICKY_KEY = `it's $key "x"`;

const ORDER = {
  name: "Order",
  inputSchema: {
    type: "object",
    required: ["customerId", "items", "note", TRICKY_KEY],
    properties: {
      customerId: { type: "string", pattern: "^cus_[a-zA-Z0-9]+$" },
      items: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          required: ["sku", "quantity"],
          properties: { sku: { type: "string" }, quantity: { type: "integer", minimum: 1 } },
        },
      },
      note: { type: "string", examples: [TRICKY] },
      [TRICKY_KEY]: { type: "string", default: TRICKY },
      currency: { type: "string", enum: ["usd", "eur"], default: "usd" },
    },
  },
  steps: [{ id: "echo", type: "transform", config: { mapping: "{{ input }}" } }],
};

/** The input the snippets should send for ORDER: required properties only. */
const EXPECTED = {
  customerId: "cus_a",
  items: [{ sku: "string", quantity: 1 }],
  note: TRICKY,
  [TRICKY_KEY]: TRICKY,
};

const ID = "order_created-2";
const LANGS = ["curl", "node", "python", "php", "go"] as const;
type Lang = (typeof LANGS)[number];

let root: string;
let dir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "wfd-code-"));
  dir = join(root, "workflows");
  mkdirSync(dir);
  // JSON is YAML: the tricky strings reach the loader without a second layer of escaping.
  writeFileSync(join(dir, `${ID}.yaml`), JSON.stringify(ORDER));
  writeFileSync(
    join(dir, "plain.yaml"),
    "name: Plain\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n",
  );
  writeFileSync(
    join(dir, "drafty.yaml"),
    "name: D\nstatus: draft\nsteps: [{ id: a, type: transform, config: { mapping: 1 } }]\n",
  );
  writeFileSync(join(dir, "broken.yaml"), "name: Broken\nbogus: 1\nsteps:\n  - id: a\n    type: teleport\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("wfd code: what each snippet sends", () => {
  const base = "http://127.0.0.1:9/o'k/$HOME";

  test.each(LANGS)(
    "%s: the endpoint, the example input and the headers, with tricky strings intact",
    async (lang) => {
      process.env.WFD_API_KEY = "wfd_must_never_be_embedded";
      const { code, stdout, stderr } = await runWfd([
        "code",
        ID,
        "--lang",
        lang,
        "--dir",
        dir,
        "--url",
        base,
      ]);
      delete process.env.WFD_API_KEY;
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const sent = readSnippet(lang, stdout);
      expect(sent.url).toBe(`${base}/api/v1/workflows/${ID}/run`);
      expect(sent.input).toEqual(EXPECTED);
      expect(stdout).toContain("WFD_API_KEY");
      expect(stdout).not.toContain("wfd_must_never_be_embedded");
      expect(stdout).toMatch(/Authorization.{0,6}Bearer /);
      expect(stdout).toContain("Content-Type");
      expect(stdout).toContain("Idempotency-Key");
    },
  );

  test("a workflow without an inputSchema sends an empty object in every language", async () => {
    for (const lang of LANGS) {
      const { stdout } = await runWfd(["code", "plain", "--lang", lang, "--dir", dir, "--url", base]);
      expect(readSnippet(lang, stdout).input).toEqual({});
    }
  });
});

/** The interpreters on this machine that can run a snippet; the others are skipped. */
const RUNNERS: Record<Lang, { file: string; argv: (file: string) => string[]; tools: string[] }> = {
  curl: { file: "run.sh", argv: (f) => ["bash", f], tools: ["bash", "curl"] },
  node: { file: "run.js", argv: (f) => ["node", f], tools: ["node"] },
  python: { file: "run.py", argv: (f) => ["python3", f], tools: ["python3"] },
  php: { file: "run.php", argv: (f) => ["php", f], tools: ["php"] },
  go: { file: "main.go", argv: (f) => ["go", "run", f], tools: ["go"] },
};
const available = (lang: Lang) => RUNNERS[lang].tools.every((tool) => Bun.which(tool) !== null);

describe("wfd code: each snippet runs as printed", () => {
  let server: ReturnType<typeof Bun.serve>;
  const seen: { method: string; path: string; headers: Headers; body: unknown }[] = [];
  let answer = { status: 202, body: {} as unknown };

  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(request) {
        const path = decodeURIComponent(new URL(request.url).pathname);
        seen.push({ method: request.method, path, headers: request.headers, body: await request.json() });
        return Response.json(answer.body, { status: answer.status });
      },
    });
  });
  afterAll(() => server.stop(true));

  async function runSnippet(lang: Lang, env: Record<string, string>) {
    const base = `http://127.0.0.1:${server.port}/o'k/$HOME`;
    const { stdout: code } = await runWfd(["code", ID, "--lang", lang, "--dir", dir, "--url", base]);
    const work = mkdtempSync(join(root, `${lang}-`));
    writeFileSync(join(work, RUNNERS[lang].file), code);
    const child = Bun.spawn(RUNNERS[lang].argv(RUNNERS[lang].file), {
      cwd: work,
      // A proxy from the environment must not catch the loopback calls.
      env: { ...process.env, NO_PROXY: "*", no_proxy: "*", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, exit] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { stdout, stderr, exit };
  }

  for (const lang of LANGS) {
    test.skipIf(!available(lang))(
      `${lang}: sends the request the snippet shows and prints the run id and status, or the API error`,
      async () => {
        seen.length = 0;
        answer = {
          status: 202,
          body: { success: true, data: { runId: "run_1", id: "run_1", status: "pending" } },
        };
        const ok = await runSnippet(lang, { WFD_API_KEY: "wfd_k'$ey" });
        expect(ok.stderr).toBe("");
        expect(ok.exit).toBe(0);
        expect(ok.stdout).toBe("run_1 pending\n");
        const request = seen[0];
        expect(request?.method).toBe("POST");
        expect(request?.path).toBe(`/o'k/$HOME/api/v1/workflows/${ID}/run`);
        expect(request?.headers.get("authorization")).toBe("Bearer wfd_k'$ey");
        expect(request?.headers.get("content-type")).toStartWith("application/json");
        expect(request?.headers.get("idempotency-key")?.length).toBeGreaterThan(8);
        expect(request?.body).toEqual({ input: EXPECTED });

        answer = {
          status: 401,
          body: { success: false, error: { code: "UNAUTHORIZED", message: "Unknown API key" } },
        };
        const refused = await runSnippet(lang, { WFD_API_KEY: "wfd_wrong" });
        expect(refused.exit).toBe(1);
        expect(`${refused.stdout}${refused.stderr}`).toContain("UNAUTHORIZED");
        expect(refused.stdout).not.toContain("run_1");
      },
      60_000,
    );
  }
});

describe("wfd code against a real daemon", () => {
  test.skipIf(!available("curl"))("the curl snippet starts a run whose input is the example", async () => {
    const daemon = await startDaemon({ workflows: { [`${ID}.yaml`]: JSON.stringify(ORDER) } });
    try {
      const { stdout: code } = await runWfd([
        "code",
        ID,
        "--lang",
        "curl",
        "--dir",
        daemon.config.workflowsDir,
        "--url",
        daemon.url,
      ]);
      const script = join(daemon.root, "run.sh");
      writeFileSync(script, code);
      const child = Bun.spawn(["bash", script], {
        env: { ...process.env, WFD_API_KEY: ADMIN_KEY },
        stdout: "pipe",
      });
      const stdout = await new Response(child.stdout).text();
      expect(await child.exited).toBe(0);
      const runId = /run_[0-9A-Z]{26}/.exec(stdout)?.[0] as string;
      expect(runId).toBeDefined();
      const run = (await daemon.call("GET", `/api/v1/runs/${runId}`)).json.data;
      expect(run.workflowId).toBe(ID);
      expect(run.input).toEqual({ ...EXPECTED, currency: "usd" });
      expect(run.idempotencyKey).toBeTruthy();
    } finally {
      await daemon.stop();
    }
  });
});

describe("wfd code: bad input is one line and exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "an unknown workflow, with a suggestion",
      ["code", "plian", "--lang", "go"],
      /^error: workflow "plian" not found in .*workflows \(did you mean "plain"\?\)$/,
    ],
    [
      "an invalid workflow, with its first problem",
      ["code", "broken", "--lang", "go"],
      /^error: workflow "broken" is invalid: \/.*\/workflows\/broken\.yaml:2:1: unknown key "bogus".* \(and 1 more; see wfd validate\)$/,
    ],
    [
      "a missing --lang",
      ["code", "plain"],
      /^error: --lang is required: one of curl, node, python, php, go$/,
    ],
    [
      "an unknown --lang",
      ["code", "plain", "--lang", "ruby"],
      /^error: --lang: expected one of curl, node, python, php, go, got "ruby"$/,
    ],
    [
      "a --url that is not http",
      ["code", "plain", "--lang", "go", "--url", "ftp://x"],
      /^error: --url: expected an http or https URL, got "ftp:\/\/x"$/,
    ],
  ];
  test.each(cases)("%s", async (_name, args, message) => {
    const { code, stdout, stderr } = await runWfd([...args, "--dir", dir]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });

  test("a missing workflow id is a usage error too", async () => {
    expect((await runWfd(["code", "--lang", "go", "--dir", dir])).code).toBe(2);
  });

  test("a draft is printed with a one-line warning that the API refuses it", async () => {
    const { code, stdout, stderr } = await runWfd(["code", "drafty", "--lang", "curl", "--dir", dir]);
    expect(code).toBe(0);
    expect(stdout).toContain("/api/v1/workflows/drafty/run");
    expect(stderr).toBe(
      'warning: workflow "drafty" is draft: the API refuses to run it until its status is active\n',
    );
  });
});

describe("wfd code: the base URL", () => {
  const urlOf = async (args: string[]) => {
    const { stdout } = await runWfd(["code", "plain", "--lang", "node", "--dir", dir, ...args]);
    return JSON.parse(/^const url = (.*);$/m.exec(stdout)?.[1] as string);
  };

  test("--url, else WFD_URL, else server.publicUrl, else localhost on the configured port", async () => {
    const config = join(root, "wfd.yaml");
    writeFileSync(config, "server: { port: 4567 }\n");
    expect(await urlOf(["--config", config])).toBe("http://localhost:4567/api/v1/workflows/plain/run");
    writeFileSync(config, "server: { port: 4567, publicUrl: https://wfd.example.com/base/ }\n");
    expect(await urlOf(["--config", config])).toBe("https://wfd.example.com/base/api/v1/workflows/plain/run");
    process.env.WFD_URL = "http://env.example:81";
    try {
      expect(await urlOf(["--config", config])).toBe("http://env.example:81/api/v1/workflows/plain/run");
      expect(await urlOf(["--config", config, "--url", "http://flag.example/"])).toBe(
        "http://flag.example/api/v1/workflows/plain/run",
      );
    } finally {
      delete process.env.WFD_URL;
    }
  });
});
