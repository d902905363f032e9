# The gateway image: compiled TypeScript on Node 24 (the active LTS; Node 20
# reached end of life in April 2026), no dev dependencies,
# running as an unprivileged user. DATA_DIR is a volume so the embedded
# database and generated secret survive container restarts.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY routes routes
COPY db db
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3001 DATA_DIR=/data
# glibc gives each thread that allocates (V8's compiler and GC helpers, libuv's
# pool, the hashing workers) its own malloc arena, and what is freed there
# stays resident. On Node 24, two arenas measured 149-150 MB under proxied
# load against 154-159 MB (Postgres), and with PGlite 231-271 MB where the
# default gave 674-731 MB in two of three starts (V8 compiling PGlite's WASM
# in the background). No measurable effect on Node 20. npm run bench runs
# the gateway with this setting too (docs/operations.md, "Runtime and memory").
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:3001/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# --max-old-space-size=512 (docs/operations.md, "Runtime and memory"): with a ceiling below V8's
# default the old generation grows to 1.4x the live heap between full
# collections instead of 4x. The live heap is ~30 MB, plus ~44 MB with the
# session cache full, so 512 MB is never near. --max-semi-space-size=8: Node
# 24's V8 sizes the young generation far larger than Node 20's did (RSS under
# load 275 MB with its default, 160-180 MB with 8 MB semi-spaces, at no
# measurable CPU cost per request). npm run bench runs exactly this command
# line (BENCH_NODE picks the runtime).
CMD ["node", "--max-old-space-size=512", "--max-semi-space-size=8", "dist/src/server.js"]
