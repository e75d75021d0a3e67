#!/usr/bin/env bash
# Build the addon with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-asan/ (cmake-js, -DEPOLL_REACTOR_SANITIZE=ON) and run the test suite
# against it.
#
# Node itself is not instrumented, so the sanitizer runtimes are preloaded into
# the node process (ASan must come first in the library list). Leak detection
# is off: Node deliberately leaks at exit. UBSan stops at the first report.
# Extra arguments are passed to vitest (e.g. a test file filter).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

npx --no-install cmake-js rebuild --out build-asan --CDEPOLL_REACTOR_SANITIZE=ON

addon="$root/build-asan/Release/epoll_reactor.node"
if [[ ! -f "$addon" ]]; then
  echo "test-asan: $addon was not built" >&2
  exit 1
fi

libasan="$(g++ -print-file-name=libasan.so)"
libubsan="$(g++ -print-file-name=libubsan.so)"
for lib in "$libasan" "$libubsan"; do
  if [[ ! -f "$lib" ]]; then
    echo "test-asan: sanitizer runtime not found: $lib (install g++'s libasan/libubsan)" >&2
    exit 1
  fi
done

export EPOLL_REACTOR_ADDON="$addon"
export LD_PRELOAD="$libasan $libubsan"
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

exec npx --no-install vitest run "$@"
