#!/usr/bin/env bash
# On the GPU machine: puts the carried model parts (.xfer/part*) together in $HS_HOME/models
# (default /root/hs), which stays while the machine is warm.
set -euo pipefail
HS_HOME="${HS_HOME:-/root/hs}"
mkdir -p "$HS_HOME/models"
for d in .xfer/part*; do
  [[ -d $d ]] || continue
  for f in "$d"/*; do
    name=$(basename "$f")
    if [[ $name =~ ^(.*\.tflite)\.([0-9]+)$ ]]; then
      cp "$f" "$HS_HOME/models/.piece_${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
    else
      cp "$f" "$HS_HOME/models/$name"
    fi
  done
done
for first in "$HS_HOME"/models/.piece_*.00; do
  [[ -f $first ]] || continue
  base=${first%.00}
  out="$HS_HOME/models/$(basename "$base" | sed 's/^\.piece_//')"
  pieces=("$base".*)
  if [[ -n ${EXPECT_PIECES:-} && ${#pieces[@]} -lt $EXPECT_PIECES ]]; then continue; fi
  cat "${pieces[@]}" > "$out.tmp" && mv "$out.tmp" "$out"
done
ls -la "$HS_HOME/models" | awk '{print $5, $9}'
