import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wfdFromSource } from "../helpers/binary.ts";

const ECHO = `name: Echo
steps:
  - id: echo
    type: transform
    config: { mapping: "{{ input.x }}" }
`;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "wfd-run-input-"));
  mkdirSync(join(root, "workflows"));
  writeFileSync(join(root, "workflows", "echo.yaml"), ECHO);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `wfd run echo` on the temp project, in its own data directory, with `stdin` piped in. */
function wfdRun(data: string, args: string[], stdin?: Uint8Array) {
  const project = ["--dir", join(root, "workflows"), "--data", join(root, data)];
  return wfdFromSource(["run", "echo", ...project, ...args], stdin ? { stdin } : {});
}

function inputFile(name: string, content: string | Uint8Array): string {
  const file = join(root, name);
  writeFileSync(file, content);
  return file;
}

const arrays = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

describe("wfd run --input", () => {
  test("an input nested far too deeply exits 2 with one line, before anything is stored", async () => {
    const file = inputFile("deep.json", `{"x":${arrays(100_000)}}`);
    const { stderr, code } = await wfdRun("data-deep", ["--input", file, "--json"]);
    expect(code).toBe(2);
    expect(stderr).toBe(`error: --input ${file}: nested more than 100 levels deep (objects and arrays)\n`);
    expect(existsSync(join(root, "data-deep"))).toBe(false);
  });

  test("a --set value nested far too deeply exits 2 the same way", async () => {
    const { stderr, code } = await wfdRun("data-set", ["--set", `x=${arrays(200)}`]);
    expect(code).toBe(2);
    expect(stderr).toBe("error: --set: the input is nested more than 100 levels deep (objects and arrays)\n");
  });

  test("an input that is not UTF-8 exits 2, from a file or from stdin", async () => {
    const latin1 = Uint8Array.from([
      ...new TextEncoder().encode('{"x":"J'),
      0xe9,
      ...new TextEncoder().encode('r"}'),
    ]);
    const file = inputFile("latin1.json", latin1);
    const fromFile = await wfdRun("data-latin1", ["--input", file]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toBe(`error: --input ${file}: not valid UTF-8\n`);
    const fromStdin = await wfdRun("data-latin1", ["--input", "-"], latin1);
    expect(fromStdin.code).toBe(2);
    expect(fromStdin.stderr).toBe("error: --input standard input: not valid UTF-8\n");
  });

  test("an input at the limit, 100 levels, runs and comes back intact", async () => {
    // The input object, then 99 arrays.
    const x = JSON.parse(arrays(99));
    const file = inputFile("limit.json", JSON.stringify({ x, name: "Jérôme" }));
    const { stdout, code } = await wfdRun("data-limit", ["--input", file, "--json"]);
    expect(code).toBe(0);
    const run = JSON.parse(stdout);
    expect(run.status).toBe("completed");
    expect(run.input).toEqual({ x, name: "Jérôme" });
    expect(run.output).toEqual(x);
  });
});
