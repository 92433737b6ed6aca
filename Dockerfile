# Burnrate collector + query API, for use with a ClickHouse server (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY storage/package.json storage/
COPY instrumentation/package.json instrumentation/
COPY collector/package.json collector/
COPY query-api/package.json query-api/
COPY cli/package.json cli/
RUN npm ci
COPY . .
# The image talks to a ClickHouse server, so the embedded engine (an optional native
# package of about 550 MB) is pruned along with the dev dependencies.
RUN npm run build && npm prune --omit=dev --omit=optional

FROM node:20-bookworm-slim
# The code in /app stays root-owned, out of the server's reach, so what Burnrate writes goes to
# /var/lib/burnrate, owned by node: the spool (spans accepted but not yet stored, replayed on the
# next start) and the embedded data directory (unused with a ClickHouse server, but kept out of
# /app too). Mount a volume there, as docker-compose.yml does, so the spool outlives the container.
ENV NODE_ENV=production \
    BURNRATE_SPOOL_DIR=/var/lib/burnrate/spool \
    BURNRATE_DATA_DIR=/var/lib/burnrate/data
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /var/lib/burnrate/spool /var/lib/burnrate/data && chown -R node:node /var/lib/burnrate
USER node
EXPOSE 4318 4320
CMD ["node", "cli/bin/burnrate.js", "start"]
