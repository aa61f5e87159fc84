# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm workspaces (the SPA and its API client): their manifests must be present for npm ci.
COPY apps/web/package.json ./apps/web/
COPY packages/api-client/package.json ./packages/api-client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
# scripts/ (dev tools) and bench/ stay out of the image; apps/cli holds the operational commands.
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/web/package.json ./apps/web/
COPY packages/api-client/package.json ./packages/api-client/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# UV_THREADPOOL_SIZE must be in the environment before Node starts (libuv reads it once): more
# threads than the bounded argon2 and sharp work, so file reads always find a free one.
ENV NODE_ENV=production STORAGE_DIR=/data/storage UV_THREADPOOL_SIZE=8
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The local storage driver writes here; mount a volume shared by API and worker (or use S3).
RUN mkdir -p /data/storage && chown node:node /data/storage
USER node
EXPOSE 3000
# The same image runs the API (default), the worker or a migration:
#   docker run IMAGE node dist/apps/worker/src/main.js
#   docker run IMAGE node dist/apps/cli/src/migrate.js
CMD ["node", "dist/apps/api/src/main.js"]
