# syntax=docker/dockerfile:1
# The akashgen gateway. Build: docker build -t akashgen .   Run: docker run -p 6571:6571 akashgen
# Node 24: the active LTS (supported until April 2028).

# 1. Build: install everything, typecheck, and run `npm run build` (the packages, dist/server.mjs, the playground).
#    --ignore-scripts: the root `prepare` (the same build) would run before the sources are copied.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY client/package.json client/
COPY server/package.json server/
COPY emulator/package.json emulator/
COPY react/package.json react/
COPY examples/react-vite/package.json examples/react-vite/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run build

# 2. Runtime dependencies only: the server's own (fastify, pino, tRPC, zod, superjson, bullmq, ioredis).
#    --legacy-peer-deps: @trpc/server lists typescript as a peer, and npm would otherwise install it (24 MB) even
#    with --omit=dev --omit=peer, because the root's devDependency on typescript makes it neither dev- nor peer-only.
#    msgpackr-extract (bullmq's native msgpack) is the one install script the gateway wants.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY client/package.json client/
COPY server/package.json server/
COPY emulator/package.json emulator/
RUN npm ci --omit=dev --legacy-peer-deps --workspace server --ignore-scripts --no-audit --no-fund \
  && npm rebuild msgpackr-extract \
  && rm -rf node_modules/@akashgen

# 3. The image: tini as PID 1 so SIGTERM reaches Node and the gateway drains gracefully; runs as `node`.
#    The contract is bundled into dist/server.mjs, so no workspace link is needed (removed above).
FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production PORT=6571 HOST=0.0.0.0
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 6571
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||6571)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.mjs"]
