import { join } from "node:path";
import { Option } from "clipanion";
import { formatProblem, type WorkflowVersion } from "../core/workflow.ts";
import { type Config, loadConfig } from "../daemon/config.ts";
import { didYouMean } from "../workflows/suggest.ts";
import { exampleInput } from "./code-example.ts";
import { clientSnippet, LANGUAGES, type Language } from "./code-snippets.ts";
import { CliError, EXIT, ProjectCommand, paint, readWorkflowsDir } from "./common.ts";
import { displayPath } from "./display-path.ts";

/** `wfd code <id> --lang L`: a ready-to-run client program that starts a run of the workflow. */
export class CodeCommand extends ProjectCommand {
  static override paths = [["code"]];
  static override usage = ProjectCommand.Usage({
    description: "Print ready-to-run client code that starts a run of a workflow over the HTTP API",
    details: `
      The program posts an example input built from the workflow's inputSchema to
      /api/v1/workflows/<id>/run with an Idempotency-Key, reads the API key from WFD_API_KEY (it
      is never written into the code) and prints the run's id and status. The base URL is --url,
      else $WFD_URL, else server.publicUrl from wfd.yaml, else http://localhost:<server.port>.
      Languages: curl (bash), node (fetch), python (urllib), php (curl extension), go (net/http).
      Exit codes: 0 printed, 2 unknown or invalid workflow, or bad usage.
    `,
    examples: [
      ["A curl command for the hello workflow", "wfd code hello --lang curl"],
      [
        "Python against the production URL",
        "wfd code order-created --lang python --url https://wfd.example.com",
      ],
    ],
  });

  workflowId = Option.String({ name: "id" });
  lang = Option.String("--lang", { description: `Language: ${LANGUAGES.join(", ")}` });
  url = Option.String("--url", {
    description: "Base URL of the daemon (default: $WFD_URL, else server.publicUrl, else localhost)",
  });

  async run(): Promise<number> {
    // Checked here rather than by clipanion, whose usage errors span several lines.
    if (this.lang === undefined) {
      throw new CliError(`--lang is required: one of ${LANGUAGES.join(", ")}`, EXIT.usage);
    }
    const language = this.lang.toLowerCase() as Language;
    if (!LANGUAGES.includes(language)) {
      throw new CliError(`--lang: expected one of ${LANGUAGES.join(", ")}, got "${this.lang}"`, EXIT.usage);
    }
    const config = loadConfig(this.overrides());
    const base = baseUrl(
      this.url ?? process.env.WFD_URL,
      this.url !== undefined ? "--url" : "WFD_URL",
      config,
    );
    const version = await this.findWorkflow(config);
    if (version.definition.status !== "active") {
      const note = `workflow "${version.workflowId}" is ${version.definition.status}: the API refuses to run it until its status is active`;
      this.context.stderr.write(`${paint(process.stderr).yellow("warning:")} ${note}\n`);
    }
    this.context.stdout.write(
      clientSnippet(language, {
        workflowId: version.workflowId,
        url: `${base}/api/v1/workflows/${encodeURIComponent(version.workflowId)}/run`,
        input: exampleInput(version.definition.inputSchema),
      }),
    );
    return EXIT.ok;
  }

  /** The workflow as `wfd validate` reads it; unknown or invalid is one line and exit 2. */
  private async findWorkflow(config: Config): Promise<WorkflowVersion> {
    const result = await readWorkflowsDir(config.workflowsDir);
    const version = result.versions.find((v) => v.workflowId === this.workflowId);
    if (version) return version;
    // An invalid file gives no workflow, so its id is only known from the file name.
    const problems = result.problems.filter(
      (p) =>
        p.file
          .replace(/\.ya?ml$/, "")
          .split("/")
          .pop() === this.workflowId,
    );
    const first = problems[0];
    if (first) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more; see wfd validate)` : "";
      throw new CliError(
        `workflow "${this.workflowId}" is invalid: ${formatProblem({ ...first, file: displayPath(join(config.workflowsDir, first.file)) })}${more}`,
        EXIT.usage,
      );
    }
    const known = result.versions.map((v) => v.workflowId);
    throw new CliError(
      `workflow "${this.workflowId}" not found in ${config.workflowsDir}${didYouMean(this.workflowId, known)}`,
      EXIT.usage,
    );
  }
}

/**
 * The daemon's base URL, without a trailing slash: the given one (checked), else the config's
 * publicUrl, else localhost on the configured port. A specific listen address is used as the host
 * instead, since localhost would not reach a daemon bound to another interface.
 */
function baseUrl(given: string | undefined, source: string, config: Config): string {
  if (given !== undefined) {
    const url = URL.parse(given);
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new CliError(`${source}: expected an http or https URL, got "${given}"`, EXIT.usage);
    }
    return url.href.replace(/\/+$/, "");
  }
  if (config.server.publicUrl) return config.server.publicUrl.replace(/\/+$/, "");
  const host = config.server.host;
  const local = ["0.0.0.0", "::", "", "127.0.0.1", "::1", "localhost"].includes(host);
  const name = local ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${config.server.port}`;
}
