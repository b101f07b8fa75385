import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../lib/hash.ts";
import type { Logger } from "../lib/logger.ts";
import type { ApiKey } from "./deps.ts";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_LENGTH = 40;
const DEFAULT_KEY_FILE = "api-keys.json";

/** A new API key: `wfd_` and 40 random base62 characters (about 238 bits). */
export function generateApiKey(): string {
  let out = "";
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  while (out.length < KEY_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(KEY_LENGTH))) {
      if (byte < 248 && out.length < KEY_LENGTH) out += BASE62[byte % 62];
    }
  }
  return `wfd_${out}`;
}

/** The stored form of a key: `sha256:<hex>`. */
export function hashApiKey(key: string): string {
  return `sha256:${sha256Hex(key)}`;
}

interface StoredKeyFile {
  keys: { name: string; hash: string; scopes: string[]; createdAt: string }[];
}

function readKeyFile(path: string): ApiKey[] {
  let parsed: StoredKeyFile;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as StoredKeyFile;
  } catch (error) {
    throw new Error(`${path}: cannot read the stored API keys: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.keys) || parsed.keys.some((key) => !/^sha256:[0-9a-f]{64}$/.test(key.hash))) {
    throw new Error(`${path}: expected {"keys": [{name, hash: "sha256:<hex>", scopes}]}`);
  }
  return parsed.keys.map((key) => ({
    name: key.name,
    hash: key.hash,
    scopes: key.scopes,
    rateLimit: { execute: 500, other: 1200 },
  }));
}

/**
 * The keys of an install with no `apiKeys` in its config: created at the first start (printed once on
 * `print`, only the hash kept in `<dataDir>/api-keys.json`), loaded silently afterwards. So a fresh
 * install is usable and never open.
 */
export function loadOrCreateDefaultKeys(
  dataDir: string,
  logger: Logger,
  print: (line: string) => void,
): ApiKey[] {
  const path = join(dataDir, DEFAULT_KEY_FILE);
  if (existsSync(path)) return readKeyFile(path);
  const key = generateApiKey();
  const stored: StoredKeyFile = {
    keys: [{ name: "default", hash: hashApiKey(key), scopes: ["*"], createdAt: new Date().toISOString() }],
  };
  writeFileSync(path, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  // The key itself is never logged: logs are collected and kept; stderr shows it to the operator once.
  logger.warn('no apiKeys configured: created the API key "default"; it is printed once on stderr', {
    file: path,
  });
  print(`wfd API key (shown once, only its hash is stored in ${path}): ${key}`);
  return readKeyFile(path);
}
