#!/usr/bin/env bash
# Runs `edgernn bench --streams N` (issue 16: many streams of one model per call against N separate steps, interleaved
# in rounds with the FMA peak measured in each round) over built-in models and prints a markdown table for
# docs/benchmarks.md, with the load average before and after.
#   ./eng/bench-streams.sh [--timed-steps N] [--int8]
# --int8 adds rows for the same models quantized by edgernn-quantize (dynamic, per-channel qdq).
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
ensure_dotnet
apt_install jq
steps=20000
int8=0
while [ $# -gt 0 ]; do
  case "$1" in
    --timed-steps) steps="$2"; shift 2 ;;
    --int8) int8=1; shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
use_built_tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| model | precision | N | streams us/call | us/stream-step | separate us/call | streams / separate (range) | streams GFLOP/s | % of FMA peak | separate % of peak | FMA peak GFLOP/s | max abs diff | alloc B/call |"
echo "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
row() { # label precision json
  echo "$3" | jq -r --arg m "$1" --arg p "$2" \
    '"| \($m) | \($p) | \(.streams) | \(.usPerCall*100|round/100) | \(.usPerStreamStep*1000|round/1000) | \(.separateUsPerCall*100|round/100) | \(.speedup*100|round/100)x (\(.speedupMin*100|round/100)-\(.speedupMax*100|round/100)) | \(.gflops*10|round/10) | \(.percentOfPeak*10|round/10)% | \(.separatePercentOfPeak*10|round/10)% | \(.peakGflops*10|round/10) | \(.maxAbsDifference) | \(.allocatedBytesPerCall) |"'
}
run() { # cell hidden layers n
  row "$1 h$2 i4 L$3" fp32 "$(edgernn bench --builtin "$1" --hidden "$2" --layers "$3" --streams "$4" --timed-steps "$steps" --json 2>/dev/null)"
}
for n in 1 2 3 7 16 33; do run lstm 256 1 "$n"; done
for n in 1 2 3 7 16 33; do run lstm 64 1 "$n"; done
run lstm 64 2 16
run lstm 256 2 16
run gru 64 1 16
run gru 256 1 16
if [ "$int8" = 1 ]; then
  for hidden in 64 256; do
    edgernn testdata --builtin lstm --hidden "$hidden" --out "$work/lstm$hidden" --sets 1 >/dev/null 2>&1
    quantize "$work/lstm$hidden/model.onnx" -o "$work/lstm$hidden.int8.onnx" --latency-steps 0 >/dev/null 2>&1
    row "lstm h$hidden i4 L1" "int8 (qdq)" "$(edgernn bench --model "$work/lstm$hidden.int8.onnx" --streams 16 --timed-steps "$steps" --json 2>/dev/null)"
  done
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
