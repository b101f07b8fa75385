import { type ChildProcess, spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { StepContext, StepExecutor } from "../../core/engine.ts";
import { StepError } from "../../core/errors.ts";
import { MAX_OUTPUT_CHARS } from "../failures.ts";
import { describe, invalidConfig, optionalString, stringMap } from "./config.ts";
import { LineCapture, LogBudget } from "./line-capture.ts";
import { isGroupAlive, terminateGroup } from "./process-group.ts";

/** Options of the shell step type. */
export interface ShellOptions {
  /** Time between SIGTERM and SIGKILL when a step is cancelled or times out. Default 5 s. */
  killGraceMs?: number;
  /** Characters of stdout (and of stderr) kept; more fails the step with OUTPUT_TOO_LARGE. Default 1 MiB. */
  maxCaptureChars?: number;
}

/** What a shell step returns (unless `parse: json`). */
export interface ShellOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

interface ShellCommand {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  parseJson: boolean;
}

interface CapturedOutput {
  stdout: LineCapture;
  stderr: LineCapture;
  limit: number;
  mask: (text: string) => string;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Creates the `shell` step type. Each step runs in its own process group, so cancel and timeouts
 * stop the whole tree; when the command exits, anything it left running in its group is stopped too:
 * a step owns its processes, and a long-lived daemon must not collect strays.
 */
export function createShellExecutor(options: ShellOptions = {}): StepExecutor {
  const graceMs = options.killGraceMs ?? 5000;
  const limit = options.maxCaptureChars ?? MAX_OUTPUT_CHARS;
  return {
    type: "shell",
    async execute(context) {
      const command = readCommand(context);
      await checkDirectory(command.cwd);
      if (context.signal.aborted) throw context.signal.reason;
      return runCommand(context, command, graceMs, limit);
    },
  };
}

function readCommand({ config, services }: StepContext): ShellCommand {
  const script = optionalString(config, "run");
  const argv = config.command;
  if ((script === undefined) === (argv === undefined || argv === null)) {
    throw invalidConfig(
      "shell needs exactly one of config.run (a script) and config.command (a list of arguments)",
    );
  }
  const parse = optionalString(config, "parse");
  if (parse !== undefined && parse !== "json")
    throw invalidConfig(`config.parse must be "json", got "${parse}"`);
  const cwd = resolve(services.workflowsDir, optionalString(config, "cwd") ?? ".");
  const env = { ...process.env, ...stringMap(config, "env") };
  if (script !== undefined)
    return { file: "bash", args: ["-c", script], cwd, env, parseJson: parse === "json" };
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((item) => typeof item === "object")) {
    throw invalidConfig(`config.command must be a non-empty list of strings, got ${describe(argv)}`);
  }
  const [file, ...args] = argv.map(String);
  return { file: file as string, args, cwd, env, parseJson: parse === "json" };
}

async function checkDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => null);
  if (!info?.isDirectory()) throw invalidConfig(`config.cwd "${cwd}" is not an existing directory`);
}

async function runCommand(context: StepContext, command: ShellCommand, graceMs: number, limit: number) {
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: command.env,
    detached: true, // its own process group: signals to -pid reach every process it starts
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stopping: Promise<void> | null = null;
  const stop = () => {
    if (child.pid !== undefined) stopping ??= terminateGroup(child.pid, graceMs);
  };
  const budget = new LogBudget(limit, context.log);
  const stdout = capture(child, "stdout", budget, limit, stop);
  const stderr = capture(child, "stderr", budget, limit, stop);
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  context.signal.addEventListener("abort", stop, { once: true });
  let exit: Exit;
  try {
    exit = await waitForExit(child, command.file);
    if (!stopping && child.pid !== undefined && isGroupAlive(child.pid)) stop();
    await stopping;
    await closed;
  } finally {
    context.signal.removeEventListener("abort", stop);
  }
  stdout.flush();
  stderr.flush();
  if (context.signal.aborted) throw context.signal.reason;
  return commandResult(command, exit, { stdout, stderr, limit, mask: context.mask });
}

function capture(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  budget: LogBudget,
  limit: number,
  stop: () => void,
): LineCapture {
  const lines = new LineCapture(limit, (line) => budget.line(stream, line), stop);
  const source = child[stream];
  source?.setEncoding("utf8");
  source?.on("data", (chunk: string) => lines.push(chunk));
  return lines;
}

function waitForExit(child: ChildProcess, file: string): Promise<Exit> {
  return new Promise((done, fail) => {
    child.once("exit", (code, signal) => done({ code, signal }));
    child.once("error", (error) => {
      fail(new StepError("STEP_FAILED", `cannot start "${file}": ${error.message}`, { retryable: false }));
    });
  });
}

function commandResult(
  command: ShellCommand,
  exit: Exit,
  { stdout, stderr, limit, mask }: CapturedOutput,
): unknown {
  if (stdout.overflowed || stderr.overflowed) {
    const which = stdout.overflowed ? "stdout" : "stderr";
    throw new StepError("OUTPUT_TOO_LARGE", `the command wrote more than ${limit} characters to ${which}`, {
      retryable: false,
    });
  }
  if (exit.code !== 0) {
    const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    // Masked before it is cut: cut first, a secret at the cut would leak its start.
    const lastLine = lastNonEmptyLine(mask(stderr.text()));
    throw new StepError("SHELL_EXIT", `command ${how}${lastLine ? `: ${lastLine}` : ""}`);
  }
  const output: ShellOutput = { exitCode: 0, stdout: stdout.text(), stderr: stderr.text() };
  if (!command.parseJson) return output;
  try {
    return JSON.parse(output.stdout);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StepError("STEP_FAILED", `stdout is not valid JSON (parse: json): ${why}`, {
      retryable: false,
    });
  }
}

function lastNonEmptyLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const last = (lines.at(-1) ?? "").trim();
  return last.length > 500 ? `${last.slice(0, 497)}...` : last;
}
