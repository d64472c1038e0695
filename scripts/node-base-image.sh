#!/usr/bin/env bash
# A Node base image made from this machine's own Node runtime, for building the
# alloy-ts image where no container registry is reachable (tests, CI):
#
#   scripts/node-base-image.sh        prints the image name, importing it first if missing
#
# The image holds node and its shared libraries at their host paths, npm,
# and a static busybox for /bin/sh and the usual tools — enough for the
# Dockerfile's build and runtime stages (which expect what node:*-slim has).
# Needs podman, node, npm and /bin/busybox (Debian's busybox-static).
set -euo pipefail

NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$("$NODE_BIN" -p 'process.versions.node')
IMAGE=${NODE_BASE_IMAGE:-localhost/alloy-ts/node-base:$NODE_VERSION}

if podman image exists "$IMAGE"; then
  echo "$IMAGE"
  exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev,usr/bin,usr/local/bin,usr/local/lib/node_modules}
chmod 1777 "$root/tmp"

# node, and each shared library at the path the dynamic loader will look for it;
# all of glibc's core libraries, as native add-ons (snappy) link more of it than node
cp "$NODE_BIN" "$root/usr/local/bin/node"
node_libs=$(ldd "$NODE_BIN" | grep -o '/[^ ]*')
libdir=$(dirname "$(echo "$node_libs" | grep '/libc\.so\.6$')")
for lib in $node_libs "$libdir"/lib{c,m,dl,rt,pthread,resolv,util,anl,nss_files,nss_dns}.so.*; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# npm, as the official images install it
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# /bin/sh and friends; /usr/bin/env for `#!/usr/bin/env node` scripts
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -s /bin/busybox "$root/usr/bin/env"

echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >> "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

tar -C "$root" -c . | podman import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$IMAGE" >/dev/null
echo "$IMAGE"
