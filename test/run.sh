#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian machine,
# builds dist/, runs every test as root, and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash test/setup-host.sh || { echo "0 passed, 1 failed"; exit 1; }
npm ci --no-audit --no-fund || { echo "0 passed, 1 failed"; exit 1; }
node_modules/.bin/bun build.ts || { echo "0 passed, 1 failed"; exit 1; }
# Debian 11's libc6, an arm64 kernel and a Debian 12 tree with systemd, fetched with apt and
# debootstrap once (the tests have no network).
node_modules/.bin/bun test/support/test-assets.ts

log=$(mktemp)
# The tests run in a network namespace of their own with only loopback up, so no packet
# of theirs can leave this host whatever a test (or a DNS lookup in one) tries.
# End-to-end tests and their setup hooks start real pods, registries and servers: give each
# room on a loaded 2-core machine (bun's default is 5 s).
unshare --net bash -c 'ip link set lo up && exec node_modules/.bin/bun test --timeout 120000 "$@"' bash "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
if [ "$failed" -gt 0 ]; then
  # bun prints a test's error above its "(fail)" line, far from the end of a long log:
  # repeat each failure's block (its last 60 lines) here, where a log's tail shows it.
  echo "=== failures ==="
  awk '/^[0-9]+ tests? failed:$/ { exit }
       /^  \^ / && after_fail { print; next }
       { after_fail = 0 }
       /^\((pass|skip|todo)\)/ || /\.test\.ts:$/ { n = 0; next }
       /^\(fail\)/ { s = n > 60 ? n - 60 : 0; for (i = s; i < n; i++) print buf[i]; print; n = 0; after_fail = 1; next }
       { buf[n++] = $0 }' "$log"
fi
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
exit "$status"
