# drydock API (and the reference router and dyno manager, with a different command).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
# DATA_DIR in docker-compose.yml: a named volume there starts with this owner.
RUN mkdir -p /var/lib/drydock /var/lib/dyno-manager \
  && chown node:node /var/lib/drydock /var/lib/dyno-manager
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
