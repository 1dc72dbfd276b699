#!/usr/bin/env bash
# Issue 13's figures (docs/reliability.md "Figures"): fuzz campaigns, kill -9 trials and the soak against the released
# NativeAOT edgernn-device, each at nice 19. Summaries go to eng/fuzz/results/*.json; crashes, hangs and inputs that
# take more than 64 MB go to eng/fuzz/found/ (the lead fixes src/; a finding's .txt says the command and the output).
#   ./eng/reliability.sh [--quick] [--seed N] [--jobs N] [campaign...]
# campaigns: repro models profiles csv state kill9 soak storm (default: all). --quick runs CI-sized counts (a few
# minutes); the default counts are the issue's: 100,000 models, 10,000 profiles, CSVs and state files, 100 kill -9
# trials, a 10-million-step soak, and the sensor fault storm (in-process on the simulated chips: the binary cannot
# simulate chips) over 1,000,000 steps on the BME280 and 10,000 on the MPU6050 and ADS1115 (their reads wait for a conversion). On a 2-core machine the full model campaign takes about 50 minutes:
# split it with EDGERNN_MODEL_SPLIT=2 (two runs of 50,000, seeds S and S+1) to keep each run near 20 minutes.
# Exit code: 0 when every campaign has zero crashes, hangs, inputs over 64 MB and lost data; 1 otherwise.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

quick=0
seed=1
jobs=2
campaigns=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --seed) seed="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) campaigns+=("$1") ;;
  esac
  shift
done
[ ${#campaigns[@]} -eq 0 ] && campaigns=(repro models profiles csv state kill9 soak storm)

if [ "$quick" = 1 ]; then
  models=2000 files=300 trials=20 steps=1000000 storm=50000
else
  models=100000 files=10000 trials=100 steps=10000000 storm=1000000
fi

ensure_dotnet
ensure_aot_toolchain
apt_install python3-onnx python3-numpy time util-linux
binary="$REPO_ROOT/artifacts/publish/linux-x64/edgernn-device"
if [ ! -x "$binary" ] || [ -n "$(find src -newer "$binary" -name '*.cs' -print -quit)" ]; then
  log "publishing edgernn-device (NativeAOT, linux-x64)"
  nice -n 19 dotnet publish src/DeviceHost -r linux-x64 -c Release -o "$REPO_ROOT/artifacts/publish/linux-x64" -nologo -v q >&2
fi

fuzz() { nice -n 19 /usr/bin/python3 "$ENG_DIR/fuzz/fuzz.py" "$@" --binary "$binary" --seed "$seed" --jobs "$jobs"; }
status=0
for c in "${campaigns[@]}"; do
  log "campaign $c"
  case "$c" in
    repro) fuzz repro || status=1 ;;
    models)
      split="${EDGERNN_MODEL_SPLIT:-1}"
      per=$((models / split))
      for ((k = 0; k < split; k++)); do
        nice -n 19 /usr/bin/python3 "$ENG_DIR/fuzz/fuzz.py" models --cases "$per" --binary "$binary" --seed $((seed + k)) --jobs "$jobs" --progress 5000 || status=1
      done ;;
    profiles|csv|state) fuzz "$c" --cases "$files" --progress 1000 || status=1 ;;
    kill9) fuzz kill9 --trials "$trials" --progress 20 || status=1 ;;
    soak) fuzz soak --steps "$steps" || status=1 ;;
    storm)
      # The fault storm and the in-process soak (p99 step latency, GCs) are tests: run them long.
      mkdir -p "$ENG_DIR/fuzz/results"
      EDGERNN_STORM_STEPS="$storm" EDGERNN_SOAK_STEPS="$steps" EDGERNN_SOAK_REPORT="$ENG_DIR/fuzz/results/soak-inprocess-seed$seed.txt" \
        nice -n 19 dotnet test tests/EdgeRnn.DeviceHost.Tests -c Release -nologo \
        --filter "FullyQualifiedName~FuzzSmokeTests.SensorFaultStorm|FullyQualifiedName~FuzzSmokeTests.Soak" \
        --logger "console;verbosity=detailed" 2>&1 | tee "$ENG_DIR/fuzz/results/storm-seed$seed.log" | grep -E "steps in|Passed|Failed|error" || true
      grep -q "Failed!" "$ENG_DIR/fuzz/results/storm-seed$seed.log" && status=1 ;;
    *) echo "unknown campaign: $c" >&2; exit 2 ;;
  esac
done
exit $status
