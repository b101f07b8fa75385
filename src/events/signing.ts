import { createHmac, randomBytes } from "node:crypto";

const SECRET_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/**
 * Why `secret` is not a usable Standard Webhooks secret (`whsec_<base64>` of 16 to 64 bytes), or
 * null when it is. Receivers' libraries base64-decode what follows the prefix, so anything else
 * could never be verified.
 */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with "${SECRET_PREFIX}"`;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0)
    return `must be "${SECRET_PREFIX}" followed by base64`;
  const bytes = Buffer.from(encoded, "base64").length;
  if (bytes < 16 || bytes > 64) return `must encode 16 to 64 bytes (it encodes ${bytes})`;
  return null;
}

/** The headers of a signed delivery (Standard Webhooks): webhook-id, webhook-timestamp, webhook-signature. */
export function signedHeaders(
  secret: string,
  eventId: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
  const signature = createHmac("sha256", key)
    .update(`${eventId}.${timestampSeconds}.${body}`)
    .digest("base64");
  return {
    "webhook-id": eventId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
