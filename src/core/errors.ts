/** Error codes of the HTTP API (DESIGN §7) with their statuses. */
export const API_ERROR_STATUS = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  INVALID_STATUS: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** One problem with a piece of input: where it is and what is wrong. */
export interface ErrorDetail {
  path: (string | number)[];
  message: string;
}

/**
 * The one error type of wfd. It carries a code that knows its HTTP status, and optional
 * details (for VALIDATION_ERROR: one entry per invalid field).
 */
export class WfdError extends Error {
  readonly code: ApiErrorCode;
  readonly details?: ErrorDetail[];

  constructor(code: ApiErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = "WfdError";
    this.code = code;
    if (details) this.details = details;
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}

/** Codes a failed run or step carries in `error.code`. */
export type RunErrorCode =
  | "STEP_FAILED"
  | "HTTP_STATUS"
  | "HTTP_REQUEST_FAILED"
  | "SHELL_EXIT"
  | "SMTP_FAILED"
  | "TIMEOUT"
  | "CANCELLED"
  | "INTERRUPTED"
  | "OUTPUT_TOO_LARGE"
  | "TEMPLATE_ERROR"
  | "INVALID_CONFIG"
  | "FAIL"
  | "INTERNAL_ERROR";

/**
 * An error thrown by a step executor with a run error code. Anything else a step throws is
 * reported as STEP_FAILED with its message.
 */
export class StepError extends Error {
  readonly code: RunErrorCode;
  /** False when retrying cannot help (bad config, template errors). */
  readonly retryable: boolean;

  constructor(code: RunErrorCode, message: string, options: { retryable?: boolean } = {}) {
    super(message);
    this.name = "StepError";
    this.code = code;
    this.retryable = options.retryable ?? true;
  }
}
