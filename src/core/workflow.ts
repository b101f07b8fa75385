/** Step types a workflow may use (DESIGN §5). */
export const STEP_TYPES = ["transform", "http", "shell", "email", "sleep", "workflow", "fail"] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const WORKFLOW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export type WorkflowStatus = "active" | "draft" | "disabled";

export interface RetryPolicy {
  /** Total attempts, including the first. */
  attempts: number;
  delayMs: number;
  backoff: "fixed" | "linear" | "exponential";
  maxDelayMs: number;
}

export interface ApiTrigger {
  type: "api";
}

export interface ScheduleTrigger {
  type: "schedule";
  cron: string;
  timezone: string;
  input?: unknown;
  overlap: "skip" | "allow" | "queue";
  catchUp: "none" | "latest";
}

export interface WebhookTrigger {
  type: "webhook";
  secret?: string;
  signature: "stripe" | "github" | "standard" | "hmac-sha256" | "token";
}

export interface FormField {
  name: string;
  type: string;
  label?: string;
  required?: boolean;
  options?: string[];
}

export interface FormTrigger {
  type: "form";
  fields: FormField[];
}

export type Trigger = ApiTrigger | ScheduleTrigger | WebhookTrigger | FormTrigger;

/** A step after validation: defaults resolved, durations in milliseconds. */
export interface Step {
  id: string;
  name?: string;
  type: StepType;
  /** Resolved: the previous step when `needs` was not given, `[]` for the first step. */
  needs: string[];
  if?: string;
  timeoutMs?: number;
  /** Resolved: the step's own retry, else the workflow's, else one attempt. */
  retry: RetryPolicy;
  continueOnError: boolean;
  /** Name of a connection in wfd.yaml (http steps). */
  connection?: string;
  config: Record<string, unknown>;
}

/**
 * A validated workflow definition. Plain JSON data: it is stored with every version so a run
 * can resume with exactly the definition it pinned.
 */
export interface Workflow {
  id: string;
  name: string;
  description?: string;
  status: WorkflowStatus;
  triggers: Trigger[];
  inputSchema?: Record<string, unknown>;
  concurrency?: number;
  timeoutMs?: number;
  onRestart: "resume" | "fail";
  steps: Step[];
  output?: unknown;
  /** Path of the file relative to the workflows directory, with `/` separators. */
  file: string;
}

/** One distinct content of a workflow file. */
export interface WorkflowVersion {
  workflowId: string;
  /** `sha256:<hex of the file content>`. */
  versionId: string;
  definition: Workflow;
  /** The YAML text the definition came from. */
  source: string;
}

/** One problem found in a workflow file, located in the YAML. */
export interface WorkflowProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Formats a problem as `file:line:col: message`. */
export function formatProblem(problem: WorkflowProblem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`;
}

export const NO_RETRY: RetryPolicy = { attempts: 1, delayMs: 0, backoff: "fixed", maxDelayMs: 0 };
