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
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app ./
USER node
EXPOSE 4318 4320
CMD ["node", "cli/bin/burnrate.js", "start"]
