# syntax=docker/dockerfile:1
# Build stage: compile wfd into one self-contained executable.
FROM oven/bun:1.4.5 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY tsconfig.json ./
COPY src ./src
RUN bun build --compile --minify --sourcemap --bytecode --format=esm src/main.ts --outfile /out/wfd && /out/wfd --version

# Final stage: the binary on a slim glibc base. bash and CA certificates stay because shell
# steps run `bash -c` and http steps call HTTPS endpoints; tini runs as PID 1 so the process
# groups of cancelled shell steps are reaped.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home wfd \
 && mkdir -p /data /workflows \
 && chown wfd:wfd /data
COPY --from=build /out/wfd /usr/local/bin/wfd
USER wfd
WORKDIR /data
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/wfd", "health", "--url", "http://127.0.0.1:3000/healthz"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/wfd"]
CMD ["serve", "--dir", "/workflows", "--data", "/data", "--host", "0.0.0.0", "--port", "3000"]
