#!/usr/bin/env bash
# Installs what scripts/run-notebook.py needs to execute the notebooks headless — a Python 3 with
# nbclient (+ jupyter_client, nbformat) — and what the browser tests (tests/browser) add:
# classic Notebook 6 and Chromium (apt), and JupyterLab 4 with plotly (pip, in the project-local
# venv .cache/jupyterlab, which tests/browser/jupyterlab.test.ts uses). Idempotent and quiet.
#
# Classic side, in order: already importable → Debian/Ubuntu apt packages (as root or via sudo)
# → pip (--user). Set NER_PYTHON to use another interpreter (default: /usr/bin/python3, else python3).
# JupyterLab side: `python3 -m venv` + pip; where the local wheel mirror exists (/opt/pypi/simple)
# pip uses only it, with no network retries. NER_SKIP_JUPYTERLAB=1 skips this side.
# The tslab kernel itself comes from node_modules (npm ci); its kernelspec is committed in jupyter/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${NER_PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY="$(command -v python3 || true)"; fi
fi
if [ -z "$PY" ]; then
  echo "setup-jupyter: no python3 found; install Python 3 or set NER_PYTHON" >&2
  exit 1
fi

have_runner_deps() {
  "$PY" -c 'import nbclient, nbformat, jupyter_client, notebook' >/dev/null 2>&1
}

# The browser test (tests/browser) also needs classic Notebook 6 (above: `notebook`) and Chromium.
have_browser() {
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || [ -n "${NER_CHROMIUM:-}" ]
}

# python3-venv: Debian's python3 has no ensurepip without it (the JupyterLab venv below).
have_venv() {
  "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1
}

setup_classic() {
  if have_runner_deps && have_browser && have_venv; then
    echo "setup-jupyter: nbclient, Notebook, venv and Chromium already available for $PY"
    return 0
  fi

  # apt only makes sense for the system interpreter.
  if [ "$PY" = /usr/bin/python3 ] && command -v apt-get >/dev/null 2>&1; then
    local SUDO=""
    if [ "$(id -u)" != 0 ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
    fi
    if [ "$SUDO" != none ]; then
      local pkgs="python3-nbclient python3-nbformat python3-jupyter-client jupyter-notebook python3-venv chromium"
      export DEBIAN_FRONTEND=noninteractive
      # Only refresh the package lists when a package is unknown (keeps reruns fast).
      local log
      log="$(mktemp)"
      if ! apt-cache show $pkgs >/dev/null 2>&1; then
        $SUDO apt-get update -qq >"$log" 2>&1 || true
      fi
      if $SUDO apt-get install -y -qq --no-install-recommends $pkgs >>"$log" 2>&1; then
        if have_runner_deps; then
          echo "setup-jupyter: installed $pkgs with apt"
          rm -f "$log"
          return 0
        fi
      fi
      echo "setup-jupyter: apt install failed (log below), trying pip" >&2
      tail -n 20 "$log" >&2 || true
      rm -f "$log"
    fi
  fi

  local pip_args=(install --quiet --disable-pip-version-check)
  # Debian marks its Python as externally managed (PEP 668): a --user install needs this flag.
  if "$PY" -c 'import sys, sysconfig, os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
    pip_args+=(--break-system-packages)
  fi
  if [ "$(id -u)" != 0 ] && [ -z "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ]; then pip_args+=(--user); fi
  "$PY" -m pip "${pip_args[@]}" "nbclient>=0.7" "nbformat>=5" "jupyter_client>=7" "notebook<7"
  have_browser || echo "setup-jupyter: no Chromium found: install it (or set NER_CHROMIUM) for the browser test" >&2
  if have_runner_deps; then
    echo "setup-jupyter: installed nbclient with pip for $PY"
  else
    echo "setup-jupyter: nbclient still not importable by $PY" >&2
    return 1
  fi
}

# JupyterLab 4 + plotly (its JupyterLab extension comes with the plotly wheel) in .cache/jupyterlab.
setup_lab() {
  local venv="$ROOT/.cache/jupyterlab"
  local check='import jupyterlab, plotly; assert jupyterlab.__version__.startswith("4")'
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    echo "setup-jupyter: JupyterLab 4 and plotly already in .cache/jupyterlab"
    return 0
  fi
  "$PY" -m venv "$venv"
  local pip_args=(install --quiet --disable-pip-version-check --retries 0 --timeout 30)
  if [ -d /opt/pypi/simple ]; then
    # The local wheel mirror only: the default configuration also tries the network, for minutes.
    pip_args+=(--index-url file:///opt/pypi/simple)
    [ -d /opt/pypi-more/simple ] && pip_args+=(--extra-index-url file:///opt/pypi-more/simple)
    [ -d /opt/wheels ] && pip_args+=(--find-links /opt/wheels)
  fi
  # (The second mirror lacks most packages; pip warns about each: keep those lines out.)
  "$venv/bin/python" -m pip "${pip_args[@]}" "jupyterlab>=4,<5" plotly 2> >(grep -v "^WARNING: Location 'file:" >&2)
  if "$venv/bin/python" -c "$check"; then
    echo "setup-jupyter: installed JupyterLab 4 and plotly in .cache/jupyterlab"
  else
    echo "setup-jupyter: JupyterLab 4 / plotly still not importable from .cache/jupyterlab" >&2
    return 1
  fi
}

setup_classic
if [ "${NER_SKIP_JUPYTERLAB:-}" != 1 ]; then setup_lab; fi
