/**
 * A webhook receiver for bench/webhooks.ts, run as its own process: answers 204 and prints
 * `<webhook-id> <arrival epoch ms>` per request on stdout.
 */
const port = Number(process.argv[2]);
Bun.serve({
  hostname: "127.0.0.1",
  port,
  async fetch(request) {
    await request.arrayBuffer();
    process.stdout.write(`${request.headers.get("webhook-id")} ${Date.now()}\n`);
    return new Response(null, { status: 204 });
  },
});
process.stdout.write("ready\n");
