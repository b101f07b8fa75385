/**
 * Bounds for one template string or one rendered value. Legitimate templates stay far below them;
 * they exist so that a hostile or careless template fails fast instead of hanging a run or the daemon.
 */
export const TEMPLATE_LIMITS = {
  /** Characters of template text parsed in one call. */
  parseLength: 1_000_000,
  /** Wall time of one render of a compiled value (all of its strings together). */
  renderMs: 1_000,
  /** Liquid's allocation budget (characters and array items created) for one render of a compiled value. */
  memory: 32_000_000,
  /** Characters of one `map` expression. */
  expressionLength: 1_000,
} as const;
