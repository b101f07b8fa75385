import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as v from "valibot";
import { isMap, LineCounter, parseDocument, type YAMLError } from "yaml";
import type { Connection } from "../core/engine.ts";
import { formatProblem, type WorkflowProblem } from "../core/workflow.ts";
import { sha256Hex } from "../lib/hash.ts";
import { didYouMean } from "../workflows/suggest.ts";
import { type ConfigFile, ConfigFileSchema, type Scope } from "./config-schema.ts";
import { interpolateEnv, knownKeysAt, nodeAt } from "./config-yaml.ts";

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
  /**
   * @param problems every problem, one line each
   * @param located the same problems with their positions; empty when the file could not be read
   */
  constructor(
    readonly problems: string[],
    readonly located: WorkflowProblem[] = [],
  ) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

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

/** Parses, interpolates and checks the file in one pass, so every problem is reported at once. */
function readConfigFile(path: string, environment: Record<string, string | undefined>): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([`${path}: cannot read config file: ${(error as Error).message}`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problem = (offset: number | undefined, message: string): Located => ({
    offset: offset ?? 0,
    problem: { file: path, ...lineCounter.linePos(offset ?? 0), message },
  });
  if (doc.errors.length)
    throw invalid(syntaxProblems(text, doc.errors).map((e) => problem(e.offset, e.message)));
  // A list or a scalar would otherwise be reported as unknown keys "0", "1"...
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw invalid([problem(doc.contents.range?.[0], "must be a mapping of settings (key: value)")]);
  }
  const unset = interpolateEnv(doc, ConfigFileSchema, environment);
  const problems = unset.map(({ node, message }) => problem(node.range?.[0], message));
  const unsetNodes = new Set<unknown>(unset.map(({ node }) => node));
  const parsed = v.safeParse(ConfigFileSchema, doc.toJS() ?? {});
  for (const issue of parsed.issues ?? []) {
    const keys = (issue.path ?? []).map((step) => step.key as string | number);
    // valibot reports an unknown key at the key's path, with `never` as what it expected there.
    const unknownKey = issue.type === "strict_object" && issue.expected === "never";
    const node = nodeAt(doc, keys, unknownKey);
    // An unset variable was already reported; what its empty value then fails is the same problem.
    if (unsetNodes.has(node)) continue;
    problems.push(
      problem(node?.range?.[0], unknownKey ? unknownKeyMessage(keys) : fieldMessage(keys, issue.message)),
    );
  }
  if (problems.length || !parsed.success) throw invalid(problems);
  return parsed.output;
}

function fieldMessage(keys: (string | number)[], message: string): string {
  return keys.length ? `${keys.join(".")}: ${message}` : message;
}

function unknownKeyMessage(keys: (string | number)[]): string {
  const key = String(keys.at(-1));
  const known = knownKeysAt(ConfigFileSchema, keys.slice(0, -1));
  return fieldMessage(keys.slice(0, -1), `unknown key ${JSON.stringify(key)}${didYouMean(key, known)}`);
}

/** `{` and `}` end a plain scalar inside a flow collection, so `{ port: ${PORT} }` cannot parse. */
const FLOW_HINT =
  "inside { } or [ ] a ${VAR} must be quoted, which keeps it text; for a number or boolean write the mapping in block style";

/** The first line of each YAML error; at a `${` in a flow collection, how to write it instead. */
function syntaxProblems(text: string, errors: YAMLError[]): { offset: number; message: string }[] {
  const all = errors.map((error) => ({ offset: error.pos[0], message: error.message.split("\n")[0] ?? "" }));
  const inFlow = all.filter(({ offset }) => text[offset] === "{" && text[offset - 1] === "$");
  // The parser's later errors only follow from losing its place at the reference: leave them out.
  return inFlow.length ? inFlow.map((e) => ({ ...e, message: `${e.message}: ${FLOW_HINT}` })) : all;
}

/** A problem and its offset in the file, to report problems in the order they are written. */
interface Located {
  offset: number;
  problem: WorkflowProblem;
}

function invalid(problems: Located[]): ConfigError {
  const sorted = problems.toSorted((a, b) => a.offset - b.offset).map((located) => located.problem);
  return new ConfigError(sorted.map(formatProblem), sorted);
}

function resolveConfig(
  file: ConfigFile,
  base: string,
  configFile: string | null,
  overrides: ConfigOverrides,
  cwd: string,
  environment: Record<string, string | undefined>,
): Config {
  return {
    configFile,
    server: {
      host: file.server?.host ?? "0.0.0.0",
      port: file.server?.port ?? 3000,
      bodyLimit: file.server?.bodyLimit ?? 1_048_576,
      publicUrl: file.server?.publicUrl ?? null,
    },
    workflowsDir: overrides.dir
      ? resolve(cwd, overrides.dir)
      : resolve(base, file.workflowsDir ?? "./workflows"),
    dataDir: overrides.data ? resolve(cwd, overrides.data) : resolve(base, file.dataDir ?? "./.wfd"),
    concurrency: file.concurrency ?? 64,
    retentionMs: file.retention?.runs ?? 30 * 86_400_000,
    idempotencyTtlMs: file.idempotency?.ttl ?? 86_400_000,
    apiKeys: (file.apiKeys ?? []).map((key) => ({
      name: key.name,
      hash: key.hash ?? `sha256:${sha256Hex(key.key ?? "")}`,
      scopes: key.scopes,
      ...(key.workflows ? { workflows: key.workflows } : {}),
      rateLimit: { execute: key.rateLimit?.execute ?? 500, other: key.rateLimit?.other ?? 1200 },
    })),
    secrets: file.secrets ?? {},
    env: Object.fromEntries((file.env ?? []).map((name) => [name, environment[name] ?? ""])),
    connections: file.connections ?? {},
    smtp: file.smtp ?? null,
    webhooks: file.webhooks ?? [],
    outbound: { allowPrivate: file.outbound?.allowPrivate ?? false, secret: file.outbound?.secret ?? null },
    store: { synchronous: file.store?.synchronous ?? "FULL", groupCommit: file.store?.groupCommit ?? true },
    shutdownGraceMs: file.shutdown?.gracePeriod ?? 30_000,
    log: { level: file.log?.level ?? "info", format: file.log?.format ?? "json" },
  };
}

/** The secret values of a config, for masking in logs and errors. */
export function secretValues(config: Config): string[] {
  return Object.values(config.secrets).filter((value) => value.length > 0);
}
