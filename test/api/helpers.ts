import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { hashApiKey } from "../../src/api/keys.ts";
import { type ApiKeyConfig, type Config, loadConfig } from "../../src/daemon/config.ts";
import { Daemon } from "../../src/daemon/daemon.ts";
import type { Clock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";

/** The key every test daemon accepts with every scope. */
export const ADMIN_KEY = "wfd_admin_key_for_tests_0123456789abcdef";

/** A key entry for the config, from a plain key. */
export function keyEntry(
  name: string,
  key: string,
  scopes: string[],
  extra: Partial<ApiKeyConfig> = {},
): ApiKeyConfig {
  return {
    name,
    hash: hashApiKey(key),
    scopes: scopes as ApiKeyConfig["scopes"],
    rateLimit: { execute: 10_000, other: 10_000 },
    ...extra,
  };
}

export const SLOW = `name: Slow
steps:
  - id: wait
    type: shell
    config: { run: "sleep 30" }
`;

export const QUICK = `name: Quick
description: Adds numbers
inputSchema:
  type: object
  properties:
    items:
      type: array
      items: { type: object, properties: { price: { type: number } } }
steps:
  - id: total
    type: transform
    config: { mapping: { count: "{{ input.items | size }}" } }
`;

export interface TestDaemon {
  daemon: Daemon;
  config: Config;
  root: string;
  url: string;
  /** fetch with the admin key (unless `key` is given, or null for none) and a JSON body. */
  call(
    method: string,
    path: string,
    options?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary JSON answers; assertions check the shapes
  ): Promise<{ status: number; headers: Headers; json: Record<string, any> }>;
  stop(): Promise<void>;
}

/** Starts a real daemon on a temp dir with these workflow files and extra API keys. */
export async function startDaemon(
  options: {
    workflows?: Record<string, string>;
    keys?: ApiKeyConfig[];
    clock?: Clock;
    configure?: (config: Config) => void;
  } = {},
): Promise<TestDaemon> {
  const root = mkdtempSync(join(tmpdir(), "wfd-api-"));
  const dir = join(root, "workflows");
  mkdirSync(dir);
  for (const [file, yaml] of Object.entries(options.workflows ?? { "quick.yaml": QUICK })) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), yaml);
  }
  const config = loadConfig({ dir, data: join(root, "data") }, root, {});
  config.apiKeys = [keyEntry("admin", ADMIN_KEY, ["*"]), ...(options.keys ?? [])];
  config.shutdownGraceMs = 200;
  options.configure?.(config);
  const daemon = new Daemon({
    config,
    logger: silentLogger,
    port: 0,
    host: "127.0.0.1",
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await daemon.start();
  const url = daemon.url;
  return {
    daemon,
    config,
    root,
    url,
    async call(method, path, { key = ADMIN_KEY, body, headers = {} } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key ? { "x-api-key": key } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : {} };
    },
    async stop() {
      await daemon.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
