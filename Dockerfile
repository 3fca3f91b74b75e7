# syntax=docker/dockerfile:1
# The akashgen gateway. Build: docker build -t akashgen .   Run: docker run -p 6571:6571 akashgen

# 1. Build: install everything, typecheck, and bundle server/main.ts into dist/server.mjs.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY client/package.json client/
COPY server/package.json server/
COPY emulator/package.json emulator/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run build

# 2. Runtime dependencies only: the gateway's own (fastify, pino, tRPC, zod, superjson), no dev tools, no sharp.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY client/package.json client/
COPY server/package.json server/
COPY emulator/package.json emulator/
RUN npm ci --omit=dev --workspace server --no-audit --no-fund

# 3. The image: tini as PID 1 so SIGTERM reaches Node and the gateway drains gracefully; runs as `node`.
FROM node:22-bookworm-slim
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
