/**
 * The client programs `wfd code` prints: each starts one run over the HTTP API with an API key
 * from WFD_API_KEY (never written into the code), an Idempotency-Key, and prints the run's id and
 * status, or the API's error as one line with a non-zero exit.
 */
import { literal } from "./code-literals.ts";

/** Languages `wfd code --lang` writes, in the order the help lists them. */
export const LANGUAGES = ["curl", "node", "python", "php", "go"] as const;
export type Language = (typeof LANGUAGES)[number];

/** What a snippet calls: the workflow, the full endpoint URL and the example input. */
export interface SnippetRequest {
  /** A valid workflow id (letters, digits, `_`, `-`), so comments can name it as it is. */
  workflowId: string;
  url: string;
  input: unknown;
}

const NO_KEY = "set WFD_API_KEY to an API key with the workflows:execute scope";
const RETRY_NOTE =
  "Use a key of your own (an order id, say): a retry with the same key and input returns the first run instead of starting another.";

/** The program in that language, ending with a newline. */
export function clientSnippet(language: Language, request: SnippetRequest): string {
  return `${WRITERS[language](request).join("\n")}\n`;
}

const WRITERS: Record<Language, (request: SnippetRequest) => string[]> = {
  curl: curlSnippet,
  node: nodeSnippet,
  python: pythonSnippet,
  php: phpSnippet,
  go: goSnippet,
};

/** A word for the shell inside single quotes, where nothing but `'` itself is special. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The request body, pretty-printed JSON. */
function body(request: SnippetRequest): string {
  return JSON.stringify({ input: request.input }, null, 2);
}

function curlSnippet(request: SnippetRequest): string[] {
  return [
    "#!/usr/bin/env bash",
    `# Starts a run of workflow "${request.workflowId}" on wfd and prints its id and status.`,
    "# Needs bash and curl (jq, when installed, picks the id and status out of the answer).",
    "# Run: WFD_API_KEY=wfd_... bash run.sh",
    "set -euo pipefail",
    `: "\${WFD_API_KEY:?${NO_KEY}}"`,
    `# ${RETRY_NOTE}`,
    'IDEMPOTENCY_KEY="${IDEMPOTENCY_KEY:-$(date +%s)-$RANDOM$RANDOM}"',
    "",
    // A quoted here-document passes the JSON byte for byte: no quote, `$` or `\` in it is special,
    // and no line of pretty-printed JSON can be the bare word that ends it.
    `response=$(curl -sS --fail-with-body -X POST ${shellQuote(request.url)} \\`,
    '  -H "Authorization: Bearer $WFD_API_KEY" \\',
    "  -H 'Content-Type: application/json' \\",
    '  -H "Idempotency-Key: $IDEMPOTENCY_KEY" \\',
    "  --data-binary @- <<'JSON'",
    body(request),
    "JSON",
    ') || { echo "wfd: request failed: ${response:-no answer}" >&2; exit 1; }',
    "",
    "if command -v jq >/dev/null; then",
    `  jq -r '.data | "\\(.id) \\(.status)"' <<<"$response"`,
    "else",
    '  echo "$response"',
    "fi",
  ];
}

function nodeSnippet(request: SnippetRequest): string[] {
  return [
    `// Starts a run of workflow "${request.workflowId}" on wfd and prints its id and status.`,
    "// Node.js 20+ (fetch and crypto are built in), no dependencies. Run: WFD_API_KEY=wfd_... node run.js",
    `const url = ${JSON.stringify(request.url)};`,
    "const apiKey = process.env.WFD_API_KEY;",
    "if (!apiKey) {",
    `  console.error(${JSON.stringify(NO_KEY)});`,
    "  process.exit(1);",
    "}",
    `const input = ${JSON.stringify(request.input, null, 2)};`,
    `// ${RETRY_NOTE}`,
    "const idempotencyKey = crypto.randomUUID();",
    "",
    // A function rather than top-level await, so the file runs as CommonJS and as a module.
    "async function main() {",
    "  const response = await fetch(url, {",
    '    method: "POST",',
    "    headers: {",
    "      Authorization: `Bearer ${apiKey}`,",
    '      "Content-Type": "application/json",',
    '      "Idempotency-Key": idempotencyKey,',
    "    },",
    "    body: JSON.stringify({ input }),",
    "  });",
    "  const answer = await response.json().catch(() => null);",
    "  if (!answer?.success) {",
    "    const error = answer?.error ?? { code: `HTTP ${response.status}`, message: response.statusText };",
    "    throw new Error(`${error.code}: ${error.message}`);",
    "  }",
    "  console.log(`${answer.data.id} ${answer.data.status}`);",
    "}",
    "",
    "main().catch((error) => {",
    "  console.error(error.message);",
    "  process.exit(1);",
    "});",
  ];
}

function pythonSnippet(request: SnippetRequest): string[] {
  return [
    "#!/usr/bin/env python3",
    `"""Starts a run of workflow "${request.workflowId}" on wfd and prints its id and status.`,
    "",
    "Python 3.8+, standard library only. Run: WFD_API_KEY=wfd_... python3 run.py",
    '"""',
    "import json",
    "import os",
    "import sys",
    "import urllib.error",
    "import urllib.request",
    "import uuid",
    "",
    `URL = ${JSON.stringify(request.url)}`,
    'API_KEY = os.environ.get("WFD_API_KEY")',
    "if not API_KEY:",
    `    sys.exit(${JSON.stringify(NO_KEY)})`,
    "",
    `INPUT = ${literal(request.input, "python")}`,
    `# ${RETRY_NOTE}`,
    "IDEMPOTENCY_KEY = str(uuid.uuid4())",
    "",
    "request = urllib.request.Request(",
    "    URL,",
    '    data=json.dumps({"input": INPUT}).encode("utf-8"),',
    '    method="POST",',
    "    headers={",
    '        "Authorization": "Bearer " + API_KEY,',
    '        "Content-Type": "application/json",',
    '        "Idempotency-Key": IDEMPOTENCY_KEY,',
    "    },",
    ")",
    "try:",
    "    with urllib.request.urlopen(request, timeout=30) as response:",
    "        answer = json.load(response)",
    "except urllib.error.HTTPError as error:",
    '    text = error.read().decode("utf-8", "replace")',
    "    try:",
    '        problem = json.loads(text)["error"]',
    "    except (ValueError, KeyError, TypeError):",
    '        problem = {"code": "HTTP %d" % error.code, "message": text}',
    '    sys.exit("%s: %s" % (problem["code"], problem["message"]))',
    "except urllib.error.URLError as error:",
    '    sys.exit("cannot reach wfd: %s" % error.reason)',
    'print(answer["data"]["id"], answer["data"]["status"])',
  ];
}

function phpSnippet(request: SnippetRequest): string[] {
  return [
    "<?php",
    `// Starts a run of workflow "${request.workflowId}" on wfd and prints its id and status.`,
    "// PHP 7.4+ with the curl extension. Run: WFD_API_KEY=wfd_... php run.php",
    `$url = ${literal(request.url, "php")};`,
    "$apiKey = getenv('WFD_API_KEY');",
    "if ($apiKey === false || $apiKey === '') {",
    `    fwrite(STDERR, ${literal(NO_KEY, "php")} . "\\n");`,
    "    exit(1);",
    "}",
    `$input = ${literal(request.input, "php")};`,
    `// ${RETRY_NOTE}`,
    "$idempotencyKey = bin2hex(random_bytes(16));",
    "",
    "$curl = curl_init($url);",
    "curl_setopt_array($curl, [",
    "    CURLOPT_POST => true,",
    "    CURLOPT_POSTFIELDS => json_encode(['input' => $input], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE),",
    "    CURLOPT_HTTPHEADER => [",
    "        'Authorization: Bearer ' . $apiKey,",
    "        'Content-Type: application/json',",
    "        'Idempotency-Key: ' . $idempotencyKey,",
    "    ],",
    "    CURLOPT_RETURNTRANSFER => true,",
    "    CURLOPT_TIMEOUT => 30,",
    "]);",
    "$text = curl_exec($curl);",
    "if ($text === false) {",
    "    fwrite(STDERR, 'cannot reach wfd: ' . curl_error($curl) . \"\\n\");",
    "    exit(1);",
    "}",
    "$status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);",
    "$answer = json_decode($text, true);",
    "if (empty($answer['success'])) {",
    "    $error = $answer['error'] ?? ['code' => \"HTTP $status\", 'message' => $text];",
    "    fwrite(STDERR, $error['code'] . ': ' . $error['message'] . \"\\n\");",
    "    exit(1);",
    "}",
    "echo $answer['data']['id'] . ' ' . $answer['data']['status'] . \"\\n\";",
  ];
}

function goSnippet(request: SnippetRequest): string[] {
  return [
    `// Starts a run of workflow "${request.workflowId}" on wfd and prints its id and status.`,
    "// Go 1.18+, standard library only. Run: WFD_API_KEY=wfd_... go run run.go",
    "package main",
    "",
    "import (",
    '\t"bytes"',
    '\t"crypto/rand"',
    '\t"encoding/hex"',
    '\t"encoding/json"',
    '\t"fmt"',
    '\t"net/http"',
    '\t"os"',
    '\t"time"',
    ")",
    "",
    `const url = ${JSON.stringify(request.url)}`,
    "",
    "func main() {",
    '\tapiKey := os.Getenv("WFD_API_KEY")',
    '\tif apiKey == "" {',
    `\t\tfail(${JSON.stringify(NO_KEY)})`,
    "\t}",
    `\tinput := ${literal(request.input, "go", 1)}`,
    `\t// ${RETRY_NOTE}`,
    "\tidempotencyKey := randomKey()",
    "",
    '\tbody, err := json.Marshal(map[string]any{"input": input})',
    "\tif err != nil {",
    "\t\tfail(err.Error())",
    "\t}",
    "\trequest, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))",
    "\tif err != nil {",
    "\t\tfail(err.Error())",
    "\t}",
    '\trequest.Header.Set("Authorization", "Bearer "+apiKey)',
    '\trequest.Header.Set("Content-Type", "application/json")',
    '\trequest.Header.Set("Idempotency-Key", idempotencyKey)',
    "\tclient := &http.Client{Timeout: 30 * time.Second}",
    "\tresponse, err := client.Do(request)",
    "\tif err != nil {",
    '\t\tfail("cannot reach wfd: " + err.Error())',
    "\t}",
    "\tdefer response.Body.Close()",
    "\tvar answer struct {",
    '\t\tSuccess bool `json:"success"`',
    '\t\tData    struct{ ID, Status string } `json:"data"`',
    '\t\tError   struct{ Code, Message string } `json:"error"`',
    "\t}",
    "\tif err := json.NewDecoder(response.Body).Decode(&answer); err != nil {",
    '\t\tfail(fmt.Sprintf("HTTP %d: %v", response.StatusCode, err))',
    "\t}",
    "\tif !answer.Success {",
    '\t\tfail(answer.Error.Code + ": " + answer.Error.Message)',
    "\t}",
    "\tfmt.Println(answer.Data.ID, answer.Data.Status)",
    "}",
    "",
    "func randomKey() string {",
    "\tkey := make([]byte, 16)",
    "\tif _, err := rand.Read(key); err != nil {",
    "\t\tfail(err.Error())",
    "\t}",
    "\treturn hex.EncodeToString(key)",
    "}",
    "",
    "func fail(message string) {",
    "\tfmt.Fprintln(os.Stderr, message)",
    "\tos.Exit(1)",
    "}",
  ];
}
