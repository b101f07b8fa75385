/**
 * The files `wfd init` writes. Tests load them with the daemon's own config and workflow checks,
 * and check that the values spelled out in wfd.yaml are the defaults, so these texts cannot drift.
 */

/** wfd.yaml: every default spelled out and explained, no secrets, no API keys. */
export const CONFIG_FILE = `# wfd configuration. Every key is optional: the values below are the defaults, spelled out so
# you can see and change them. \${VAR} (or \${VAR:-default}) is replaced by an environment
# variable, which keeps secrets out of this file. Relative paths are relative to this file.

server:
  host: 0.0.0.0            # address to listen on (127.0.0.1: this machine only)
  port: 3000
  bodyLimit: 1mb           # larger request bodies are refused with 413
  # publicUrl: https://wfd.example.com   # the URL callers use, behind a reverse proxy

workflowsDir: ./workflows  # one YAML file per workflow; the daemon reloads it on every change
dataDir: ./.wfd            # wfd.db (runs, steps, logs, versions); keep it out of git
concurrency: 64            # runs executing at once, all workflows together
retention:
  runs: 30d                # finished runs older than this are deleted
idempotency:
  ttl: 24h                 # how long an Idempotency-Key returns the run it started

# API keys. With none listed, the first \`wfd serve\` creates one, prints it once and keeps only
# its hash in the data directory. For keys of your own, run \`wfd keys create --name backend\`
# and paste the lines it prints:
# apiKeys:
#   - name: backend
#     hash: sha256:...
#     scopes: [workflows:execute, runs:read]

# Values templates read as {{ secrets.NAME }}, taken from the environment:
# secrets:
#   BILLING_KEY: \${BILLING_KEY}

store:
  synchronous: FULL        # FULL: each accepted run is on disk before it is answered
  groupCommit: true        # concurrent writes share one transaction
shutdown:
  gracePeriod: 30s         # how long running steps get to finish on SIGTERM
log:
  level: info              # debug | info | warn | error
  format: json             # json (one object per line) | pretty
`;

/** workflows/hello.yaml: runs anywhere bash does, with no input and no network. */
export const HELLO_WORKFLOW = `# A first workflow; its id, hello, is the file name. Try it:
#   wfd run hello                    run it here, in this process
#   wfd run hello --set name=Ada     with an input
#   wfd code hello --lang curl       call it over the HTTP API of \`wfd serve\`
name: Hello
description: Greets someone, to show an input, a template and two steps
inputSchema:
  type: object
  properties:
    name: { type: string, default: world, examples: [Ada] }
steps:
  - id: greet
    type: transform
    config:
      mapping:
        message: "Hello, {{ input.name }}!"
  - id: say
    type: shell
    config:
      # Values reach a script as environment variables, never pasted into it: no shell injection.
      run: echo "$MESSAGE"
      env:
        MESSAGE: "{{ steps.greet.output.message }}"
output:
  message: "{{ steps.greet.output.message }}"
`;

/** The .gitignore line for the data directory named in CONFIG_FILE. */
export const DATA_DIR_IGNORE = ".wfd/";
