#!/usr/bin/env bash
# EdgeRnn vs RTNeural (and ONNX Runtime) per streaming step, batch 1, interleaved in one run; writes the side-by-side
# table into docs/benchmarks.md (issue 16). See --help.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

usage() {
  cat <<'EOF'
usage: eng/rtneural-compare.sh <RTNeural checkout> [--quick] [--rounds N] [--timed-steps N] [--shape CELL:INPUT:HIDDEN:LAYERS]...
                               [--out FILE|-] [--build-dir DIR]

Builds RTNeural's compile-time models (RTNeural::ModelT + LSTMLayerT/GRULayerT + a DenseT head back to the input
size; Eigen backend, float, g++ -O3 -march=native; eng/rtneural/build.sh) from the checkout given (a clone of
https://github.com/jatinchowdhury18/RTNeural, work tree or bare git directory; BSD-3-Clause, not committed here; its
commit is recorded), builds edgernn (dotnet build src/Train -c Release), then for every shape and round runs
eng/rtneural's rtneural-bench and `edgernn bench --builtin CELL --input I --hidden H --layers L --json` one after the
other (the order alternates between rounds), so each ratio comes from the same minutes of the same machine. Times are
microseconds per step: each side's headline is the median of its 1000-step block averages (edgernn bench's headline;
its ORT IoBinding figure comes from the same process); the table gives the median over rounds, and the ratio
RTNeural / EdgeRnn is the median of the per-round ratios (> 1: EdgeRnn is faster; the target is >= 1.3x).
Both sides run the same network: `edgernn testdata --builtin` writes the model `edgernn bench --builtin` times, and
rtneural-bench loads its weights (--onnx) and must reproduce ONNX Runtime's outputs for 200 steps (1e-4 + 1e-4 |y|)
in every run; round 1 also checks RTNeural against a scalar double-precision reference (--check).

The result replaces the section between <!-- rtneural:begin --> and <!-- rtneural:end --> of --out (appended the first
time) with the machine (lscpu model name, cores), date, RTNeural commit, compiler flags, EdgeRnn commit, command line
and load average at start and end. Raw results (JSON lines) go to <build-dir>/results-<time>.jsonl.

Options:
  --quick            LSTM and GRU, hidden 16 and 64, input 4, 1 layer (4 shapes), 3 rounds, 5000 timed steps,
                     500 warm-up steps: a smoke test of the whole path (about 1-2 minutes after the builds), not a
                     measurement for the targets. The section says so.
  --rounds N         rounds per shape [default: 5; --quick: 3]
  --timed-steps N    timed steps per runtime and process, in 1000-step blocks [default: 20000; --quick: 5000]; the
                     warm-up is a tenth of it (at least 300 ms in both harnesses)
  --shape C:I:H:L    run only these shapes (repeatable), e.g. --shape lstm:4:256:2; hidden must be 16/32/64/128/256,
                     input 1/4/8, layers 1/2
  --out FILE|-       the Markdown file to write the section into [default: docs/benchmarks.md]; - prints it only
  --build-dir DIR    where the harness is built and raw results go [default: artifacts/rtneural]
  -h, --help         this help

The full matrix (LSTM and GRU x hidden 16, 32, 64, 128, 256 x input 1, 4, 8 x 1, 2 layers = 60 shapes) with the
defaults starts about 660 processes (60 edgernn testdata, then per round and shape one rtneural-bench and one
edgernn bench, which also starts .NET and ONNX Runtime and times 2 x 40,000 steps): about 3 minutes per round on a
quiet 2-core machine, so 15-20 minutes of measuring, plus 3-5 minutes of first-time compiles (10 model units) and the
edgernn build: within 30 minutes. A one-round pass of all 60 shapes at --timed-steps 1000 took 2 minutes of measuring
at load 9-18. Measure on a quiet machine (load average well under 1 at the start; the section records it):
  ./eng/rtneural-compare.sh ~/src/RTNeural
Exit codes: 0 = measured and written, 1 = a build, a run or a check failed, 2 = bad arguments or not an RTNeural
checkout.
EOF
}

die2() { echo "error: $*" >&2; exit 2; }

checkout="" quick=0 rounds="" steps="" out="docs/benchmarks.md" build_dir="$REPO_ROOT/artifacts/rtneural" shapes=()
command_line="./eng/rtneural-compare.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1; shift ;;
    --rounds) rounds="${2:-}"; [[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die2 "--rounds needs a positive whole number"; shift 2 ;;
    --timed-steps) steps="${2:-}"; [[ "$steps" =~ ^[1-9][0-9]*$ ]] && [ "$steps" -ge 1000 ] || die2 "--timed-steps needs a whole number >= 1000"; shift 2 ;;
    --shape)
      [[ "${2:-}" =~ ^(lstm|gru):(1|4|8):(16|32|64|128|256):(1|2)$ ]] || die2 "--shape needs CELL:INPUT:HIDDEN:LAYERS with cell lstm|gru, input 1|4|8, hidden 16|32|64|128|256, layers 1|2 (got '${2:-}')"
      shapes+=("$2"); shift 2 ;;
    --out) out="${2:?--out needs a file or -}"; shift 2 ;;
    --build-dir) build_dir="${2:?--build-dir needs a directory}"; shift 2 ;;
    -*) die2 "unknown option '$1' (see --help)" ;;
    *) [ -z "$checkout" ] || die2 "give one RTNeural checkout path (got '$checkout' and '$1')"; checkout="$1"; shift ;;
  esac
done
[ -n "$checkout" ] || { usage >&2; exit 2; }
[ -d "$checkout" ] || die2 "RTNeural checkout '$checkout' does not exist (clone https://github.com/jatinchowdhury18/RTNeural and pass its path)"
if [ "$out" != "-" ]; then
  [ -f "$out" ] || [ -d "$(dirname "$out")" ] || die2 "cannot write '$out': its folder does not exist"
fi

if [ ${#shapes[@]} -eq 0 ]; then
  if [ "$quick" -eq 1 ]; then
    shapes=(lstm:4:16:1 lstm:4:64:1 gru:4:16:1 gru:4:64:1)
  else
    for cell in lstm gru; do for hidden in 16 32 64 128 256; do for input in 1 4 8; do for layers in 1 2; do
      shapes+=("$cell:$input:$hidden:$layers")
    done; done; done; done
  fi
fi
[ -n "$rounds" ] || rounds=$([ "$quick" -eq 1 ] && echo 3 || echo 5)
[ -n "$steps" ] || steps=$([ "$quick" -eq 1 ] && echo 5000 || echo 20000)
warmup=$((steps / 10))

ensure_dotnet
apt_install jq

# Build only the (cell, hidden) units the shapes need.
cells="$(printf '%s\n' "${shapes[@]}" | cut -d: -f1 | sort -u | tr '\n' ' ')"
hiddens="$(printf '%s\n' "${shapes[@]}" | cut -d: -f3 | sort -n -u | tr '\n' ' ')"
set +e
bench="$("$ENG_DIR/rtneural/build.sh" "$checkout" --out "$build_dir" --cells "$cells" --hidden "$hiddens" | tail -n 1)"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || exit "$rc"
rtneural_commit="$(cat "$build_dir/rtneural-commit")"
rtneural_flags="$("$bench" --version | sed 's/.*compiled with //')"

log "building edgernn (dotnet build src/Train -c Release)"
nice -n 10 dotnet build src/Train -c Release -nologo -v q >&2 || { echo "error: dotnet build src/Train failed" >&2; exit 1; }
edgernn() { dotnet "$REPO_ROOT/src/Train/bin/Release/net10.0/edgernn.dll" "$@"; }
edgernn_commit="$(git -C "$REPO_ROOT" rev-parse --short HEAD)$( [ -z "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no -- src)" ] || echo '+modified src')"

raw="$build_dir/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
: > "$raw"
log "${#shapes[@]} shape(s) x $rounds round(s), $steps timed steps each; raw results: $raw"

run_rtneural() { # round index shape
  local round=$1 index=$2 shape=$3 check=()
  [ "$round" -eq 1 ] && check=(--check)
  local json
  json="$("$bench" --shape "$shape" --onnx "$testdata/$shape" --timed-steps "$steps" --warmup "$warmup" "${check[@]}")" \
    || { echo "error: rtneural-bench failed for $shape (round $round): $json" >&2; exit 1; }
  jq -c --argjson round "$round" --argjson index "$index" \
    '{round: $round, index: $index, cell, input, hidden, layers, runtime: "RTNeural", us: .headlineUs, check, onnx}' <<< "$json" >> "$raw"
}
run_edgernn() { # round index shape
  local round=$1 index=$2 shape=$3 cell input hidden layers json
  IFS=: read -r cell input hidden layers <<< "$shape"
  json="$(edgernn bench --builtin "$cell" --input "$input" --hidden "$hidden" --layers "$layers" \
    --timed-steps "$steps" --warmup "$warmup" --json 2>"$build_dir/edgernn-bench.err")" \
    || { echo "error: edgernn bench failed for $shape (round $round):" >&2; cat "$build_dir/edgernn-bench.err" >&2; exit 1; }
  jq -c --argjson round "$round" --argjson index "$index" --arg cell "$cell" \
    --argjson input "$input" --argjson hidden "$hidden" --argjson layers "$layers" \
    '{round: $round, index: $index, cell: $cell, input: $input, hidden: $hidden, layers: $layers, runtime: "EdgeRnn",
      us: .ours.headlineUs, ortUs: .ort.headlineUs, dotNet: .machine.dotNet, ortVersion: .machine.ortVersion, simd: .machine.simd}' <<< "$json" >> "$raw"
}

# The same network on both sides: edgernn testdata writes the built-in model edgernn bench times (same seed, same
# weights) with ONNX Runtime's outputs for 200 steps of standard-normal input; rtneural-bench --onnx loads those
# weights into RTNeural's layout, times them, and fails unless its outputs match ORT's (1e-4 + 1e-4 |expected|).
testdata="$build_dir/testdata"
rm -rf "$testdata" && mkdir -p "$testdata"
log "writing the built-in models with edgernn testdata (${#shapes[@]} folders)"
for shape in "${shapes[@]}"; do
  IFS=: read -r cell input hidden layers <<< "$shape"
  edgernn testdata --builtin "$cell" --input "$input" --hidden "$hidden" --layers "$layers" --seq-len 200 --sets 1 \
    -o "$testdata/$shape" >/dev/null 2>"$build_dir/edgernn-testdata.err" \
    || { echo "error: edgernn testdata failed for $shape:" >&2; cat "$build_dir/edgernn-testdata.err" >&2; exit 1; }
done

load_start="$(cut -d' ' -f1-3 /proc/loadavg)" # after the builds: the load the measurements start under
started=$SECONDS
for ((round = 1; round <= rounds; round++)); do
  for index in "${!shapes[@]}"; do
    shape="${shapes[$index]}"
    if [ $(((round + index) % 2)) -eq 1 ]; then
      run_rtneural "$round" "$index" "$shape"; run_edgernn "$round" "$index" "$shape"
    else
      run_edgernn "$round" "$index" "$shape"; run_rtneural "$round" "$index" "$shape"
    fi
  done
  log "round $round of $rounds done ($((SECONDS - started)) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
failed_checks="$(jq -s -r '[.[] | select((.check != null and .check.ok != true) or (.runtime == "RTNeural" and .onnx.ok != true)) | "\(.cell):\(.input):\(.hidden):\(.layers)"] | unique | join(" ")' "$raw")"
[ -z "$failed_checks" ] || { echo "error: RTNeural failed the reference or ONNX Runtime check for: $failed_checks (see $raw)" >&2; exit 1; }

# --- the Markdown section -------------------------------------------------------------------------------------------
cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
cores="$(nproc)"
lscpu_field() { lscpu | sed -n "s/^$1:[[:space:]]*//p" | head -n 1; }
topology="$(lscpu_field 'Socket(s)') socket(s) x $(lscpu_field 'Core(s) per socket') core(s) x $(lscpu_field 'Thread(s) per core') thread(s), $(lscpu_field 'L2 cache') L2, $(lscpu_field 'L3 cache') L3$(v="$(lscpu_field 'Hypervisor vendor')"; [ -z "$v" ] || echo ", under $v")"
runtime_info="$(jq -s -r '[.[] | select(.runtime == "EdgeRnn")][0] | "\(.dotNet), ONNX Runtime \(.ortVersion) (one intra-op thread), EdgeRnn kernels: \(.simd)"' "$raw")"
load1_start="${load_start%% *}"
loaded=$(awk -v l="$load1_start" -v c="$cores" 'BEGIN { print (l > 0.5 * c) ? 1 : 0 }')
table="$(jq -s -r '
  def median: sort | .[((length + 1) / 2 | floor) - 1];
  def r3: . * 1000 | round / 1000;
  def r2: . * 100 | round / 100;
  group_by(.index) | map(
    (map(select(.runtime == "EdgeRnn"))) as $e | (map(select(.runtime == "RTNeural"))) as $r |
    ([$e[] as $x | $r[] | select(.round == $x.round) | .us / $x.us]) as $ratios |
    { shape: "\($e[0].cell) h\($e[0].hidden) i\($e[0].input) L\($e[0].layers)",
      e: ($e | map(.us) | median), r: ($r | map(.us) | median), o: ($e | map(.ortUs) | median),
      ratio: ($ratios | median), lo: ($ratios | min), hi: ($ratios | max),
      diff: ($r | map(.check.maxAbsDiffVsReference // empty) | first),
      ort: ($r | map(.onnx.maxAbsDiffVsOrt) | max) })
  | (["| shape (cell, hidden, input, layers) | EdgeRnn us | RTNeural us | ORT IoBinding us | EdgeRnn vs RTNeural (x faster, >1 is better) | per-round range | meets 1.3x? |",
      "|---|---:|---:|---:|---:|---|---|"] | .[]),
    (.[] | "| \(.shape) | \(.e | r3) | \(.r | r3) | \(.o | r3) | \(.ratio | r2)x | \(.lo | r2)-\(.hi | r2)x | \(if .ratio >= 1.3 then "yes" else "**no**" end) |"),
    "",
    "\(map(select(.ratio >= 1.3)) | length) of \(length) shapes meet 1.3x. Same network on both sides: RTNeural with EdgeRnn'"'"'s weights vs ONNX Runtime'"'"'s outputs over 200 standard-normal steps, max abs difference \(map(.ort) | max) (every shape, every round); vs a scalar double-precision reference (round 1, 300 steps) \(map(.diff) | max)."
' "$raw")"

section="$(cat <<EOF
<!-- rtneural:begin (written by eng/rtneural-compare.sh; a rerun replaces everything up to rtneural:end) -->
## EdgeRnn vs RTNeural (C++, Eigen) per streaming step, batch 1 (issue 16)

$(if [ "$quick" -eq 1 ]; then echo "**Smoke run (\`--quick\`: $((${#shapes[@]})) shapes, $steps timed steps, $rounds rounds): it shows the harness and the script work end to end; it is not a measurement for the targets.**"; fi)
$(if [ "$loaded" -eq 1 ]; then echo "**Measured under load (load average $load_start at the start, $load_end at the end, on $cores cores): other work shared the cores, so the times are noise and even the same-run ratios move by tens of percent. Load hurts EdgeRnn more than RTNeural: a starved machine can end edgernn bench's 300 ms warm-up before .NET's tiered JIT has finished optimizing the step, so part of the block phase times less optimized code. Measure again on a quiet machine before drawing conclusions.**"; fi)

- Command: \`$command_line\` ($(date -u '+%Y-%m-%d %H:%M UTC'); $((SECONDS - started)) s of measuring)
- Machine: $cpu, $cores CPUs ($topology), $(. /etc/os-release && echo "$PRETTY_NAME"), $runtime_info
- Load average (1, 5, 15 min): $load_start at the start, $load_end at the end
- RTNeural: commit $rtneural_commit (https://github.com/jatinchowdhury18/RTNeural, BSD-3-Clause, not vendored), Eigen
  backend, float, \`RTNeural::ModelT<float, I, I, LSTMLayerT|GRULayerT<float, I, H> [, <H, H>], DenseT<float, H, I>>\`
  built by \`eng/rtneural/build.sh\` with \`$rtneural_flags\`
- EdgeRnn: commit $edgernn_commit, \`edgernn bench --builtin CELL --input I --hidden H --layers L --timed-steps $steps --warmup $warmup --json\`
  (its ORT IoBinding figure is from the same process)
- Method: $rounds round(s); in each round every shape runs rtneural-bench and edgernn bench back to back (the order
  alternates). Each side's time is its headline, the median of 1000-step block averages after a warm-up of at least
  300 ms. Both sides run the same network: \`edgernn testdata --builtin\` writes the built-in model \`edgernn bench\`
  times (same seed, weights uniform in ±1/sqrt(H)) and rtneural-bench loads its weights (\`--onnx\`); the inputs are
  uniform in ±0.5 (EdgeRnn: one fixed vector; RTNeural: 1024 rows cycled).
  The table gives the median over rounds of each time; the ratio is RTNeural / EdgeRnn, the median of the per-round
  ratios (range over rounds beside it); the target is >= 1.3x on every shape. Raw results (not committed): \`${raw#$REPO_ROOT/}\`.

$table

On a quiet machine, the full matrix (60 shapes, 5 rounds, within 30 minutes with the builds): \`./eng/rtneural-compare.sh <RTNeural checkout>\`.
<!-- rtneural:end -->
EOF
)"
section="$(printf '%s\n' "$section" | cat -s)"

if [ "$out" = "-" ]; then
  printf '%s\n' "$section"
else
  touch "$out"
  tmp="$(mktemp)"
  if grep -q '^<!-- rtneural:begin' "$out"; then
    grep -q '^<!-- rtneural:end -->' "$out" || { echo "error: $out has <!-- rtneural:begin but no <!-- rtneural:end --> line; fix the file by hand" >&2; rm -f "$tmp"; exit 1; }
    awk -v section_file=<(printf '%s\n' "$section") '
      /^<!-- rtneural:begin/ { while ((getline line < section_file) > 0) print line; skip = 1; next }
      /^<!-- rtneural:end -->/ { skip = 0; next }
      !skip { print }' "$out" > "$tmp"
  else
    { cat "$out"; [ -z "$(tail -c 1 "$out")" ] || echo; echo; printf '%s\n' "$section"; } > "$tmp"
  fi
  cat "$tmp" > "$out" && rm -f "$tmp"
  log "wrote the section into $out"
  printf '%s\n' "$section"
fi
