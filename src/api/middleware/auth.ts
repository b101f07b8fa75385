import type { Context, MiddlewareHandler } from "hono";
import { WfdError } from "../../core/errors.ts";
import { constantTimeEqual, sha256Bytes } from "../../lib/hash.ts";
import type { ApiEnv, ApiKey } from "../deps.ts";
import type { Guard } from "./guard.ts";

/** The key presented with `x-api-key` or `Authorization: Bearer`, if any. */
function presentedKey(c: Context): string | undefined {
  const header = c.req.header("x-api-key");
  if (header) return header.trim();
  const authorization = c.req.header("authorization");
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim()) : null;
  return match?.[1];
}

/**
 * Authenticates by API key. Keys are known only by their SHA-256 hash: the presented key is hashed,
 * looked up, and the stored hash compared in constant time. Unknown or missing keys are UNAUTHORIZED.
 */
export function authenticate(keys: ApiKey[]): Guard {
  // By hex digest for the lookup, with the digest's bytes for the comparison (no conversion of
  // the stored hash per request).
  const byHash = new Map(
    keys.map((key) => {
      const hex = key.hash.replace(/^sha256:/, "");
      return [hex, { key, digest: Buffer.from(hex, "hex") }];
    }),
  );
  return function authGuard(c) {
    const presented = presentedKey(c);
    if (!presented) {
      throw new WfdError("UNAUTHORIZED", "Missing API key: send it as x-api-key or Authorization: Bearer");
    }
    const digest = sha256Bytes(presented);
    const known = byHash.get(digest.toHex());
    if (!known || !constantTimeEqual(known.digest, digest)) {
      throw new WfdError("UNAUTHORIZED", "Unknown API key");
    }
    c.set("apiKey", known.key);
  };
}

/** Refuses with FORBIDDEN unless the request's key has `scope` (or `*`). */
export function requireScope(scope: string): MiddlewareHandler<ApiEnv> {
  return function scopeMiddleware(c, next) {
    const key = c.get("apiKey");
    if (!key.scopes.includes(scope) && !key.scopes.includes("*")) {
      throw new WfdError("FORBIDDEN", `API key "${key.name}" lacks the scope ${scope}`);
    }
    return next();
  };
}

const globCache = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let pattern = globCache.get(glob);
  if (!pattern) {
    const body = glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    pattern = new RegExp(`^${body}$`);
    globCache.set(glob, pattern);
  }
  return pattern;
}

/** True when the key's allow-list (globs such as `orders-*`) admits the workflow; no list admits all. */
export function keyAllowsWorkflow(key: ApiKey, workflowId: string): boolean {
  if (!key.workflows) return true;
  return key.workflows.some((glob) => globToRegExp(glob).test(workflowId));
}

/** Throws FORBIDDEN when the workflow is outside the key's allow-list. */
export function assertWorkflowAllowed(key: ApiKey, workflowId: string): void {
  if (!keyAllowsWorkflow(key, workflowId)) {
    throw new WfdError("FORBIDDEN", `API key "${key.name}" may not access workflow "${workflowId}"`);
  }
}
