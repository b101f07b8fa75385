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
