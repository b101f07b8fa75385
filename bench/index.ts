/**
 * `bun run bench`: runs every benchmark in its own process, one after the other, so they do not
 * compete for the machine's two cores. Benchmarks are not tests: they print figures.
 */
export {};

const BENCHES = ["bench/store.ts", "bench/run-service.ts", "bench/workflows.ts", "bench/http.ts"];

for (const bench of BENCHES) {
  console.log(`\n## ${bench}`);
  const child = Bun.spawn(["bun", "run", bench], { stdout: "inherit", stderr: "inherit" });
  const code = await child.exited;
  if (code !== 0) {
    console.error(`${bench} failed with exit code ${code}`);
    process.exitCode = 1;
  }
}
