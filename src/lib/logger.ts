import { maskSecrets } from "./mask.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: "json" | "pretty";
  write?: (line: string) => void;
  /** Values replaced by `***` wherever they appear in a line. */
  redact?: () => readonly string[];
  base?: Record<string, unknown>;
}

function prettyLine(level: LogLevel, msg: string, fields: Record<string, unknown>): string {
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? ` ${extra}` : ""}`;
}

/** A logger that writes one JSON object per line (or a readable line with format "pretty"). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.base ?? {};
  const emit = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVEL_ORDER[level] < minimum) return;
    const all = { ...base, ...fields };
    const line =
      options.format === "pretty"
        ? prettyLine(level, msg, all)
        : JSON.stringify({ time: new Date().toISOString(), level, msg, ...all });
    write(options.redact ? maskSecrets(line, options.redact()) : line);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
