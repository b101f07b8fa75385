import { readFileSync } from "node:fs";
import { CliError, EXIT } from "./common.ts";

/**
 * Reads the run input: a JSON file, `-` for standard input, or nothing (an empty object).
 * Errors name the file and the problem and exit with 2.
 */
export async function readInputFile(
  file: string | undefined,
  stdin: NodeJS.ReadableStream,
): Promise<unknown> {
  if (file === undefined) return {};
  const name = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = file === "-" ? await readStream(stdin) : readFileSync(file, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliError(`--input ${name}: cannot read: ${reason}`, EXIT.usage);
  }
  if (text.trim() === "") throw new CliError(`--input ${name}: empty, expected a JSON value`, EXIT.usage);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`--input ${name}: not valid JSON: ${(error as Error).message}`, EXIT.usage);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
}

/**
 * Applies `--set key=value` pairs over the input. Dotted keys set nested fields
 * (`--set customer.id=cus_1`); values that parse as JSON keep their type (`--set qty=2`), others are strings.
 */
export function applySets(input: unknown, sets: readonly string[]): unknown {
  if (sets.length === 0) return input;
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new CliError("--set needs the input to be a JSON object", EXIT.usage);
  }
  const result = structuredClone(input) as Record<string, unknown>;
  for (const pair of sets) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`--set "${pair}": expected key=value`, EXIT.usage);
    const path = pair.slice(0, eq).split(".");
    if (
      path.some(
        (part) => part === "" || part === "__proto__" || part === "constructor" || part === "prototype",
      )
    ) {
      throw new CliError(`--set "${pair}": invalid key "${pair.slice(0, eq)}"`, EXIT.usage);
    }
    setPath(result, path, parseSetValue(pair.slice(eq + 1)));
  }
  return result;
}

function parseSetValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}
