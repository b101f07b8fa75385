/** The data a template sees (DESIGN §4). */
export interface TemplateContext {
  input: unknown;
  steps: Record<string, { output: unknown; status: string; error: unknown }>;
  run: { id: string; workflowId: string; createdAt: string; trigger: unknown };
  secrets: Record<string, string>;
  /** Only the variables listed in `wfd.yaml` `env:`. */
  env: Record<string, string>;
}

/**
 * A value whose strings were parsed once. `render` is synchronous and may be called any number of
 * times with different contexts. Rendered values may share structure with the context (an output
 * like `{{ steps.a.output }}` is the same object): treat them as read-only.
 */
export interface CompiledValue {
  render(context: TemplateContext): unknown;
}

/** A compiled `if:`. */
export interface CompiledCondition {
  evaluate(context: TemplateContext): boolean;
}
