#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine with Node 20 (run as root):
# Debian's Jupyter (the Python reference kernel, jupyter_kernel_test, nbclient, jupyter-server, classic Notebook,
# jupyterlab_server and MathJax for JupyterLab), Chromium and CJK fonts for the browser tests, the libraries nbval's
# own test notebooks import (test/nbval/peer: SymPy, Matplotlib, NumPy), redis-server for the distributed executor's
# tests (openssl makes the certificate of its TLS test) and dask.distributed for its benchmark, then the project's npm
# dependencies (which builds dist/), then the JupyterLab 3.6.8 frontend of test/lab (cached in ~/.cache/tsfutures-lab
# by the hash of its inputs, so it is built once).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(python3-jupyter-client python3-jupyter-kernel-test python3-ipykernel python3-nbclient
          jupyter-server jupyter-notebook python3-jupyterlab-server libjs-mathjax chromium fonts-noto-cjk
          python3-sympy python3-matplotlib python3-numpy redis-server openssl python3-distributed)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
node dist/test/lab/frontend.js
