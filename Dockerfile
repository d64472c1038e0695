# The alloy-ts agent as a container image. Run it as examples/compose/ shows:
# config at /etc/alloy/config.alloy, HTTP on 12345, /var/log and the Docker
# socket mounted read-only.
#
#   docker build -t alloy-ts .
#   docker build --build-arg BASE_IMAGE=<local node image> -t alloy-ts .
#
# BASE_IMAGE must provide node (>= 20.19), npm and /bin/sh, as the official
# node:*-slim images do. Where no registry is reachable, scripts/build-image.sh
# builds with a base made from the machine's own Node, and without network.
ARG BASE_IMAGE=node:22-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /build
# Extra flags for npm (scripts/build-image.sh: --offline, with a filled cache mounted at /root/.npm).
ARG NPM_CI_FLAGS=""
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here, and the
# only install scripts in the tree build optional native add-ons of ssh2, which
# the agent never uses (it talks to Docker over a unix socket).
RUN npm ci --ignore-scripts --no-audit --no-fund ${NPM_CI_FLAGS}
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund ${NPM_CI_FLAGS}

FROM ${BASE_IMAGE}
# The agent's own user. Reading the Docker socket needs the socket's group
# (compose: group_add) or root; see examples/compose/README.md.
ARG ALLOY_UID=473
WORKDIR /opt/alloy-ts
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY ui ./ui
COPY examples/container/config.alloy /etc/alloy/config.alloy
# journalctl, through which loki.source.journal reads the journal: Debian bases get
# systemd's package without recommends; bases without apt-get (the offline one of
# scripts/build-image.sh) go without it, and the component then says journalctl is missing.
RUN if command -v apt-get >/dev/null 2>&1; then \
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null \
      && rm -rf /var/lib/apt/lists/*; \
    fi
# Written straight into passwd/group: works the same on Debian and busybox bases.
RUN ln -s /opt/alloy-ts/bin/alloy-ts /usr/local/bin/alloy-ts \
 && echo "alloy:x:${ALLOY_UID}:${ALLOY_UID}:alloy:/var/lib/alloy:/sbin/nologin" >> /etc/passwd \
 && echo "alloy:x:${ALLOY_UID}:" >> /etc/group \
 && mkdir -p /var/lib/alloy/data \
 && chown -R "${ALLOY_UID}:${ALLOY_UID}" /var/lib/alloy
USER ${ALLOY_UID}:${ALLOY_UID}
EXPOSE 12345
# No curl in the image: the CLI asks /-/ready and /-/healthy itself. When the config's
# http block asks for basic auth, give the health check its credentials through the
# environment (ALLOY_TS_HEALTHCHECK_USERNAME, ALLOY_TS_HEALTHCHECK_PASSWORD) or a mounted
# secret: CMD ["alloy-ts", "healthcheck", "--basic-auth-username=admin",
# "--basic-auth-password-file=/run/secrets/alloy_password"]. The password is never printed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["alloy-ts", "healthcheck"]
ENTRYPOINT ["alloy-ts"]
CMD ["run", "/etc/alloy/config.alloy", "--server.http.listen-addr=0.0.0.0:12345", "--storage.path=/var/lib/alloy/data"]
