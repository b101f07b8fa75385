import type { Config } from "../daemon/config.ts";
import { secretValues } from "../daemon/config.ts";
import { createLogger, type Logger } from "../lib/logger.ts";

/** The process logger: JSON lines on stdout (or pretty on a terminal when asked), secrets masked. */
export function processLogger(config: Config, format?: string, write?: (line: string) => void): Logger {
  const chosen = format === "pretty" || format === "json" ? format : config.log.format;
  return createLogger({
    level: config.log.level,
    format: chosen,
    redact: () => secretValues(config),
    ...(write ? { write } : {}),
  });
}
