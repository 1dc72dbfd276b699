#!/usr/bin/env bash
# Runs `edgernn bench` over the built-in LSTM/GRU matrix (hidden 16/64/256, input 4/8, 1-2 layers) and prints a
# markdown table for docs/benchmarks.md: EdgeRnn vs ONNX Runtime (IoBinding, one thread) per step, same run.
#   ./eng/bench.sh [--timed-steps N]
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
ensure_dotnet
apt_install jq
steps=20000
[ "${1:-}" = "--timed-steps" ] && steps="$2"
dotnet build src/Train -c Release -nologo -v q >&2
edgernn() { dotnet "$REPO_ROOT/src/Train/bin/Release/net10.0/edgernn.dll" "$@"; }
echo "| cell | input | hidden | layers | EdgeRnn us/step | p99 | ORT IoBinding us/step | p99 | ORT / EdgeRnn | EdgeRnn GFLOP/s | % of FMA peak | alloc B/step |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for cell in lstm gru; do
  for input in 4 8; do
    for hidden in 16 64 256; do
      for layers in 1 2; do
        json=$(edgernn bench --builtin "$cell" --input "$input" --hidden "$hidden" --layers "$layers" --timed-steps "$steps" --json 2>/dev/null)
        echo "$json" | jq -r --arg cell "$cell" --arg input "$input" --arg hidden "$hidden" --arg layers "$layers" \
          '"| \($cell) | \($input) | \($hidden) | \($layers) | \(.ours.headlineUs*1000|round/1000) | \(.ours.p99Us*1000|round/1000) | \(.ort.headlineUs*1000|round/1000) | \(.ort.p99Us*1000|round/1000) | \(.ratioOrtToOurs*100|round/100)x | \(.throughput.gflops*10|round/10) | \(.throughput.percentOfPeak*10|round/10)% | \(.ours.allocatedBytesPerStep) |"'
      done
    done
  done
done
