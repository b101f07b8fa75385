import { statSync } from "node:fs";
import { Command, Option } from "clipanion";
import { ConfigError } from "../daemon/config.ts";
import { readErrorReason } from "../workflows/files.ts";

/** An error the CLI reports as one line, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Exit codes of `wfd` commands (DESIGN §9). */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** Colours for people on a terminal; plain text everywhere else. */
export function paint(stream: NodeJS.WriteStream) {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  const wrap = (code: number) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

/** `path: message` of a detail, with the path as `items[0].price`; the message alone for the root. */
export function formatDetail(
  detail: { path: readonly (string | number)[]; message: string },
  root = "",
): string {
  const path = detail.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`)).join("");
  const where = `${root}${root ? path : path.replace(/^\./, "")}`;
  return where ? `${where}: ${detail.message}` : detail.message;
}

/**
 * Base of every command: turns any error into one clear line on stderr (never a stack) and an
 * exit code, so `execute()` stays about the work.
 */
export abstract class WfdCommand extends Command {
  abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      return reportError(error, this.context.stderr);
    }
  }
}

/** The --config/--dir/--data options shared by commands that read workflows or the store. */
export abstract class ProjectCommand extends WfdCommand {
  config = Option.String("--config", { description: "Path of wfd.yaml (default: ./wfd.yaml if present)" });
  dir = Option.String("--dir", {
    description: "Workflows directory (default: from wfd.yaml, else ./workflows)",
  });
  data = Option.String("--data", { description: "Data directory (default: from wfd.yaml, else ./.wfd)" });

  protected overrides() {
    return { config: this.config, dir: this.dir, data: this.data };
  }
}

function reportError(error: unknown, stderr: NodeJS.WritableStream): number {
  const colour = paint(process.stderr);
  if (error instanceof ConfigError) {
    for (const line of error.problems) stderr.write(`${colour.red("error:")} ${line}\n`);
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    stderr.write(`${colour.red("error:")} ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`${colour.red("error:")} ${message.split("\n")[0]}\n`);
  return EXIT.failed;
}

/** Every workflow file under `dir`, as `wfd validate` reads them; a directory it cannot read is bad usage. */
export async function readWorkflowsDir(dir: string) {
  // Imported here: commands that never read workflows start without the YAML and schema code.
  const { loadWorkflowDir } = await import("../workflows/loader.ts");
  try {
    return await loadWorkflowDir(dir);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
}

/** A missing --dir, or a file given as one, is bad input (exit 2), found before the store is opened. */
export function assertWorkflowsDir(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT" || code === "ENOTDIR"
        ? "does not exist"
        : `cannot be read: ${readErrorReason(error)}`;
    throw new CliError(`workflows directory ${dir} ${problem}`, EXIT.usage);
  }
  if (!isDirectory) throw new CliError(`workflows directory ${dir} is not a directory`, EXIT.usage);
}
