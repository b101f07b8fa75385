import { constants } from "node:os";
import { Option } from "clipanion";
import { WfdError } from "../core/errors.ts";
import type { Run } from "../core/run.ts";
import { formatProblem } from "../core/workflow.ts";
import { loadConfig } from "../daemon/config.ts";
import { formatDuration } from "../lib/duration.ts";
import { createLogger } from "../lib/logger.ts";
import type { RunService } from "../runs/service.ts";
import { assertWorkflowsDir, CliError, EXIT, formatDetail, ProjectCommand, paint } from "./common.ts";
import { applySets, readInputFile } from "./input.ts";
import { createProgressPrinter } from "./progress.ts";

const EXIT_BY_STATUS: Record<string, number> = {
  completed: EXIT.ok,
  failed: EXIT.failed,
  cancelled: EXIT.cancelled,
};

/**
 * Signals that cancel the run cleanly (shell process groups killed, the run stored cancelled):
 * Ctrl-C, `kill` and a closed terminal. Left to their default, the last two would end wfd at once,
 * orphaning the shell's processes and leaving the run `running` for the next `wfd serve` to redo.
 */
const CANCEL_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type CancelSignal = (typeof CANCEL_SIGNALS)[number];

/** The shell's convention for a process ended by a signal: 130 for SIGINT, 143 SIGTERM, 129 SIGHUP. */
const exitCodeOf = (signal: CancelSignal) => 128 + constants.signals[signal];

/** `wfd run <id>`: runs one workflow in this process and records it in the store (trigger `cli`). */
export class RunCommand extends ProjectCommand {
  static override paths = [["run"]];
  static override usage = ProjectCommand.Usage({
    description: "Run a workflow locally, in this process",
    details: `
      The run is recorded in the data directory like any other (trigger "cli"). Drafts can be run.
      Exit codes: 0 completed, 1 failed, 2 bad input or usage, 130 cancelled by Ctrl-C (SIGINT),
      143 by SIGTERM, 129 by SIGHUP (a closed terminal). A second signal quits at once.
    `,
    examples: [
      ["Run with an input file", "wfd run order-created --input order.json"],
      ["Read the input from stdin", "cat order.json | wfd run order-created --input -"],
      ["Set fields on the command line", "wfd run health-check --set url=https://example.com --json"],
    ],
  });

  workflowId = Option.String({ name: "id" });
  input = Option.String("--input", { description: "JSON input file, or - for standard input" });
  sets = Option.Array("--set", [], {
    description: "key=value set on the input (dotted keys nest; JSON values typed)",
  });
  json = Option.Boolean("--json", false, { description: "Print only the run object as JSON" });

  async run(): Promise<number> {
    const config = loadConfig(this.overrides());
    assertWorkflowsDir(config.workflowsDir);
    const input = applySets(await readInputFile(this.input, this.context.stdin), this.sets);
    const { openServices } = await import("../daemon/services.ts");
    const services = openServices(config, { logger: createLogger({ level: "error", write: () => {} }) });
    try {
      const { problems } = await services.registry.loadAll();
      const version = services.registry.get(this.workflowId);
      if (!version) {
        const related = problems.filter((p) => p.file.replace(/\.ya?ml$/, "").endsWith(this.workflowId));
        for (const problem of related) this.context.stderr.write(`${formatProblem(problem)}\n`);
        throw new CliError(`workflow "${this.workflowId}" not found in ${config.workflowsDir}`, EXIT.usage);
      }
      for (const problem of version.errors) this.context.stderr.write(`warning: ${formatProblem(problem)}\n`);
      const run = await this.createRun(services.runs, input);
      const { finished, signal } = await this.executeRun(services.runs, run);
      this.report(finished);
      if (finished.status === "cancelled" && signal) return exitCodeOf(signal);
      return EXIT_BY_STATUS[finished.status] ?? EXIT.failed;
    } finally {
      await services.email.close();
      await services.store.close();
    }
  }

  private async createRun(runs: RunService, input: unknown): Promise<Run> {
    try {
      const { run } = await runs.create({
        workflowId: this.workflowId,
        input,
        trigger: { type: "cli" },
        allowInactive: true,
      });
      if (!run) throw new CliError("the run was not created");
      return run;
    } catch (error) {
      if (error instanceof WfdError && error.code === "VALIDATION_ERROR") {
        for (const detail of error.details ?? [])
          this.context.stderr.write(`${formatDetail(detail, "input")}\n`);
        throw new CliError("the input does not match the workflow's inputSchema", EXIT.usage);
      }
      throw error;
    }
  }

  /** Runs to the end; the first cancel signal aborts the run, a second one quits at once. */
  private async executeRun(
    runs: RunService,
    run: Run,
  ): Promise<{ finished: Run; signal: CancelSignal | null }> {
    const controller = new AbortController();
    let received: CancelSignal | null = null;
    const onSignal = (signal: CancelSignal) => {
      if (received) process.exit(exitCodeOf(signal));
      received = signal;
      if (signal === "SIGHUP") {
        // The terminal is gone: writing to it fails, and that must not stop the run being stored.
        for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
      } else {
        const again = signal === "SIGINT" ? "Ctrl-C" : signal;
        this.context.stderr.write(`\ncancelling (${again} again to quit at once)\n`);
      }
      controller.abort();
    };
    for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);
    const showProgress = !this.json && Boolean(process.stderr.isTTY);
    const printer = createProgressPrinter(process.stderr);
    const observer = showProgress
      ? {
          stepStarted: async (step: Run["steps"][number]) => printer.started(step),
          stepFinished: async (step: Run["steps"][number]) => printer.finished(step),
          log: printer.log,
        }
      : {};
    try {
      const finished = await runs.runInline(run.id, observer, controller.signal);
      return { finished, signal: received };
    } finally {
      for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
    }
  }

  private report(run: Run): void {
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      return;
    }
    const colour = paint(process.stdout);
    const took = run.durationMs !== null ? ` in ${formatDuration(run.durationMs)}` : "";
    const status = run.status === "completed" ? colour.green(run.status) : colour.red(run.status);
    this.context.stdout.write(`${colour.bold(run.id)} ${status}${took}\n`);
    if (run.error) this.context.stdout.write(`${colour.red(`${run.error.code}:`)} ${run.error.message}\n`);
    if (run.output !== null && run.output !== undefined) {
      this.context.stdout.write(`${JSON.stringify(run.output, null, 2)}\n`);
    }
  }
}
