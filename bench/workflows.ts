/**
 * Loading and validating workflow files: `bun run bench/workflows.ts [files]`. Writes N realistic
 * workflow files into a temp directory and times loadWorkflowDir over them (best of 5).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadWorkflowDir } from "../src/workflows/loader.ts";

const FILES = Number(process.argv[2] ?? 1000);
const template = readFileSync(join(import.meta.dir, "../workflows.example/order-created.yaml"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "wfd-bench-flows-"));
for (let i = 0; i < FILES; i++) {
  const folder = join(dir, `team-${i % 10}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, `order-${i}.yaml`),
    template.replace("name: Process Customer Order", `name: Order ${i}`),
  );
}
const timings: number[] = [];
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  const result = await loadWorkflowDir(dir);
  timings.push(performance.now() - started);
  if (result.versions.length !== FILES)
    throw new Error(`expected ${FILES} workflows, got ${result.versions.length}`);
}
rmSync(dir, { recursive: true, force: true });
const best = Math.min(...timings);
console.log(
  `load + validate ${FILES} workflow files: best ${best.toFixed(0)} ms, first ${timings[0]?.toFixed(0)} ms`,
);
console.log(JSON.stringify({ files: FILES, bestMs: Math.round(best), firstMs: Math.round(timings[0] ?? 0) }));
