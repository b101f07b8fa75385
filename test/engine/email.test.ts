import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { EngineServices } from "../../src/core/engine.ts";
import type { Workflow } from "../../src/core/workflow.ts";
import { createEngine } from "../../src/engine/runner.ts";
import { createEmailExecutor, type SmtpSettings } from "../../src/engine/steps/email.ts";
import { createStepRegistry } from "../../src/engine/steps/index.ts";
import { ManualClock } from "../../src/lib/clock.ts";
import {
  deferred,
  failure,
  makeRequest,
  makeServices,
  makeWorkflow,
  RecordingObserver,
  START,
  stepContext,
} from "./helpers.ts";

/** One message as the sink received it: the SMTP envelope and the raw RFC 5322 text. */
interface Received {
  from: string;
  recipients: string[];
  raw: string;
}

const PASSWORD = "s3cret-Pa55";
const received: Received[] = [];
let connections = 0;
let stalled = deferred();
let sink: SMTPServer;
let port: number;

beforeAll(async () => {
  sink = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username === "wfd" && auth.password === PASSWORD) return callback(null, { user: "wfd" });
      // A careless server that echoes the credentials: wfd must still not show them.
      callback(smtpError(535, `bad credentials ${auth.username}:${auth.password}`));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith("@reject.test")) return callback(smtpError(550, "mailbox unavailable"));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        // Never answered: the sender waits until it gives up or is aborted.
        if (raw.includes("Subject: stall")) return stalled.resolve();
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        received.push({ from, recipients: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((done) => sink.listen(0, "127.0.0.1", done));
  port = (sink.server.address() as AddressInfo).port;
});

const executors: Array<ReturnType<typeof createEmailExecutor>> = [];

/** A fresh executor, closed after the test, so pooled connections never outlive it. */
function newExecutor() {
  const executor = createEmailExecutor();
  executors.push(executor);
  return executor;
}

afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.close()));
  received.length = 0;
});

afterAll(() => new Promise<void>((done) => sink.close(done)));

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

const smtp = (extra: Partial<SmtpSettings> = {}): SmtpSettings => ({
  url: `smtp://127.0.0.1:${port}`,
  from: "wfd <wfd@example.test>",
  ...extra,
});

/** Sends with one executor call, outside the engine. */
function send(config: Record<string, unknown>, services: Partial<EngineServices> = { smtp: smtp() }) {
  const context = stepContext({ id: "mail", type: "email" }, config, {
    services: makeServices(new ManualClock(START), services),
  });
  return newExecutor().execute(context);
}

/** Runs a workflow through the engine with the real step registry and an smtp section. */
function runThroughEngine(workflow: Workflow, input: unknown, services: Partial<EngineServices>) {
  const observer = new RecordingObserver();
  const engine = createEngine({
    registry: createStepRegistry({ email: newExecutor() }),
    services: makeServices(new ManualClock(START), services),
  });
  return { observer, outcome: engine.execute(makeRequest(workflow, { input, observer })) };
}

/** A minimal valid config. */
const BASIC = { to: "a@example.test", subject: "Hi", text: "x" };

/** A workflow of one email step with three attempts and no delay between them. */
const retriedEmail = (config: Record<string, unknown>) =>
  makeWorkflow([
    {
      id: "mail",
      type: "email",
      retry: { attempts: 3, delayMs: 0, backoff: "fixed", maxDelayMs: 0 },
      config,
    },
  ]);

describe("email step", () => {
  test("to, subject, text and html render from the input and earlier steps, end to end", async () => {
    const workflow = makeWorkflow([
      { id: "invoice", config: { mapping: { number: "INV-{{ input.order }}", total: 42 } } },
      {
        id: "confirm",
        type: "email",
        config: {
          to: "{{ input.customer }}",
          subject: "Order confirmed - invoice {{ steps.invoice.output.number }}",
          text: "Total: {{ steps.invoice.output.total }}",
          html: "<p>Total: <b>{{ steps.invoice.output.total }}</b></p>",
        },
      },
    ]);
    const { outcome } = runThroughEngine(
      workflow,
      { customer: "ada@example.test", order: 7 },
      { smtp: smtp() },
    );
    const result = await outcome;
    expect(result.status).toBe("completed");
    const output = result.steps[1]?.output as { messageId: string; accepted: string[]; rejected: string[] };
    expect(output).toEqual({
      messageId: expect.stringMatching(/^<.+@.+>$/),
      accepted: ["ada@example.test"],
      rejected: [],
    });
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail?.from).toBe("wfd@example.test"); // smtp.from is the default sender
    expect(mail?.recipients).toEqual(["ada@example.test"]);
    expect(mail?.raw).toContain("Subject: Order confirmed - invoice INV-7");
    expect(mail?.raw).toContain("To: ada@example.test");
    expect(mail?.raw).toContain("From: wfd <wfd@example.test>");
    expect(mail?.raw).toContain("Total: 42");
    expect(mail?.raw).toContain("<p>Total: <b>42</b></p>");
    expect(mail?.raw).toContain(`Message-ID: ${output.messageId}`);
  });

  test("cc and bcc take a string or a list; bcc is in the envelope, not the headers", async () => {
    const output = await send({
      to: ["a@example.test", "b@example.test"],
      cc: "c@example.test",
      bcc: ["hidden@example.test"],
      from: "Shop <shop@example.test>",
      subject: "Hi",
      text: "Hello",
    });
    expect(output).toMatchObject({
      accepted: ["a@example.test", "b@example.test", "c@example.test", "hidden@example.test"],
      rejected: [],
    });
    const [mail] = received;
    expect(mail?.from).toBe("shop@example.test");
    expect(mail?.raw).toContain("To: a@example.test, b@example.test");
    expect(mail?.raw).toContain("Cc: c@example.test");
    expect(mail?.raw).not.toContain("hidden@example.test");
    expect(mail?.recipients).toContain("hidden@example.test");
  });

  test("a recipient the server rejects while others are accepted is listed in rejected", async () => {
    const output = await send({ to: ["ok@example.test", "gone@reject.test"], subject: "Hi", html: "<p/>" });
    expect(output).toMatchObject({ accepted: ["ok@example.test"], rejected: ["gone@reject.test"] });
  });

  test("one pooled connection serves consecutive steps", async () => {
    const executor = newExecutor();
    const services = makeServices(new ManualClock(START), { smtp: smtp() });
    const before = connections;
    for (const subject of ["one", "two", "three"]) {
      await executor.execute(
        stepContext(
          { id: "mail", type: "email" },
          { to: "a@example.test", subject, text: "x" },
          { services },
        ),
      );
    }
    expect(connections - before).toBe(1);
    expect(received.map((mail) => mail.raw.match(/Subject: (\w+)/)?.[1])).toEqual(["one", "two", "three"]);
  });

  test("a rejected recipient is retried per retry, then fails the run with a clear message", async () => {
    const workflow = retriedEmail({ ...BASIC, to: "nobody@reject.test" });
    const { observer, outcome } = runThroughEngine(workflow, {}, { smtp: smtp() });
    const result = await outcome;
    expect(result.status).toBe("failed");
    expect(result.steps[0]).toMatchObject({ status: "failed", attempts: 3 });
    expect(result.error).toEqual({
      code: "SMTP_FAILED",
      message: `smtp://127.0.0.1:${port}: recipient rejected: 550 mailbox unavailable`,
      step: "mail",
    });
    expect(observer.events.filter((event) => event.kind === "retrying")).toHaveLength(2);
  });

  test("a closed port is a retryable SMTP_FAILED naming the server", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response() });
    const closedPort = closed.port;
    await closed.stop(true);
    const error = await failure(send(BASIC, { smtp: smtp({ url: `smtp://127.0.0.1:${closedPort}` }) }));
    expect(error.code).toBe("SMTP_FAILED");
    expect(error.retryable).toBe(true);
    expect(error.message).toStartWith(`smtp://127.0.0.1:${closedPort}: `);
    expect(error.message).toContain("ECONNREFUSED");
  });

  test("the smtp password never appears in the error, even when the server echoes it", async () => {
    const url = `smtp://wfd:${encodeURIComponent(`${PASSWORD}x`)}@127.0.0.1:${port}`;
    const config = { ...BASIC, from: "a@example.test" };
    const error = await failure(send(config, { smtp: { url } }));
    expect(error.code).toBe("SMTP_FAILED");
    expect(error.message).toStartWith(`smtp://127.0.0.1:${port}: login failed: 535`);
    expect(error.message).not.toContain(PASSWORD);
    // The right password logs in and sends.
    const ok = `smtp://wfd:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`;
    await send(config, { smtp: { url: ok } });
    expect(received).toHaveLength(1);
  });

  test("cancel aborts a send the server stalls, with the signal's reason", async () => {
    stalled = deferred();
    const controller = new AbortController();
    const context = stepContext(
      { id: "mail", type: "email" },
      { to: "a@example.test", subject: "stall", text: "x" },
      {
        signal: controller.signal,
        services: makeServices(new ManualClock(START), { smtp: smtp() }),
      },
    );
    const sending = newExecutor().execute(context);
    await stalled.promise;
    const reason = new Error("run cancelled");
    controller.abort(reason);
    expect(await failure(sending)).toBe(reason as never);
  });
});

describe("email step config", () => {
  test("without smtp in wfd.yaml the step fails with INVALID_CONFIG, not retried", async () => {
    const workflow = retriedEmail(BASIC);
    const result = await runThroughEngine(workflow, {}, {}).outcome;
    expect(result.error).toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining("email step needs smtp in wfd.yaml"),
    });
    expect(result.steps[0]?.attempts).toBe(1);
  });

  test("a sender is required: config.from or smtp.from", async () => {
    const error = await failure(send(BASIC, { smtp: smtp({ from: undefined }) }));
    expect(error).toMatchObject({ code: "INVALID_CONFIG", retryable: false });
    expect(error.message).toContain("config.from, or smtp.from in wfd.yaml");
  });

  test("text or html is required, and addresses must be strings", async () => {
    const noBody = await failure(send({ ...BASIC, text: undefined }));
    expect(noBody).toMatchObject({
      code: "INVALID_CONFIG",
      message: "email step needs config.text or config.html (or both)",
    });
    const noTo = await failure(send({ ...BASIC, to: null }));
    expect(noTo.message).toContain("config.to is required");
    const badCc = await failure(send({ ...BASIC, cc: ["b@example.test", 5] }));
    expect(badCc.message).toBe("config.cc[1] must be an email address, got number 5");
    expect(received).toHaveLength(0);
  });
});
