#!/usr/bin/env bun
import { Builtins, Cli, type Command } from "clipanion";
import packageJson from "../package.json" with { type: "json" };
import { EXIT, paint } from "./cli/common.ts";
import { commands } from "./cli/index.ts";

/**
 * Builds the `wfd` command line with every command registered. Help is coloured only when
 * `coloured` says so: clipanion's own default asks Bun's tty module, which answers for a pipe too.
 */
export function buildCli(coloured = false): Cli {
  const cli = new Cli({
    binaryLabel: "wfd",
    binaryName: "wfd",
    binaryVersion: packageJson.version,
    enableColors: coloured,
  });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of commands) cli.register(command);
  return cli;
}

/** Runs `wfd` with these arguments; usage errors are one line on stderr and exit 2 (DESIGN §9). */
export async function main(args: string[]): Promise<number> {
  const coloured = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const cli = buildCli(coloured);
  const context = { ...Cli.defaultContext, colorDepth: coloured ? 8 : 1 };
  let command: Command;
  try {
    command = cli.process(args.length ? args : ["--help"], context);
  } catch (error) {
    process.stderr.write(`${paint(process.stderr).red("error:")} ${usageProblem(error, cli, args)}\n`);
    return EXIT.usage;
  }
  return cli.run(command, context);
}

interface Candidate {
  usage: string;
  reason: string | null;
}

/**
 * One line for a command line clipanion could not read: the command, what is wrong and its usage.
 * Clipanion's own text spans several lines and lists usages with `#0` placeholders.
 */
function usageProblem(error: unknown, cli: Cli, args: string[]): string {
  const candidates = (error as { candidates?: Candidate[] }).candidates;
  if (!candidates?.length) {
    // An option's validator refused its value (`serve --port abc`), or the line is ambiguous.
    const name = (error as Error)?.name;
    const message =
      name === "AmbiguousSyntaxError" ? "ambiguous command line" : String((error as Error)?.message);
    const command = commandOf(cli, args);
    const first = message.split("\n")[0]?.replace(/^[A-Z](?=[a-z])/, (letter) => letter.toLowerCase());
    return command ? `${command}: ${first} (see wfd ${command} --help)` : `${first} (see wfd --help)`;
  }
  const input = ((error as { input?: string[] }).input ?? []).filter((token) => token !== "\u0000");
  const paths = new Set(candidates.map((candidate) => commandPath(candidate.usage)));
  const [path] = paths;
  const words = input.filter((token) => !token.startsWith("-"));
  if (!words.length) return `unknown option ${input[0] ?? ""} (see wfd --help)`;
  if (paths.size > 1 || path === undefined) return `unknown command "${words.join(" ")}" (see wfd --help)`;
  if (!isPrefix(path.split(" "), words))
    return `unknown command "${words.join(" ")}" (did you mean wfd ${path}?)`;
  const usage = readableUsage((candidates[0] as Candidate).usage);
  return `${path}: ${reasonOf(candidates[0] as Candidate, input)} (usage: ${usage})`;
}

/** The registered command the arguments name, like `keys create`; undefined when none does. */
function commandOf(cli: Cli, args: string[]): string | undefined {
  const paths = cli
    .definitions()
    .map((definition) => definition.path.split(" ").slice(1))
    .filter((path) => path.length > 0 && isPrefix(path, args))
    .sort((a, b) => b.length - a.length);
  return paths[0]?.join(" ");
}

/** What the candidate's error means, worded for people; null reasons are missing required options. */
function reasonOf(candidate: Candidate, input: string[]): string {
  const reason = candidate.reason ?? "";
  const quoted = /\("(.*)"\)\.$/.exec(reason)?.[1];
  if (reason.startsWith("Unsupported option name")) return `unknown option ${quoted}`;
  if (reason.startsWith("Invalid option name")) return `invalid option ${quoted}`;
  if (reason.startsWith("Extraneous positional argument")) return `unexpected argument "${quoted}"`;
  if (reason.startsWith("Not enough positional arguments")) {
    const positionals = candidate.usage.match(/<[^->][^>]*>/g) ?? [];
    return `missing ${positionals.join(" ") || "argument"}`;
  }
  const needsValue = /^Not enough arguments to option (\S+)\.$/.exec(reason);
  if (needsValue) return `${needsValue[1]} needs a value`;
  if (reason) return reason.replace(/\.$/, "");
  const required = [...candidate.usage.matchAll(/<(--[^ >]+)/g)].map((match) => match[1] as string);
  const missing = required.filter((option) => !input.some((token) => token.split("=")[0] === option));
  return missing.length ? `${missing.join(", ")} is required` : "incomplete command";
}

/** `wfd keys create <--name #0> [--scopes #0]` → `keys create`. */
function commandPath(usage: string): string {
  const words = usage.split(" ").slice(1);
  const end = words.findIndex((word) => /^[[<-]/.test(word));
  return words.slice(0, end === -1 ? undefined : end).join(" ");
}

/** Clipanion's usage with a named placeholder per option: `wfd keys create --name NAME [--scopes SCOPES]`. */
function readableUsage(usage: string): string {
  return usage
    .replace(
      /(--([a-z-]+))(?:,-\w)? #0/g,
      (_all, option: string, name: string) => `${option} ${name.toUpperCase()}`,
    )
    .replace(/<(--[^>]+)>/g, "$1");
}

function isPrefix(prefix: string[], words: string[]): boolean {
  return prefix.every((word, index) => words[index] === word);
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
