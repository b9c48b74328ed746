#!/bin/sh
# What the kernelspec runs: /bin/sh tsfutures-kernel.sh NODE BLOB -f CONNECTION_FILE (see kernel/snapshot/index.ts).
# Starts node from the start-up snapshot BLOB when it is there and no earlier start from it died before coming up,
# else the ordinary way. exec either way: the kernel keeps this pid, so Jupyter's signals reach node itself.
# Shell built-ins only (~1 ms): no stat, no dirname.
node=$1 blob=$2
shift 2
# V8 flags of every kernel process, from the blob or not. A blob loads only under the flags it was built with (else
# node exits 14): kernel/snapshot/index.ts reads this line to build and probe blobs under the same ones.
# A young generation of 2 x 2 MB instead of V8's 2 x 16: a cell's checker dies young in either, and the kernel's
# resident memory is smaller by what the semi-spaces would hold (docs/performance.md, "Kernel memory"). Four times
# V8's interrupt budget (67584) before a function counts as hot: the kernel's and the compiler's once-a-cell
# functions otherwise turn hot one by one for hundreds of cells, and TurboFan compiled them on the other core
# (~1.4 ms a declaring cell, most of the V8 workers' time) for a gain of microseconds a call; code that runs hot, as
# a cell's loop, gets there as before within milliseconds (docs/performance.md, "The cell engine").
v8_flags='--max-semi-space-size=2 --interrupt-budget=270336'
# The blob's name carries the flags (snapshot/index.ts blobPath): other flags, another blob.
blob=${blob%.blob}$v8_flags.blob
# NODE_OPTIONS may carry V8 flags, and a blob only loads under the flags it was built with (else node exits 14).
if [ -f "$blob" ] && [ "${TSFUTURES_SNAPSHOT-}" != 0 ] && [ -z "${NODE_OPTIONS-}" ]; then
  ok=1
  # BLOB.<pid>.starting: left by a start from the blob, deleted by it once up. Its process gone: it died on the blob.
  for marker in "$blob".*.starting; do
    [ -e "$marker" ] || continue
    pid=${marker%.starting}
    kill -0 "${pid##*.}" 2>/dev/null || ok=
  done
  if [ -n "$ok" ] && { : >"$blob.$$.starting"; } 2>/dev/null; then
    # The script is not run (the blob's main function is); it is named so that ps shows what this process is.
    exec "$node" $v8_flags --snapshot-blob "$blob" "${0%/*}/tsfutures.js" kernel "$@"
  fi
fi
exec "$node" $v8_flags "${0%/*}/tsfutures.js" kernel "$@"
