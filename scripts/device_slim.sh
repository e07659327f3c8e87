#!/usr/bin/env bash
# device_slim.sh on|off: takes the committed results folders (bench/results, profiles/results,
# experiments/results: ~50 MB of CSVs and archives, none of which a device call reads) out of the
# working tree with git's sparse checkout, so that the tree plus a pack fits the device tool's
# 64 MiB (the tool copies every tracked file present in the working tree). `off` puts them back.
# Commit new results only after `off` (with `on`, git does not show files under those folders).
# While `on`, tests/experiments fails: the study's E8 trains from profiles/results (run `off` before tests).
set -euo pipefail
cd "$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
case "${1:-}" in
  on)
    git sparse-checkout set --no-cone '/*' '!/bench/results/' '!/profiles/results/' '!/experiments/results/'
    ;;
  off)
    git sparse-checkout disable
    ;;
  *)
    echo "usage: $0 on|off" >&2
    exit 2
    ;;
esac
size=$( (git ls-files -z | xargs -0 du -b 2>/dev/null || true) | awk '{s += $1} END {print s + 0}')  # absent: skipped
echo "device_slim: $1; tracked files in the working tree: $((size / 1024 / 1024)) MiB"
