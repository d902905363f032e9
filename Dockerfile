# The gateway image: compiled TypeScript on Node 20, no dev dependencies,
# running as an unprivileged user. DATA_DIR is a volume so the embedded
# database and generated secret survive container restarts.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY routes routes
COPY db db
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3001 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD node -e "fetch('http://127.0.0.1:3001/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8 heap flags (README, "Memory"): the old generation grows to 1.4x the live
# heap instead of up to 4x, and the young generation stays at 2 x 4 MB instead
# of 2 x 16 MB. The live heap is ~30 MB, plus ~44 MB with the session cache
# full, so the 512 MB ceiling is never near; it is what selects the smaller
# growth factor. npm run bench runs exactly this command line.
CMD ["node", "--max-old-space-size=512", "--max-semi-space-size=4", "dist/src/server.js"]
