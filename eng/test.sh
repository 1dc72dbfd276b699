#!/usr/bin/env bash
# Runs every EdgeRnn test, the way CI does. Installs what it needs on a fresh Debian 12 machine with the .NET 10 SDK.
#   1. builds the whole solution in Release (warnings are errors; the benchmarks build too, so they cannot rot);
#   2. runs all xunit tests (ONNX Runtime 1.31.1 is the reference oracle; ONNX's own recurrent node tests are generated
#      from Debian's python3-onnx and must pass `edgernn-device verify`);
#   3. runs the runtime tests again with DOTNET_EnableHWIntrinsic=0, so the scalar kernels meet the same bar;
#   4. publishes edgernn-device with NativeAOT for linux-x64 and fails on any trim/AOT warning;
#   5. the NativeAot trait: publishes linux-x64 and linux-arm64 (cross-compiled), runs the arm64 binary under qemu user
#      mode on devices/replay.json and requires the x64 scores within 1e-5 (a few minutes on 2 cores).
# Ends with a line "N passed, N failed".
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
ensure_dotnet
ensure_aot_toolchain
ensure_arm64_cross
ensure_onnx_node_test_generator
ensure_mosquitto

log_dir="$REPO_ROOT/artifacts/test"
mkdir -p "$log_dir"
: > "$log_dir/summary.txt"

log "build (Release)"
dotnet build EdgeRnn.sln -c Release -nologo -v q

run_tests() { # name, extra env..., dotnet test args...
  local name="$1"; shift
  log "tests: $name"
  local rc=0
  env "$@" 2>&1 | tee "$log_dir/$name.log" || rc=$?
  grep -E "^(Passed|Failed)!" "$log_dir/$name.log" >> "$log_dir/summary.txt" || true
  return $rc
}

status=0
run_tests all dotnet test EdgeRnn.sln -c Release --no-build -nologo --filter "Category!=NativeAot" || status=1
run_tests scalar DOTNET_EnableHWIntrinsic=0 dotnet test tests/EdgeRnn.Runtime.Tests -c Release --no-build -nologo || status=1

run_tests native-aot dotnet test tests/EdgeRnn.DeviceHost.Tests -c Release --no-build -nologo --filter "Category=NativeAot" || status=1

if [ -d src/DeviceHost ]; then
  log "NativeAOT publish of edgernn-device (linux-x64), trim/AOT warnings are failures"
  pub_log="$log_dir/publish-linux-x64.log"
  if dotnet publish src/DeviceHost -c Release -r linux-x64 -o "$REPO_ROOT/artifacts/publish/linux-x64" -nologo > "$pub_log" 2>&1 \
     && ! grep -E "warning (IL|CS)[0-9]+" "$pub_log" >/dev/null; then
    ls -l "$REPO_ROOT/artifacts/publish/linux-x64/edgernn-device"
    echo "Passed!  - Failed:     0, Passed:     1, Skipped:     0, Total:     1 - NativeAOT publish" >> "$log_dir/summary.txt"
  else
    cat "$pub_log"
    echo "Failed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1 - NativeAOT publish" >> "$log_dir/summary.txt"
    status=1
  fi
fi

passed=$(grep -oE "Passed: +[0-9]+" "$log_dir/summary.txt" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE "Failed: +[0-9]+" "$log_dir/summary.txt" | awk '{s+=$2} END {print s+0}')
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
