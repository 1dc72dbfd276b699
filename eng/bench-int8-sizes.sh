#!/usr/bin/env bash
# int8 against fp32 per streaming step at every hidden size (issue 16's "int8 row per size"), and what edgernn-quantize
# recommends for each; prints a markdown table for docs/benchmarks.md. See --help.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

usage() {
  cat <<'EOF'
usage: eng/bench-int8-sizes.sh [--rounds N] [--timed-steps N] [--cells "lstm gru"] [--hidden "16 32 64 128 256"]

For each built-in model (`edgernn testdata --builtin CELL --input 4 --hidden H`, one layer) quantizes it with
`edgernn-quantize` (dynamic, per-channel qdq, its latency table at --timed-steps) and keeps the quantizer's
recommendation; then, in every round, runs `edgernn bench -m fp32` and `edgernn bench -m int8` one after the other (the
order alternates between rounds), so each int8/fp32 ratio comes from the same seconds of the same machine. Times are
edgernn bench's headline (median of 1000-step block averages, us per RnnModel.Step); the table gives the median over
rounds and the median of the per-round ratios (range beside it). Prints the machine, date, commit and load average.
  --rounds N        rounds per size [default: 5]
  --timed-steps N   timed steps per bench process [default: 20000]
Exit codes: 0 = measured, 1 = a build or a run failed, 2 = bad arguments.
EOF
}

rounds=5 steps=20000 cells="lstm gru" sizes="16 32 64 128 256"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --rounds) rounds="${2:?}"; shift 2 ;;
    --timed-steps) steps="${2:?}"; shift 2 ;;
    --cells) cells="${2:?}"; shift 2 ;;
    --hidden) sizes="${2:?}"; shift 2 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$steps" =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds and --timed-steps take positive integers" >&2; exit 2; }

set -euo pipefail
ensure_dotnet
apt_install jq
use_built_tools
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "Command: \`./eng/bench-int8-sizes.sh --rounds $rounds --timed-steps $steps\` at commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load average $load_start at the start"
echo
echo "| cell | hidden | fp32 us/step | int8 us/step | int8 / fp32 (range) | size fp32 -> int8 | edgernn-quantize recommends |"
echo "|---|---:|---:|---:|---|---|---|"
for cell in $cells; do
  for hidden in $sizes; do
    dir="$work/$cell$hidden"
    edgernn testdata --builtin "$cell" --input 4 --hidden "$hidden" -o "$dir" > /dev/null
    quantize --model "$dir/model.onnx" -o "$dir/model.int8.onnx" --timed-steps "$steps" --json > "$dir/quantize.json"
    fp32=() int8=() ratios=()
    for ((r = 0; r < rounds; r++)); do
      if ((r % 2 == 0)); then order="fp32 int8"; else order="int8 fp32"; fi
      for which in $order; do
        model="$dir/model.onnx"; [ "$which" = int8 ] && model="$dir/model.int8.onnx"
        us=$(edgernn bench -m "$model" --timed-steps "$steps" --json 2>/dev/null | jq -r '.ours.headlineUs')
        if [ "$which" = int8 ]; then i8=$us; else f32=$us; fi
      done
      fp32+=("$f32"); int8+=("$i8"); ratios+=("$(jq -n "$i8 / $f32")")
    done
    range=$(printf '%s\n' "${ratios[@]}" | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.2f-%.2f", lo, hi}')
    jq -r --arg cell "$cell" --arg hidden "$hidden" --arg f "$(median "${fp32[@]}")" --arg i "$(median "${int8[@]}")" \
      --arg ratio "$(median "${ratios[@]}")" --arg range "$range" \
      '"| \($cell) | \($hidden) | \($f|tonumber*1000|round/1000) | \($i|tonumber*1000|round/1000) | \($ratio|tonumber*100|round/100) (\($range)) | \(.fp32Bytes) -> \(.int8Bytes) B | \(.recommendation) |"' \
      "$dir/quantize.json"
  done
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
