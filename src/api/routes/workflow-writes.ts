import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Context, Hono } from "hono";
import { parseDocument, stringify } from "yaml";
import { WfdError } from "../../core/errors.ts";
import { formatProblem, WORKFLOW_ID_PATTERN } from "../../core/workflow.ts";
import { parseWorkflowFile } from "../../workflows/parse.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { ok } from "../envelope.ts";
import { assertWorkflowAllowed, requireScope } from "../middleware/auth.ts";
import {
  CreateWorkflowJsonBody,
  CreateWorkflowYamlBody,
  hasYaml,
  PatchWorkflowStatusBody,
  PatchWorkflowYamlBody,
} from "../schemas.ts";
import { parseRequest } from "../validate.ts";
import { entryOf, workflowDetail } from "./workflows.ts";

/** Validates a file's content as the registry will; VALIDATION_ERROR listing every problem otherwise. */
function validated(file: string, yaml: string, field: string[]) {
  const { version, problems } = parseWorkflowFile(file, yaml);
  if (!version) {
    throw new WfdError(
      "VALIDATION_ERROR",
      `Invalid workflow: ${problems.length} problem${problems.length === 1 ? "" : "s"}`,
      problems.map((problem) => ({ path: field, message: formatProblem(problem) })),
    );
  }
  return version;
}

/** The id and YAML text of a POST /workflows body. */
function newWorkflowSource(body: unknown): { id: string; yaml: string; field: string[] } {
  if (hasYaml(body)) {
    const parsed = parseRequest(CreateWorkflowYamlBody, body, "request body");
    const declared = parseDocument(parsed.yaml).get("id");
    const id = parsed.id ?? (typeof declared === "string" ? declared : undefined);
    if (!id) {
      throw new WfdError("VALIDATION_ERROR", "Workflow id is required (in the body or as id: in the YAML)", [
        { path: ["id"], message: "is required" },
      ]);
    }
    return { id, yaml: parsed.yaml, field: ["yaml"] };
  }
  const parsed = parseRequest(CreateWorkflowJsonBody, body, "request body");
  return { id: parsed.id, yaml: stringify(parsed), field: [] };
}

async function respondWith(c: Context<ApiEnv>, deps: ApiDeps, id: string, file: string, status: 200 | 201) {
  await deps.registry.refreshFile(file);
  const entry = deps.registry.get(id);
  if (!entry) throw new Error(`workflow ${id} was written to ${file} but did not load`);
  return ok(c, await workflowDetail(c, deps, entry), status);
}

/**
 * Writes workflow files in the workflows directory (POST, PATCH, DELETE). Content is validated
 * first, so an invalid body never reaches the disk; the registry is refreshed before answering.
 */
export function workflowWriteRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const write = requireScope("workflows:write");
  app.post("/workflows", write, async (c) => {
    const { id, yaml, field } = newWorkflowSource(c.get("body"));
    if (!WORKFLOW_ID_PATTERN.test(id)) {
      throw new WfdError("VALIDATION_ERROR", `Invalid workflow id "${id}"`, [
        { path: ["id"], message: `must match ${WORKFLOW_ID_PATTERN}` },
      ]);
    }
    assertWorkflowAllowed(c.get("apiKey"), id);
    const file = `${id}.yaml`;
    const version = validated(file, yaml, field);
    if (version.workflowId !== id) {
      throw new WfdError("VALIDATION_ERROR", `The YAML declares id "${version.workflowId}", not "${id}"`, [
        { path: ["id"], message: `differs from the YAML's id "${version.workflowId}"` },
      ]);
    }
    if (deps.registry.get(id)) throw new WfdError("CONFLICT", `Workflow "${id}" already exists`);
    try {
      await writeFile(join(deps.workflowsDir, file), yaml, { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      throw new WfdError("CONFLICT", `File ${file} already exists in the workflows directory`);
    }
    return respondWith(c, deps, id, file, 201);
  });
  app.patch("/workflows/:id", write, async (c) => {
    const entry = entryOf(c, deps);
    const body = c.get("body");
    const path = join(deps.workflowsDir, entry.file);
    let yaml: string;
    if (hasYaml(body)) yaml = parseRequest(PatchWorkflowYamlBody, body, "request body").yaml;
    else {
      const { status } = parseRequest(PatchWorkflowStatusBody, body, "request body");
      // Only the status key changes; comments, order and formatting of the rest stay as written.
      const doc = parseDocument(await readFile(path, "utf8"));
      doc.set("status", status);
      yaml = doc.toString();
    }
    const version = validated(entry.file, yaml, hasYaml(body) ? ["yaml"] : ["status"]);
    if (version.workflowId !== entry.id) {
      throw new WfdError("VALIDATION_ERROR", `The id of workflow "${entry.id}" cannot be changed`, [
        { path: ["yaml"], message: `declares id "${version.workflowId}"` },
      ]);
    }
    await writeFile(path, yaml);
    return respondWith(c, deps, entry.id, entry.file, 200);
  });
  app.delete("/workflows/:id", write, async (c) => {
    const entry = entryOf(c, deps);
    await unlink(join(deps.workflowsDir, entry.file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await deps.registry.removeFile(entry.file);
    return ok(c, { id: entry.id, deleted: true });
  });
  return app;
}
