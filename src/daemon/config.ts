import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as v from "valibot";
import { isScalar, LineCounter, parseDocument, visit } from "yaml";
import type { Connection } from "../core/engine.ts";
import { parseByteSize, parseDuration } from "../lib/duration.ts";
import { sha256Hex } from "../lib/hash.ts";
import { type ConfigFile, ConfigFileSchema, type Scope } from "./config-schema.ts";

export interface ApiKeyConfig {
  name: string;
  /** `sha256:<hex>` of the key. */
  hash: string;
  scopes: Scope[];
  workflows?: string[];
  rateLimit: { execute: number; other: number };
}

/** wfd.yaml with every default applied and every path absolute. */
export interface Config {
  configFile: string | null;
  server: { host: string; port: number; bodyLimit: number; publicUrl: string | null };
  workflowsDir: string;
  dataDir: string;
  concurrency: number;
  retentionMs: number;
  idempotencyTtlMs: number;
  apiKeys: ApiKeyConfig[];
  secrets: Record<string, string>;
  env: Record<string, string>;
  connections: Record<string, Connection[]>;
  smtp: { url: string; from?: string } | null;
  webhooks: NonNullable<ConfigFile["webhooks"]>;
  /** `secret` signs deliveries to runs' own webhookUrl; absent: generated once into the data dir. */
  outbound: { allowPrivate: boolean; secret: string | null };
  store: { synchronous: "FULL" | "NORMAL"; groupCommit: boolean };
  shutdownGraceMs: number;
  log: { level: "debug" | "info" | "warn" | "error"; format: "json" | "pretty" };
}

/** Command-line choices that override the config file (DESIGN §9). */
export interface ConfigOverrides {
  config?: string;
  dir?: string;
  data?: string;
}

/** A config file that cannot be used; `problems` are `file:line:col: message` lines. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Finds and reads the configuration: `--config FILE`, else ./wfd.yaml when present, else defaults.
 * `--dir`/`--data` override the file's workflowsDir/dataDir. Throws ConfigError listing every problem.
 */
export function loadConfig(
  overrides: ConfigOverrides = {},
  cwd: string = process.cwd(),
  environment: Record<string, string | undefined> = process.env,
): Config {
  const explicit = overrides.config ? resolve(cwd, overrides.config) : null;
  const implicit = resolve(cwd, "wfd.yaml");
  const configFile = explicit ?? (existsSync(implicit) ? implicit : null);
  const file = configFile ? readConfigFile(configFile, environment) : {};
  const base = configFile ? dirname(configFile) : cwd;
  return resolveConfig(file, base, configFile, overrides, cwd, environment);
}

function readConfigFile(path: string, environment: Record<string, string | undefined>): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([`${path}: cannot read config file: ${(error as Error).message}`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return `${path}:${pos.line}:${pos.col}`;
  };
  const problems = doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`);
  if (problems.length) throw new ConfigError(problems);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string" || !node.value.includes("${")) return;
      node.value = node.value.replace(ENV_REFERENCE, (_match, name: string, fallback?: string) => {
        const value = environment[name] ?? fallback;
        if (value === undefined)
          problems.push(`${at(node.range?.[0])}: environment variable ${name} is not set`);
        return value ?? "";
      });
    },
  });
  const parsed = v.safeParse(ConfigFileSchema, doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.issues) {
      const path = issue.path?.map((p) => p.key as string | number) ?? [];
      const node = doc.getIn(path, true);
      const offset =
        isScalar(node) || (node && typeof node === "object") ? (node as { range?: number[] }).range?.[0] : 0;
      problems.push(`${at(offset)}: ${path.length ? `${path.join(".")}: ` : ""}${issue.message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return parsed.success ? parsed.output : {};
}

function resolveConfig(
  file: ConfigFile,
  base: string,
  configFile: string | null,
  overrides: ConfigOverrides,
  cwd: string,
  environment: Record<string, string | undefined>,
): Config {
  const problems: string[] = [];
  const where = configFile ?? "config";
  const durationOf = (name: string, value: string | number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const ms = parseDuration(value);
    if (ms === null) problems.push(`${where}: ${name}: invalid duration "${value}"`);
    return ms ?? fallback;
  };
  const bodyLimit = parseByteSize(file.server?.bodyLimit ?? "1mb");
  if (bodyLimit === null)
    problems.push(`${where}: server.bodyLimit: invalid size "${file.server?.bodyLimit}"`);
  const config: Config = {
    configFile,
    server: {
      host: file.server?.host ?? "0.0.0.0",
      port: file.server?.port ?? 3000,
      bodyLimit: bodyLimit ?? 1_048_576,
      publicUrl: file.server?.publicUrl ?? null,
    },
    workflowsDir: overrides.dir
      ? resolve(cwd, overrides.dir)
      : resolve(base, file.workflowsDir ?? "./workflows"),
    dataDir: overrides.data ? resolve(cwd, overrides.data) : resolve(base, file.dataDir ?? "./.wfd"),
    concurrency: file.concurrency ?? 64,
    retentionMs: durationOf("retention.runs", file.retention?.runs, 30 * 86_400_000),
    idempotencyTtlMs: durationOf("idempotency.ttl", file.idempotency?.ttl, 86_400_000),
    apiKeys: (file.apiKeys ?? []).map((key, index) => resolveApiKey(key, index, where, problems)),
    secrets: file.secrets ?? {},
    env: Object.fromEntries((file.env ?? []).map((name) => [name, environment[name] ?? ""])),
    connections: file.connections ?? {},
    smtp: file.smtp ?? null,
    webhooks: file.webhooks ?? [],
    outbound: { allowPrivate: file.outbound?.allowPrivate ?? false, secret: file.outbound?.secret ?? null },
    store: { synchronous: file.store?.synchronous ?? "FULL", groupCommit: file.store?.groupCommit ?? true },
    shutdownGraceMs: durationOf("shutdown.gracePeriod", file.shutdown?.gracePeriod, 30_000),
    log: { level: file.log?.level ?? "info", format: file.log?.format ?? "json" },
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

function resolveApiKey(
  key: NonNullable<ConfigFile["apiKeys"]>[number],
  index: number,
  where: string,
  problems: string[],
): ApiKeyConfig {
  if (Boolean(key.hash) === Boolean(key.key)) {
    problems.push(`${where}: apiKeys.${index} (${key.name}): give exactly one of "hash" or "key"`);
  }
  return {
    name: key.name,
    hash: key.hash ?? `sha256:${sha256Hex(key.key ?? "")}`,
    scopes: key.scopes,
    ...(key.workflows ? { workflows: key.workflows } : {}),
    rateLimit: { execute: key.rateLimit?.execute ?? 500, other: key.rateLimit?.other ?? 1200 },
  };
}

/** The secret values of a config, for masking in logs and errors. */
export function secretValues(config: Config): string[] {
  return Object.values(config.secrets).filter((value) => value.length > 0);
}
