import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/daemon/config.ts";
import { sha256Hex } from "../../src/lib/hash.ts";

const dirs: string[] = [];
function project(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "wfd-config-"));
  dirs.push(dir);
  if (yaml !== undefined) writeFileSync(join(dir, "wfd.yaml"), yaml);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("without wfd.yaml every default applies, relative to the working directory", () => {
    const dir = project();
    const config = loadConfig({}, dir, {});
    expect(config.configFile).toBeNull();
    expect(config.workflowsDir).toBe(join(dir, "workflows"));
    expect(config.dataDir).toBe(join(dir, ".wfd"));
    expect(config.server).toEqual({ host: "0.0.0.0", port: 3000, bodyLimit: 1_048_576, publicUrl: null });
    expect(config.concurrency).toBe(64);
    expect(config.retentionMs).toBe(30 * 86_400_000);
    expect(config.idempotencyTtlMs).toBe(86_400_000);
    expect(config.store).toEqual({ synchronous: "FULL", groupCommit: true });
  });

  test("reads ./wfd.yaml, interpolates ${ENV} and resolves paths against the file", () => {
    const dir = project(
      [
        "server: { port: 8080, bodyLimit: 2mb }",
        "workflowsDir: ./flows",
        "retention: { runs: 7d }",
        "secrets: { STRIPE_KEY: '${STRIPE_KEY}', REGION: '${REGION:-eu}' }",
        "env: [HOME_URL]",
        "apiKeys:",
        "  - { name: backend, key: '${BACKEND_KEY}', scopes: [runs:read] }",
      ].join("\n"),
    );
    const config = loadConfig({}, dir, {
      STRIPE_KEY: "sk_test_1",
      BACKEND_KEY: "k".repeat(32),
      HOME_URL: "https://x",
    });
    expect(config.server.port).toBe(8080);
    expect(config.server.bodyLimit).toBe(2 * 1_048_576);
    expect(config.workflowsDir).toBe(join(dir, "flows"));
    expect(config.retentionMs).toBe(7 * 86_400_000);
    expect(config.secrets).toEqual({ STRIPE_KEY: "sk_test_1", REGION: "eu" });
    expect(config.env).toEqual({ HOME_URL: "https://x" });
    expect(config.apiKeys[0]).toMatchObject({
      name: "backend",
      hash: `sha256:${sha256Hex("k".repeat(32))}`,
      scopes: ["runs:read"],
      rateLimit: { execute: 500, other: 1200 },
    });
  });

  describe("a whole ${VAR} as a plain scalar", () => {
    const typedYaml = [
      "server:",
      "  port: ${WFD_TEST_PORT}",
      "concurrency: ${WFD_TEST_CONC}",
      "outbound:",
      "  allowPrivate: ${WFD_TEST_PRIV}",
      "store:",
      "  groupCommit: ${WFD_TEST_GROUP:-false}",
      "apiKeys:",
      "  - name: backend",
      "    key: ${WFD_BACKEND_KEY}",
      "    rateLimit:",
      "      execute: ${WFD_TEST_RATE:-0x10}",
      "",
    ].join("\n");

    test("takes a number or boolean where the field is one, as YAML would read the text", () => {
      const config = loadConfig({}, project(typedYaml), {
        WFD_TEST_PORT: "3999",
        WFD_TEST_CONC: "4",
        WFD_TEST_PRIV: "true",
        WFD_BACKEND_KEY: "1".repeat(20),
      });
      expect(config.server.port).toBe(3999);
      expect(config.concurrency).toBe(4);
      expect(config.outbound.allowPrivate).toBe(true);
      expect(config.store.groupCommit).toBe(false);
      expect(config.apiKeys[0]?.rateLimit.execute).toBe(16);
    });

    test("uses its default as a number too", () => {
      const config = loadConfig({}, project("server:\n  port: ${WFD_TEST_PORT:-3000}\n"), {});
      expect(config.server.port).toBe(3000);
    });

    test("keeps the exact text wherever the field takes text: keys, secrets, hosts, durations", () => {
      const yaml = [
        "server:",
        "  host: ${WFD_TEST_HOST}",
        "secrets:",
        "  DIGITS: ${DIGITS}",
        "  HEX: ${HEX}",
        "  FLAG: ${FLAG}",
        "  TILDE: ${TILDE}",
        "  EMPTY: ${EMPTY:-}",
        "retention:",
        "  runs: ${RETENTION}",
        "apiKeys:",
        "  - name: backend",
        "    key: ${WFD_BACKEND_KEY}",
        "",
      ].join("\n");
      const digits = "0012345678901234567890";
      const config = loadConfig({}, project(yaml), {
        WFD_TEST_HOST: "127",
        DIGITS: "0123",
        HEX: "0x1F",
        FLAG: "true",
        TILDE: "~",
        RETENTION: "3600000",
        WFD_BACKEND_KEY: digits,
      });
      expect(config.server.host).toBe("127");
      expect(config.secrets).toEqual({ DIGITS: "0123", HEX: "0x1F", FLAG: "true", TILDE: "~", EMPTY: "" });
      expect(config.retentionMs).toBe(3_600_000);
      expect(config.apiKeys[0]?.hash).toBe(`sha256:${sha256Hex(digits)}`);
    });

    test("quoted, or inside longer text, it stays text and a number field says so at its position", () => {
      const dir = project('server:\n  port: "${WFD_TEST_PORT}"\nconcurrency: 1${WFD_TEST_CONC}\n');
      const file = join(dir, "wfd.yaml");
      expect(problemsOf(() => loadConfig({}, dir, { WFD_TEST_PORT: "3999", WFD_TEST_CONC: "0" }))).toEqual([
        `${file}:2:9: server.port: Invalid type: Expected number but received "3999"`,
        `${file}:3:14: concurrency: Invalid type: Expected number but received "10"`,
      ]);
    });

    test("a value that is not a number where one is expected is named with the field and position", () => {
      const dir = project(typedYaml);
      const file = join(dir, "wfd.yaml");
      const problems = problemsOf(() =>
        loadConfig({}, dir, {
          WFD_TEST_PORT: "http",
          WFD_TEST_CONC: "",
          WFD_TEST_PRIV: "yes",
          WFD_BACKEND_KEY: "k".repeat(16),
        }),
      );
      expect(problems).toEqual([
        `${file}:2:9: server.port: Invalid type: Expected number but received "http"`,
        `${file}:3:14: concurrency: Invalid type: Expected number but received null`,
        `${file}:5:17: outbound.allowPrivate: Invalid type: Expected boolean but received "yes"`,
      ]);
    });

    test("an unset variable is one problem, not also the wrong type its empty value has", () => {
      const dir = project(typedYaml);
      const file = join(dir, "wfd.yaml");
      expect(problemsOf(() => loadConfig({}, dir, { WFD_TEST_CONC: "4", WFD_TEST_PRIV: "false" }))).toEqual([
        `${file}:2:9: environment variable WFD_TEST_PORT is not set`,
        `${file}:10:10: environment variable WFD_BACKEND_KEY is not set`,
      ]);
    });

    test("inside { } it cannot be plain YAML: one problem says how to write it", () => {
      const dir = project("server: {port: ${WFD_TEST_PORT}}\n");
      expect(problemsOf(() => loadConfig({}, dir, { WFD_TEST_PORT: "3999" }))).toEqual([
        `${join(dir, "wfd.yaml")}:1:17: Unexpected flow-map-start at node end: inside { } or [ ] a \${VAR} must be quoted, which keeps it text; for a number or boolean write the mapping in block style`,
      ]);
    });
  });

  test("--dir and --data override the file", () => {
    const dir = project("workflowsDir: ./flows\ndataDir: ./data\n");
    const config = loadConfig({ dir: "other", data: "/tmp/x" }, dir, {});
    expect(config.workflowsDir).toBe(join(dir, "other"));
    expect(config.dataDir).toBe("/tmp/x");
  });

  test("every problem is reported with file:line:col", () => {
    const dir = project(
      ["server:", "  port: eighty", "concurency: 4", "secrets: { A: '${MISSING_VAR}' }"].join("\n"),
    );
    const file = join(dir, "wfd.yaml");
    expect(problemsOf(() => loadConfig({}, dir, {}))).toEqual([
      `${file}:2:9: server.port: Invalid type: Expected number but received "eighty"`,
      `${file}:3:1: unknown key "concurency" (did you mean "concurrency"?)`,
      `${file}:4:15: environment variable MISSING_VAR is not set`,
    ]);
  });

  test("problems that used to wait for a second pass come in the same pass, each at its value", () => {
    const yaml = [
      "server:",
      "  port: 70000",
      "  bodyLimit: lots",
      "retention: { runs: 1 month }",
      "idempotency:",
      "  ttl: forever",
      "shutdown: { gracePeriod: -5 }",
      "apiKeys:",
      "  - { name: a, scopes: ['*'] }",
      "  - { name: b, key: short, hash: 'sha256:00', scopes: [runs:read] }",
    ].join("\n");
    const dir = project(yaml);
    const file = join(dir, "wfd.yaml");
    expect(problemsOf(() => loadConfig({}, dir, {}))).toEqual([
      `${file}:2:9: server.port: must be 0 to 65535`,
      `${file}:3:14: server.bodyLimit: invalid size "lots" (use e.g. 512kb, 1mb or bytes)`,
      `${file}:4:20: retention.runs: invalid duration "1 month" (use e.g. 500ms, 30s, 10m, 1h30m)`,
      `${file}:6:8: idempotency.ttl: invalid duration "forever" (use e.g. 500ms, 30s, 10m, 1h30m)`,
      `${file}:7:26: shutdown.gracePeriod: invalid duration -5 (use e.g. 500ms, 30s, 10m, 1h30m)`,
      `${file}:9:5: apiKeys.0: give exactly one of "hash" or "key"`,
      `${file}:10:5: apiKeys.1: give exactly one of "hash" or "key"`,
      `${file}:10:21: apiKeys.1.key: must be at least 16 characters`,
      `${file}:10:34: apiKeys.1.hash: must be sha256:<64 hex digits>`,
    ]);
  });

  test("durations and sizes in every accepted spelling become milliseconds and bytes", () => {
    const dir = project(
      "server: { bodyLimit: 512kb }\nretention: { runs: 1h30m }\nidempotency: { ttl: 2500 }\nshutdown: { gracePeriod: '5s' }\n",
    );
    const config = loadConfig({}, dir, {});
    expect(config.server.bodyLimit).toBe(512 * 1024);
    expect(config.retentionMs).toBe(90 * 60_000);
    expect(config.idempotencyTtlMs).toBe(2500);
    expect(config.shutdownGraceMs).toBe(5000);
  });

  test("a nested unknown key is shown where it is written, with a suggestion; a wrong shape is named", () => {
    const dir = project("server:\n  prot: 8080\nstore: 5\n");
    const file = join(dir, "wfd.yaml");
    expect(problemsOf(() => loadConfig({}, dir, {}))).toEqual([
      `${file}:2:3: server: unknown key "prot" (did you mean "port"?)`,
      `${file}:3:8: store: Invalid type: Expected Object but received 5`,
    ]);
  });

  test("a YAML syntax error and a duplicate key are located", () => {
    const syntax = project("server: [\n");
    expect(problemsOf(() => loadConfig({}, syntax, {}))[0]).toMatch(/wfd\.yaml:\d+:\d+: /);
    const duplicate = problemsOf(() => loadConfig({}, project("concurrency: 1\nconcurrency: 2\n"), {}));
    expect(duplicate[0]).toMatch(/wfd\.yaml:2:1: .*unique/i);
  });

  test("a file that is a list or a scalar is one problem, not unknown keys 0, 1, ...", () => {
    for (const yaml of ["- a\n- b\n", "just text\n"]) {
      const dir = project(yaml);
      expect(problemsOf(() => loadConfig({}, dir, {}))).toEqual([
        `${join(dir, "wfd.yaml")}:1:1: must be a mapping of settings (key: value)`,
      ]);
    }
    expect(loadConfig({}, project("# only a comment\n"), {}).concurrency).toBe(64);
  });

  test("an API key needs exactly one of hash and key, even when another of its keys is wrong", () => {
    const dir = project("apiKeys:\n  - name: a\n    scopes: [nope]\nidempotency: { ttl: 10x }\n");
    const file = join(dir, "wfd.yaml");
    const problems = problemsOf(() => loadConfig({}, dir, {}));
    expect(problems[0]).toBe(`${file}:2:5: apiKeys.0: give exactly one of "hash" or "key"`);
    expect(problems[1]).toStartWith(
      `${file}:3:14: apiKeys.0.scopes.0: Invalid type: Expected ("workflows:read"`,
    );
    expect(problems[2]).toBe(
      `${file}:4:21: idempotency.ttl: invalid duration "10x" (use e.g. 500ms, 30s, 10m, 1h30m)`,
    );
    expect(problems).toHaveLength(3);
  });

  test("webhook subscriptions and the outbound secret are checked where they stand", () => {
    const yaml = [
      "webhooks:",
      "  - { url: 'https://example.com/h', events: [run.completed], secret: plain }",
      "  - { url: 'https://example.com/h', events: [] }",
      "  - { url: 'https://example.com/h', events: [run.exploded] }",
      "outbound: { allowPrivate: true, secret: 'whsec_c2hvcnQ=' }",
      "",
    ].join("\n");
    const dir = project(yaml);
    const file = join(dir, "wfd.yaml");
    const problems = problemsOf(() => loadConfig({}, dir, {}));
    expect(problems).toContainEqual(`${file}:2:70: webhooks.0.secret: must start with "whsec_"`);
    expect(problems).toContainEqual(`${file}:3:45: webhooks.1.events: must name at least one event`);
    expect(
      problems.some((p) => p.startsWith(`${file}:4:`) && p.includes("webhooks.2.events.0: must be one of")),
    ).toBe(true);
    expect(problems.some((p) => p.includes("outbound.secret: must encode 16 to 64 bytes"))).toBe(true);
    expect(problems).toHaveLength(4);
  });

  test("every URL must be absolute http or https, and only its scheme is echoed", () => {
    const yaml = [
      "server: { publicUrl: 'wfd.example.com' }",
      "connections:",
      "  billing:",
      "    - { id: ok, baseUrl: 'https://billing.example.com' }",
      "    - { id: etc, baseUrl: 'file:///etc' }",
      "webhooks:",
      "  - { url: 'ftp://user:hunter2@example.com/h', events: [run.failed] }",
      "  - { url: 'javascript:alert(1)', events: [run.failed] }",
      "  - { url: 'http://example.com/h', events: [run.failed] }",
      "",
    ].join("\n");
    const dir = project(yaml);
    const file = join(dir, "wfd.yaml");
    expect(problemsOf(() => loadConfig({}, dir, {}))).toEqual([
      `${file}:1:22: server.publicUrl: must be an absolute http or https URL`,
      `${file}:5:27: connections.billing.1.baseUrl: must be an http or https URL, not file:`,
      `${file}:7:12: webhooks.0.url: must be an http or https URL, not ftp:`,
      `${file}:8:12: webhooks.1.url: must be an http or https URL, not javascript:`,
    ]);
  });

  test("http and https URLs are accepted as written", () => {
    const yaml = [
      "server: { publicUrl: 'https://wfd.example.com' }",
      "connections: { billing: [{ id: a, baseUrl: 'http://10.0.0.5:8080/api' }] }",
      "webhooks: [{ url: 'HTTPS://example.com/h', events: [run.failed] }]",
    ].join("\n");
    const config = loadConfig({}, project(yaml), {});
    expect(config.server.publicUrl).toBe("https://wfd.example.com");
    expect(config.connections.billing?.[0]?.baseUrl).toBe("http://10.0.0.5:8080/api");
    expect(config.webhooks[0]?.url).toBe("HTTPS://example.com/h");
  });

  test("a missing --config file is one clear problem", () => {
    const problems = problemsOf(() => loadConfig({ config: "nope.yaml" }, project(), {}));
    expect(problems[0]).toMatch(/nope\.yaml: cannot read config file/);
  });
});
