import { readFileSync } from "node:fs";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../lib/json-depth.ts";
import { CliError, EXIT } from "./common.ts";

// The API's limit: an input nested deeper exhausts the stack of the store and validators.
const TOO_DEEP = `nested more than ${MAX_JSON_DEPTH} levels deep (objects and arrays)`;

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
  let bytes: Buffer;
  try {
    bytes = file === "-" ? await readStream(stdin) : readFileSync(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliError(`--input ${name}: cannot read: ${reason}`, EXIT.usage);
  }
  const text = decodeUtf8(bytes, name);
  if (text.trim() === "") throw new CliError(`--input ${name}: empty, expected a JSON value`, EXIT.usage);
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--input ${name}: not valid JSON: ${(error as Error).message}`, EXIT.usage);
  }
  if (nestedDeeperThan(input, MAX_JSON_DEPTH)) throw new CliError(`--input ${name}: ${TOO_DEEP}`, EXIT.usage);
  return input;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The text of the input; fatal, so a file in another encoding is refused rather than mangled. */
function decodeUtf8(bytes: Buffer, name: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`--input ${name}: not valid UTF-8`, EXIT.usage);
  }
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
  // A value given as JSON (or a long dotted key) can nest as deeply as an input file.
  if (nestedDeeperThan(result, MAX_JSON_DEPTH))
    throw new CliError(`--set: the input is ${TOO_DEEP}`, EXIT.usage);
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
