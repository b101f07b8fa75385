/**
 * Collects one output stream of a process: keeps its text up to a limit and hands each complete
 * line to `onLine` as it arrives.
 */
export class LineCapture {
  private readonly chunks: string[] = [];
  private size = 0;
  private partial = "";
  /** True once the stream produced more than the limit; nothing more is kept or passed on. */
  overflowed = false;

  constructor(
    private readonly limit: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void,
  ) {}

  /** Adds a decoded chunk of the stream. */
  push(chunk: string): void {
    if (this.overflowed) return;
    if (this.size + chunk.length > this.limit) {
      this.overflowed = true;
      this.onOverflow();
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.onLine(line.replace(/\r$/, ""));
  }

  /** Passes on the last line when the stream did not end with a newline. */
  flush(): void {
    if (this.partial !== "" && !this.overflowed) this.onLine(this.partial.replace(/\r$/, ""));
    this.partial = "";
  }

  /** Everything kept so far. */
  text(): string {
    return this.chunks.join("");
  }
}

/**
 * What the store spends on a log row besides its text (ids, timestamp, stream, key); measured at
 * about 84 bytes. Counting it keeps output of many short lines from filling the database.
 */
export const STORED_LINE_COST = 100;

/**
 * Caps what one step attempt stores as log lines: each line costs its length plus
 * STORED_LINE_COST, and once the total passes the limit one system line says so and the rest of
 * the output is not logged (it is still captured and returned, up to its own limit).
 */
export class LogBudget {
  private used = 0;
  private exhausted = false;

  constructor(
    private readonly limit: number,
    private readonly log: (stream: "stdout" | "stderr" | "system", line: string) => void,
  ) {}

  /** Logs the line while the budget lasts. */
  line(stream: "stdout" | "stderr", line: string): void {
    if (this.exhausted) return;
    this.used += line.length + STORED_LINE_COST;
    if (this.used <= this.limit) {
      this.log(stream, line);
      return;
    }
    this.exhausted = true;
    this.log(
      "system",
      `the rest of this attempt's output is not stored in the log: the log of one attempt holds at most ${this.limit} characters, counting ${STORED_LINE_COST} per line`,
    );
  }
}
