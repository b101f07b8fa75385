#!/usr/bin/env bun
import { Builtins, Cli, type Command } from "clipanion";
import packageJson from "../package.json" with { type: "json" };
import { commands } from "./cli/index.ts";

/** Builds the `wfd` command line with every command registered. */
export function buildCli(): Cli {
  const cli = new Cli({ binaryLabel: "wfd", binaryName: "wfd", binaryVersion: packageJson.version });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of commands) cli.register(command);
  return cli;
}

/** Runs `wfd` with these arguments; usage errors exit 2 (DESIGN §9), without a stack. */
export async function main(args: string[]): Promise<number> {
  const cli = buildCli();
  let command: Command;
  try {
    command = cli.process(args.length ? args : ["--help"], Cli.defaultContext);
  } catch (error) {
    process.stderr.write(cli.error(error, { colored: Boolean(process.stderr.isTTY) }));
    return 2;
  }
  return cli.run(command, Cli.defaultContext);
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
