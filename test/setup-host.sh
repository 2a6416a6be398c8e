#!/usr/bin/env bash
# Installs the Debian packages that the build and the tests use, only if missing.
set -euo pipefail
packages=(gcc libc6-dev make nasm dpkg-dev zlib1g-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static qemu-system-arm xz-utils bzip2 busybox-static
  iproute2 util-linux tzdata tar gzip gnupg openssl containernetworking-plugins iptables
  docker-registry skopeo podman apache2-utils systemd debootstrap systemd-container strace clang-format
  bash zsh fish man-db groff-base)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
