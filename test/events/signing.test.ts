import { describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { generateWebhookSecret, signedHeaders, webhookSecretProblem } from "../../src/events/signing.ts";

describe("Standard Webhooks signing", () => {
  test("signatures verify with the standardwebhooks library, an independent implementation", () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ id: "evt_1", type: "run.completed", data: { ünïcode: "✓" } });
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders(secret, "evt_1", now, body);
    expect(headers["webhook-id"]).toBe("evt_1");
    expect(headers["webhook-timestamp"]).toBe(String(now));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  test("a changed body, id, timestamp or secret does not verify", () => {
    const secret = generateWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signedHeaders(secret, "evt_1", now, '{"a":1}');
    const verifier = new Webhook(secret);
    expect(() => verifier.verify('{"a":2}', headers)).toThrow();
    expect(() => verifier.verify('{"a":1}', { ...headers, "webhook-id": "evt_2" })).toThrow();
    expect(() => verifier.verify('{"a":1}', { ...headers, "webhook-timestamp": String(now - 1) })).toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify('{"a":1}', headers)).toThrow();
  });

  test("generated secrets are whsec_ with 32 random bytes, each different", () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
    expect(webhookSecretProblem(a)).toBeNull();
  });

  test("secrets receivers could not use are refused with the reason", () => {
    expect(webhookSecretProblem("supersecret")).toBe('must start with "whsec_"');
    expect(webhookSecretProblem("whsec_not base64!")).toBe('must be "whsec_" followed by base64');
    expect(webhookSecretProblem("whsec_c2hvcnQ=")).toBe("must encode 16 to 64 bytes (it encodes 5)");
  });
});
