#!/usr/bin/env bash
# Builds the alloy-ts image with podman where no container registry is
# reachable (tests, CI); with a registry, a plain `docker build .` does.
#
#   scripts/build-image.sh [TAG]      default TAG: localhost/alloy-ts:dev
#
# - Base: $BASE_IMAGE if set, else a Node image made from this machine's Node
#   (scripts/node-base-image.sh).
# - Dependencies: the build runs without network (--network none); npm ci in
#   the image reads an npm cache that the host's npm fills from the lockfile
#   (through the npm registry, once per lockfile), mounted at /root/.npm.
# Needs podman configured as scripts/test-services.sh leaves it (its
# containers.conf is used when present).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
TAG=${1:-localhost/alloy-ts:dev}
STATE=${ALLOY_TS_SERVICES_DIR:-/tmp/alloy-ts-services}
CACHE="$STATE/npm-cache"
if [ -z "${CONTAINERS_CONF:-}" ] && [ -f "$STATE/containers.conf" ]; then
  export CONTAINERS_CONF="$STATE/containers.conf"
fi

# Fills $CACHE with every package of the lockfile, unless it has them already.
fill_npm_cache() {
  local stamp stage
  stamp=$(sha256sum "$REPO/package-lock.json" | cut -c1-16)
  [ -f "$CACHE/.filled-$stamp" ] && return 0
  stage=$(mktemp -d)
  cp "$REPO/package.json" "$REPO/package-lock.json" "$stage/"
  (cd "$stage" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --cache "$CACHE" >/dev/null 2>&1) || {
    rm -rf "$stage"
    echo "build-image: npm could not fill its cache from package-lock.json" >&2
    return 1
  }
  rm -rf "$stage"
  touch "$CACHE/.filled-$stamp"
}

mkdir -p "$CACHE"
base=${BASE_IMAGE:-$("$REPO/scripts/node-base-image.sh")}
fill_npm_cache
# --format docker keeps HEALTHCHECK (the OCI image format has no field for it).
podman build --quiet --format docker --network none \
  --volume "$CACHE:/root/.npm" \
  --build-arg "BASE_IMAGE=$base" --build-arg NPM_CI_FLAGS=--offline \
  --tag "$TAG" "$REPO" >/dev/null
echo "$TAG"
