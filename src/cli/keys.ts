import { Option } from "clipanion";
import * as v from "valibot";
import { ScopeSchema } from "../daemon/config-schema.ts";
import { CliError, EXIT, WfdCommand } from "./common.ts";

/** `wfd keys create`: a new API key, printed once, with the config lines that admit it. */
export class KeysCreateCommand extends WfdCommand {
  static override paths = [["keys", "create"]];
  static override usage = WfdCommand.Usage({
    description: "Create an API key and print the wfd.yaml lines for it",
    details: `
      The key is printed once and stored nowhere: wfd.yaml keeps only its SHA-256 hash.
    `,
    examples: [
      ["A key for a backend", "wfd keys create --name backend --scopes workflows:execute,runs:read"],
    ],
  });

  name = Option.String("--name", { required: true, description: "Name of the key (shown in runs and logs)" });
  scopes = Option.String("--scopes", "*", { description: "Comma-separated scopes (default: *)" });

  async run(): Promise<number> {
    // wfd.yaml takes any non-empty name; it must only survive being pasted there as one line.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (this.name.trim() === "" || /[\u0000-\u001f\u007f]/.test(this.name)) {
      throw new CliError(
        `--name: expected a non-empty name on one line, got ${JSON.stringify(this.name)}`,
        EXIT.usage,
      );
    }
    if (this.name.includes("${")) {
      throw new CliError(`--name: "\${" would be read as an environment variable in wfd.yaml`, EXIT.usage);
    }
    const scopes = this.scopes
      .split(",")
      .map((scope) => scope.trim())
      .filter(Boolean);
    const unknown = scopes.filter((scope) => !v.is(ScopeSchema, scope));
    if (unknown.length || !scopes.length) {
      throw new CliError(`--scopes: unknown scope "${unknown[0] ?? ""}"`, EXIT.usage);
    }
    const { generateApiKey, hashApiKey } = await import("../api/keys.ts");
    const { stringify } = await import("yaml");
    const key = generateApiKey();
    this.context.stdout.write(
      [
        `API key (shown once; keep it secret): ${key}`,
        "",
        "Add to wfd.yaml:",
        "apiKeys:",
        // Quoted where YAML would read it as something else: 123, true, null, "a: b", "#1".
        `  - name: ${stringify(this.name, { lineWidth: 0 }).trimEnd()}`,
        `    hash: ${hashApiKey(key)}`,
        `    scopes: [${scopes.map((scope) => (scope === "*" ? '"*"' : scope)).join(", ")}]`,
        "",
      ].join("\n"),
    );
    return EXIT.ok;
  }
}
