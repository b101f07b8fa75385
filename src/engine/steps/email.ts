import type { Transporter } from "nodemailer";
import type { EngineServices, StepExecutor } from "../../core/engine.ts";
import { StepError } from "../../core/errors.ts";
import { describe, invalidConfig, optionalString, requiredString } from "./config.ts";

/** The `smtp:` section of wfd.yaml as the engine receives it. */
export type SmtpSettings = NonNullable<EngineServices["smtp"]>;

/** What an email step returns. */
export interface EmailOutput {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

/** The `email` step type, with the pooled SMTP connections it keeps open between steps. */
export interface EmailExecutor extends StepExecutor {
  /** Closes every pooled SMTP connection; a later step opens new ones. Call it when stopping. */
  close(): Promise<void>;
}

interface Message {
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  text?: string;
  html?: string;
}

/** The fields nodemailer sets on its errors (NodemailerError), read defensively. */
interface SmtpErrorFields {
  code?: string;
  response?: string;
}

/**
 * Creates the `email` step type. nodemailer is imported on the first send only, so commands that
 * never send mail do not load it; one pooled transport per SMTP URL is shared by every step and
 * run, so a busy daemon does not open a connection (and log in) per message.
 */
export function createEmailExecutor(): EmailExecutor {
  const transports = new Map<string, Promise<Transporter>>();
  const transportFor = (url: string): Promise<Transporter> => {
    let transport = transports.get(url);
    if (!transport) {
      transport = openTransport(url);
      transports.set(url, transport);
      // A failed import must not stick: the next step tries again.
      transport.catch(() => transports.delete(url));
    }
    return transport;
  };
  return {
    type: "email",
    async execute(context): Promise<EmailOutput> {
      const smtp = context.services.smtp;
      if (!smtp) throw invalidConfig("email step needs smtp in wfd.yaml (smtp: { url, from })");
      const target = describeTarget(smtp.url);
      const message = readMessage(context.config, smtp);
      const transport = await transportFor(smtp.url);
      if (context.signal.aborted) throw context.signal.reason;
      try {
        // nodemailer (10.5+) aborts a pooled send on the signal: it closes the connection delivering it.
        const info = await transport.sendMail({ ...message, signal: context.signal });
        return {
          messageId: String(info.messageId ?? ""),
          accepted: (info.accepted ?? []).map(String),
          rejected: (info.rejected ?? []).map(String),
        };
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        throw new StepError("SMTP_FAILED", hidePassword(`${target}: ${explain(error)}`, smtp.url));
      }
    },
    async close() {
      const open = [...transports.values()];
      transports.clear();
      const settled = await Promise.allSettled(open);
      for (const result of settled) {
        // force: a connection a server keeps stalling would otherwise hold the stop up.
        if (result.status === "fulfilled") result.value.close({ force: true });
      }
    },
  };
}

async function openTransport(url: string): Promise<Transporter> {
  const { createTransport } = await import("nodemailer");
  // Templated html must never make the mailer read local files or fetch URLs.
  return createTransport({ url, pool: true, disableFileAccess: true, disableUrlAccess: true });
}

/** The rendered config as a message; every problem is INVALID_CONFIG (not retried). */
function readMessage(config: Record<string, unknown>, smtp: SmtpSettings): Message {
  const to = addresses(config, "to");
  if (!to?.length) throw invalidConfig("config.to is required (an address or a list of addresses)");
  const from = optionalString(config, "from") || smtp.from;
  if (!from) {
    throw invalidConfig("email step needs a sender: set config.from, or smtp.from in wfd.yaml");
  }
  const subject = requiredString(config, "subject");
  const text = optionalString(config, "text");
  const html = optionalString(config, "html");
  if (text === undefined && html === undefined) {
    throw invalidConfig("email step needs config.text or config.html (or both)");
  }
  const message: Message = { from, to, subject };
  const cc = addresses(config, "cc");
  const bcc = addresses(config, "bcc");
  if (cc?.length) message.cc = cc;
  if (bcc?.length) message.bcc = bcc;
  if (text !== undefined) message.text = text;
  if (html !== undefined) message.html = html;
  return message;
}

/** An address field: a string (may hold several, comma-separated) or a list of strings. */
function addresses(config: Record<string, unknown>, key: string): string[] | undefined {
  const value = config[key];
  if (value === undefined || value === null || value === "") return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const [index, item] of list.entries()) {
    if (typeof item !== "string" || item.trim() === "") {
      const where = Array.isArray(value) ? `config.${key}[${index}]` : `config.${key}`;
      throw invalidConfig(`${where} must be an email address, got ${describe(item)}`);
    }
  }
  return list as string[];
}

/** `smtp://host:port` without user, password or query: safe for messages and logs. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    throw invalidConfig("smtp.url in wfd.yaml is not a valid URL (smtp://user:pass@host:port)");
  }
}

function explain(error: unknown): string {
  const { code, response } = (error ?? {}) as SmtpErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  if (!response) return message;
  if (code === "EENVELOPE") return `recipient rejected: ${response}`;
  if (code === "EAUTH") return `login failed: ${response}`;
  return response;
}

/** Removes the URL's password from a message, however the server or nodemailer echoed it. */
function hidePassword(message: string, url: string): string {
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    return message;
  }
  if (!password) return message;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {}
  return message.replaceAll(password, "***").replaceAll(decoded, "***");
}
