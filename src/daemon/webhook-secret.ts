import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateWebhookSecret, webhookSecretProblem } from "../events/signing.ts";

const SECRET_FILE = "webhook-secret";

/**
 * The secret that signs deliveries to runs' own `webhookUrl`: `outbound.secret` from the config,
 * else the one generated at the first start into `<dataDir>/webhook-secret` (mode 0600), where the
 * operator reads it for the receivers. It must be kept in clear to sign, so unlike API keys
 * there is nothing to show "once".
 */
export function loadOrCreateRunWebhookSecret(dataDir: string, configured: string | null): string {
  if (configured) return configured;
  const path = join(dataDir, SECRET_FILE);
  if (existsSync(path)) {
    const stored = readFileSync(path, "utf8").trim();
    const problem = webhookSecretProblem(stored);
    if (problem) throw new Error(`${path}: the stored webhook secret ${problem}`);
    return stored;
  }
  const secret = generateWebhookSecret();
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}
