import { PassThrough, Writable } from "node:stream";
import { Cli } from "clipanion";
import { buildCli } from "../../src/main.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `wfd <args>` in this process, as main() does (a usage error clipanion finds is exit 2),
 * with stdout and stderr captured, from `cwd` when given. Commands colour only a TTY, so the
 * output is plain.
 */
export async function runWfd(args: string[], cwd?: string): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into.push(String(chunk));
        done();
      },
    });
  const stdin = new PassThrough();
  stdin.end();
  const context = { ...Cli.defaultContext, stdin, stdout: sink(out), stderr: sink(err) };
  const cli = buildCli();
  const previous = process.cwd();
  if (cwd) process.chdir(cwd);
  let code: number;
  try {
    code = await cli.run(cli.process(args, context), context);
  } catch (error) {
    err.push(cli.error(error, { colored: false }));
    code = 2;
  } finally {
    process.chdir(previous);
  }
  return { code, stdout: out.join(""), stderr: err.join("") };
}
