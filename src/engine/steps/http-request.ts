import type { Connection, StepContext } from "../../core/engine.ts";
import {
  describe,
  invalidConfig,
  isPlainObject,
  optionalString,
  requiredString,
  stringMap,
} from "./config.ts";

/**
 * Step headers that still go along when a redirect leaves the request's origin: they describe the
 * body and the wanted answer, never who is asking. Every other header may carry a credential.
 */
const CROSS_ORIGIN_HEADERS = ["accept", "content-type"] as const;

/** Methods whose requests fetch refuses to send with a body. */
const BODYLESS_METHODS = new Set(["GET", "HEAD"]);

/** Everything fetch needs, checked and resolved from the step's rendered config. */
export interface HttpRequestSpec {
  method: string;
  url: URL;
  headers: Headers;
  body: string | URLSearchParams | undefined;
  /**
   * Lower-case names of the headers kept after a redirect to another origin: accept and
   * content-type when the step set them (or wfd did, for json). Connection headers are never kept.
   */
  crossOriginHeaders: ReadonlySet<string>;
  isExpected(status: number): boolean;
}

/** Reads an http step's config into a request; config problems throw INVALID_CONFIG. */
export function buildHttpRequest(context: StepContext): HttpRequestSpec {
  const { config } = context;
  const method = (optionalString(config, "method") ?? "GET").toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw invalidConfig(`config.method "${method}" is not an HTTP method`);
  const connection = pickConnection(context);
  const url = resolveUrl(requiredString(config, "url"), connection);
  appendQuery(url, config.query);
  // Connection headers (credentials) only go to the connection's own origin.
  const headers = new Headers(connection && sameOrigin(url, connection) ? connection.headers : undefined);
  const stepHeaders = stringMap(config, "headers");
  for (const [name, value] of Object.entries(stepHeaders)) headers.set(name, value);
  const stepNames = new Set(Object.keys(stepHeaders).map((name) => name.toLowerCase()));
  const body = readBody(config);
  if (body !== undefined && BODYLESS_METHODS.has(method)) {
    throw invalidConfig(
      `config.${body.key} cannot be sent with a ${method} request (a ${method} request has no body); set config.method, such as POST`,
    );
  }
  if (body?.key === "json" && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
    stepNames.add("content-type");
  }
  return {
    method,
    url,
    headers,
    body: body?.value,
    crossOriginHeaders: new Set(CROSS_ORIGIN_HEADERS.filter((name) => stepNames.has(name))),
    isExpected: parseExpectStatus(config.expectStatus),
  };
}

/** The step's connection target: the run's `connectionId` within the named list, else the first. */
function pickConnection({ step, services, connectionId }: StepContext): Connection | null {
  if (step.connection === undefined) return null;
  const targets = services.connections[step.connection] ?? [];
  const target = targets.find((candidate) => candidate.id === connectionId) ?? targets[0];
  if (!target) throw invalidConfig(`connection "${step.connection}" is not defined in wfd.yaml`);
  return target;
}

function resolveUrl(text: string, connection: Connection | null): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return httpUrl(text, "config.url");
  if (!connection) {
    throw invalidConfig(`config.url "${text}" is not an absolute URL and the step names no connection`);
  }
  const base = connection.baseUrl.replace(/\/+$/, "");
  return httpUrl(`${base}/${text.replace(/^\/+/, "")}`, `connection "${connection.id}" baseUrl`);
}

function httpUrl(text: string, field: string): URL {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || !isHttpUrl(url)) throw invalidConfig(`${field} "${text}" is not an http or https URL`);
  return url;
}

/** True for the only schemes an http step calls, first URL and redirects alike. */
export function isHttpUrl(url: URL): boolean {
  return url.protocol === "http:" || url.protocol === "https:";
}

function sameOrigin(url: URL, connection: Connection): boolean {
  return URL.canParse(connection.baseUrl) && new URL(connection.baseUrl).origin === url.origin;
}

function appendQuery(url: URL, query: unknown): void {
  if (query === undefined || query === null) return;
  if (!isPlainObject(query)) throw invalidConfig(`config.query must be an object, got ${describe(query)}`);
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      url.searchParams.append(name, typeof item === "object" ? JSON.stringify(item) : String(item));
    }
  }
}

/** The body and the config key it came from, or undefined when the step sends none. */
function readBody(
  config: Record<string, unknown>,
): { key: string; value: string | URLSearchParams } | undefined {
  const given = ["json", "body", "form"].filter((key) => config[key] !== undefined);
  if (given.length > 1)
    throw invalidConfig(`config may have only one of json, body and form, got ${given.join(", ")}`);
  if (config.json !== undefined) return { key: "json", value: JSON.stringify(config.json) };
  if (config.form !== undefined)
    return { key: "form", value: new URLSearchParams(stringMap(config, "form")) };
  const body = config.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body !== "string") {
    throw invalidConfig(`config.body must be a string, got ${describe(body)} (use config.json for JSON)`);
  }
  return { key: "body", value: body };
}

/**
 * `expectStatus`: a status, a range such as "200-299" or "2xx", or a non-empty list of those.
 * Default 200-299. The workflow validator (src/workflows/step-config.ts) accepts the same forms.
 */
export function parseExpectStatus(value: unknown): (status: number) => boolean {
  if (value === undefined || value === null) return (status) => status >= 200 && status <= 299;
  // An empty list would fail every answer, whatever the server says: a mistake, not a wish.
  if (Array.isArray(value) && value.length === 0)
    throw invalidConfig("config.expectStatus must not be empty");
  const ranges = (Array.isArray(value) ? value : [value]).map(parseStatusRange);
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

function parseStatusRange(item: unknown): [number, number] {
  const text = typeof item === "number" ? String(item) : typeof item === "string" ? item.trim() : "";
  const single = /^([1-5]\d\d)$/.exec(text);
  if (single) return [Number(single[1]), Number(single[1])];
  const range = /^([1-5]\d\d)\s*-\s*([1-5]\d\d)$/.exec(text);
  if (range && Number(range[1]) <= Number(range[2])) return [Number(range[1]), Number(range[2])];
  const family = /^([1-5])xx$/i.exec(text);
  if (family) return [Number(family[1]) * 100, Number(family[1]) * 100 + 99];
  throw invalidConfig(
    `config.expectStatus must be a status such as 201, a range such as "200-299" or "2xx", or a list of those; got ${describe(item)}`,
  );
}
