import { Option } from "clipanion";
import * as t from "typanion";
import { loadConfig } from "../daemon/config.ts";
import { assertWorkflowsDir, CliError, EXIT, ProjectCommand } from "./common.ts";
import { processLogger } from "./logging.ts";

/** `wfd serve`: runs the daemon until SIGTERM or SIGINT. */
export class ServeCommand extends ProjectCommand {
  static override paths = [["serve"]];
  static override usage = ProjectCommand.Usage({
    description: "Run the daemon: watch the workflows directory, run workflows, serve the HTTP API",
    examples: [
      ["Serve ./workflows on port 3000", "wfd serve"],
      ["Serve the examples on another port", "wfd serve --dir workflows.example --port 8080"],
    ],
  });

  host = Option.String("--host", { description: "Address to listen on (default 0.0.0.0)" });
  port = Option.String("--port", {
    description: "Port to listen on (default 3000; 0 picks a free one)",
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(0, 65535)]),
  });
  logFormat = Option.String("--log-format", { description: "json (default) or pretty" });

  async run(): Promise<number> {
    if (this.logFormat && this.logFormat !== "json" && this.logFormat !== "pretty") {
      throw new CliError(`--log-format: expected json or pretty, got "${this.logFormat}"`, EXIT.usage);
    }
    const config = loadConfig(this.overrides());
    assertWorkflowsDir(config.workflowsDir);
    const logger = processLogger(config, this.logFormat);
    const { Daemon } = await import("../daemon/daemon.ts");
    const daemon = new Daemon({
      config,
      logger,
      ...(this.host ? { host: this.host } : {}),
      ...(this.port !== undefined ? { port: this.port } : {}),
    });
    // Listening before start: a signal that arrives while the daemon starts (once it logs that it
    // listens, a supervisor may send one) still ends in a graceful stop, not a kill. The handlers
    // stay: a second signal interrupts running steps at once (their process groups are killed and
    // their runs resume at the next start) instead of killing wfd and orphaning them.
    let received = 0;
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        received++;
        if (received === 1) return resolve(signal);
        logger.warn("signal received again: interrupting running steps now", { signal });
        daemon.interruptNow();
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    });
    await daemon.start();
    const signal = await signalled;
    logger.info("signal received", { signal });
    await daemon.stop();
    return EXIT.ok;
  }
}
