# The relay (tether-relay) with the phone app it serves. Build and run:
#   docker build -t tether-relay .
#   docker run -d --name tether -p 8787:8787 -v tether-data:/data \
#     -e TETHER_PUBLIC_URL=https://tether.example.com tether-relay
# Every tether-relay option works as a TETHER_* variable or as arguments after the image name.

FROM node:20-slim AS build
WORKDIR /src
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Then only what runs: the relay bundle keeps its native and optional-heavy packages
# (better-sqlite3, web-push, firebase-admin) in node_modules.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production \
    TETHER_HOST=0.0.0.0 \
    TETHER_PORT=8787 \
    TETHER_DATA_DIR=/data \
    TETHER_LOG_FORMAT=json
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/relay.js /src/dist/relay.js.map ./dist/
COPY --from=build /src/dist/mobile-web ./dist/mobile-web
# The database (devices, sealed events, inboxes, the VAPID keys): keep it, back it up.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8787
# The relay exits 0 on SIGTERM once its clients are told and its database is closed.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["node", "-e", "const s=process.env.TETHER_TLS_CERT?'https':'http';process.env.NODE_TLS_REJECT_UNAUTHORIZED='0';fetch(s+'://127.0.0.1:'+process.env.TETHER_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/relay.js"]
