#!/usr/bin/env bash
# `npm run setup`: the fast tier and the notebook tools on a fresh machine, idempotent.
#
# 1. The native tier (wasm+blas) needs a C compiler and OpenBLAS's headers. On Debian/Ubuntu they are
#    installed with apt (build-essential, libopenblas-dev) as root or via passwordless sudo; otherwise
#    this says what to install and goes on. macOS uses Accelerate (Xcode's command line tools).
# 2. The addon is rebuilt (native/build.js) and the tier that will run is printed.
# 3. scripts/setup-jupyter.sh installs what the notebook runner and tests need (`npm run setup:jupyter`
#    runs that step alone).
set -euo pipefail
cd "$(dirname "$0")/.."

have_native_deps() {
  command -v "${CC:-cc}" >/dev/null 2>&1 || return 1
  [ "$(uname -s)" = Darwin ] && return 0
  for dir in /usr/include /usr/include/openblas /usr/local/include /usr/local/include/openblas \
    /usr/include/x86_64-linux-gnu /usr/include/aarch64-linux-gnu; do
    [ -f "$dir/cblas.h" ] && return 0
  done
  [ -n "${CONDA_PREFIX:-}" ] && [ -f "$CONDA_PREFIX/include/cblas.h" ]
}

if have_native_deps; then
  echo "setup: C compiler and BLAS headers present"
elif [ "$(uname -s)" = Darwin ]; then
  echo "setup: no C compiler: run \`xcode-select --install\`, then \`npm run setup\` again" \
    "(the native tier uses Accelerate)"
elif command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
  fi
  if [ "$SUDO" = none ]; then
    echo "setup: skipping apt (not root and no passwordless sudo): run" \
      "\`sudo apt-get install -y build-essential libopenblas-dev\`, then \`npm run setup\` again"
  else
    echo "setup: apt-get install build-essential libopenblas-dev"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential libopenblas-dev >/dev/null
  fi
else
  echo "setup: no apt-get here: install a C compiler and OpenBLAS with its headers" \
    "(e.g. dnf install gcc openblas-devel), then \`npm run setup\` again"
fi

# The addon: builds when it can, else says why (the wasm tier still runs).
node native/build.js
NER_QUIET_BACKEND=1 node -e '
  require("tsx/cjs");
  const { loadNativeBlas } = require("./src/backend/native.ts");
  const load = loadNativeBlas();
  console.log(load.addon ? `setup: the native tier runs (wasm+${load.addon.info().library})`
    : `setup: plain wasm only (${load.reason})`);
'

bash scripts/setup-jupyter.sh
