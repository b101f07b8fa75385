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
    const problems = problemsOf(() => loadConfig({}, dir, {}));
    const file = join(dir, "wfd.yaml");
    expect(problems).toContainEqual(`${file}:4:15: environment variable MISSING_VAR is not set`);
    expect(problems.some((p) => p.startsWith(`${file}:2:9: server.port:`))).toBe(true);
    expect(problems.some((p) => p.includes("concurency"))).toBe(true);
    expect(problems).toHaveLength(3);
  });

  test("a YAML syntax error and a duplicate key are located", () => {
    expect(problemsOf(() => loadConfig({}, project("server: [\n"), {}))[0]).toMatch(/wfd\.yaml:\d+:\d+: /);
    const duplicate = problemsOf(() => loadConfig({}, project("concurrency: 1\nconcurrency: 2\n"), {}));
    expect(duplicate[0]).toMatch(/wfd\.yaml:2:1: .*unique/i);
  });

  test("an API key needs exactly one of hash and key; bad durations are named", () => {
    const dir = project("apiKeys:\n  - { name: a, scopes: ['*'] }\nidempotency: { ttl: 10x }\n");
    const problems = problemsOf(() => loadConfig({}, dir, {}));
    expect(problems.some((p) => p.includes('apiKeys.0 (a): give exactly one of "hash" or "key"'))).toBe(true);
    expect(problems.some((p) => p.includes('idempotency.ttl: invalid duration "10x"'))).toBe(true);
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

  test("a missing --config file is one clear problem", () => {
    const problems = problemsOf(() => loadConfig({ config: "nope.yaml" }, project(), {}));
    expect(problems[0]).toMatch(/nope\.yaml: cannot read config file/);
  });
});
