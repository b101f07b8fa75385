/**
 * The machine's ceilings for issue 7: a raw Bun.serve server with no framework on the same SQLite
 * settings as wfd (WAL, synchronous=FULL), answering only after its commit.
 *
 *   bun run bench/ceiling-server.ts <single|group|completed> <port> <database path>
 *
 * - single: each request's insert commits in its own transaction;
 * - group: inserts of concurrent requests are collected until the next macrotask (setImmediate)
 *   and committed in one BEGIN/COMMIT; each request is answered after that commit;
 * - completed: two group commits per request, like a finished run: insert the run, then record its
 *   step row and result, then answer.
 * GET /readyz answers 200 once the database is open.
 */
import { Database } from "bun:sqlite";

type Mode = "single" | "group" | "completed";

const mode = process.argv[2] as Mode;
const port = Number(process.argv[3]);
const path = process.argv[4];
if (!["single", "group", "completed"].includes(mode) || !port || !path) {
  console.error("usage: bun run bench/ceiling-server.ts <single|group|completed> <port> <db path>");
  process.exit(2);
}

const db = new Database(path, { create: true, strict: true });
db.run("PRAGMA journal_mode = WAL");
db.run("PRAGMA synchronous = FULL");
db.run(`CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, workflow_id TEXT NOT NULL,
  status TEXT NOT NULL, input TEXT, output TEXT, trigger TEXT NOT NULL, created_at TEXT NOT NULL,
  completed_at TEXT)`);
db.run(`CREATE TABLE IF NOT EXISTS run_steps (
  run_id TEXT NOT NULL REFERENCES runs (id), step_id TEXT NOT NULL, status TEXT NOT NULL,
  output TEXT, completed_at TEXT, PRIMARY KEY (run_id, step_id))`);

const insertRun = db.prepare(
  "INSERT INTO runs (id, workflow_id, status, input, trigger, created_at) VALUES ($id, 'bench', 'pending', $input, '{\"type\":\"api\"}', $created)",
);
const insertStep = db.prepare(
  "INSERT INTO run_steps (run_id, step_id, status, output, completed_at) VALUES ($id, 'a', 'completed', $output, $at)",
);
const finishRun = db.prepare(
  "UPDATE runs SET status = 'completed', output = $output, completed_at = $at WHERE id = $id",
);
const begin = db.prepare("BEGIN IMMEDIATE");
const commit = db.prepare("COMMIT");

/** Collects operations until the next macrotask and commits them in one transaction. */
class GroupCommit {
  private jobs: { run: () => void; done: () => void }[] = [];
  private scheduled = false;

  add(run: () => void): Promise<void> {
    return new Promise((done) => {
      this.jobs.push({ run, done });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.jobs;
    this.jobs = [];
    begin.run();
    for (const job of jobs) job.run();
    commit.run();
    for (const job of jobs) job.done();
  }
}

const group = new GroupCommit();
const headers = { "content-type": "application/json" };

async function handle(request: Request): Promise<Response> {
  const body = (await request.json()) as { input?: unknown };
  const id = `run_${Bun.randomUUIDv7()}`;
  const created = new Date().toISOString();
  const input = JSON.stringify(body.input ?? {});
  const insert = () => insertRun.run({ id, input, created });
  if (mode === "single") {
    begin.run();
    insert();
    commit.run();
  } else {
    await group.add(insert);
  }
  if (mode !== "completed") {
    return new Response(
      JSON.stringify({ success: true, data: { id, status: "pending", createdAt: created } }),
      {
        status: 202,
        headers,
      },
    );
  }
  const output = JSON.stringify({ value: body.input ?? null });
  const at = new Date().toISOString();
  await group.add(() => {
    insertStep.run({ id, output, at });
    finishRun.run({ id, output, at });
  });
  const run = { id, status: "completed", input: body.input, output: JSON.parse(output), createdAt: created };
  return new Response(JSON.stringify({ success: true, data: run }), { status: 200, headers });
}

Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(request) {
    if (request.method === "GET") return new Response("ok");
    return handle(request);
  },
});
