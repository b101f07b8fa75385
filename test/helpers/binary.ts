import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
let built: Promise<string> | undefined;

/** Compiles dist-like `wfd` into a temp directory once per test process and returns its path. */
export function compiledBinary(): Promise<string> {
  built ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), "wfd-bin-")), "wfd");
    // The flags of `bun run build` (package.json) and the Dockerfile: test what ships.
    const flags = ["--compile", "--minify", "--bytecode", "--format=esm"];
    const build = Bun.spawn(["bun", "build", ...flags, "src/main.ts", "--outfile", out], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    if ((await build.exited) !== 0)
      throw new Error(`build failed: ${await new Response(build.stderr).text()}`);
    return out;
  })();
  return built;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and collects its output. */
export async function runCommand(
  argv: string[],
  options: { cwd?: string; stdin?: string | Uint8Array; env?: Record<string, string | undefined> } = {},
): Promise<CommandResult> {
  const child = Bun.spawn(argv, {
    cwd: options.cwd ?? ROOT,
    stdin:
      options.stdin === undefined
        ? "ignore"
        : typeof options.stdin === "string"
          ? new TextEncoder().encode(options.stdin)
          : options.stdin,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, stdout, stderr };
}

export const REPO_ROOT = ROOT;

/** Runs `bun src/main.ts <args>` (wfd from source) from the repository root, as runCommand does. */
export async function wfdFromSource(
  args: string[],
  options: { stdin?: Uint8Array; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { exitCode, stdout, stderr } = await runCommand(["bun", "src/main.ts", ...args], {
    cwd: ROOT,
    ...options,
  });
  return { code: exitCode, stdout, stderr };
}
