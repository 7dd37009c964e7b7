# Lotse server + web client. Build: docker build -t lotse .   Run: see docker-compose.yml
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 and bcrypt may compile from source when no prebuilt binary fits
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Install scripts only for the three packages that need them (npm 10 in this image knows no
# allowScripts, see README "Install scripts"); @scarf/scarf's telemetry never runs.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild bcrypt better-sqlite3 esbuild
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
