#!/usr/bin/env bash
# The main job, end to end on this machine:
#   1. builds EdgeRnn (Release) and publishes edgernn-device as a NativeAOT binary for linux-x64;
#   2. edgernn demo: NAB's machine-temperature recording (committed in devices/data/nab): learn from the first 750 rows
#      only (NAB's rule), quantize to int8, replay every row through the device binary, score it with NAB's scorer,
#      summary and plot (artifacts/demo/demo.png);
#   3. makes a 2-layer LSTM (hidden 64) test folder whose expected outputs ONNX Runtime computes;
#   4. shows what the device binary sees in the model, and verifies the device computes the same (|err| <= 1e-5);
#   5. benchmarks one streaming step of EdgeRnn against ONNX Runtime (OrtIoBinding, one thread), LSTM and GRU;
#   6. end to end: a synthetic 3-sensor recording with injected anomalies -> edgernn train (TorchSharp, forecast LSTM,
#      export verified against ORT and the runtime, scorer calibrated) -> edgernn-quantize (int8) -> the device binary
#      verifies the int8 model against ORT and self-checks it, then streams NAB's ambient-temperature recording.
# Installs what it needs on a fresh Debian 12 machine with the .NET 10 SDK. Output goes to artifacts/demo.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
ensure_dotnet
ensure_aot_toolchain

out="$REPO_ROOT/artifacts/demo"
rm -rf "$out" && mkdir -p "$out"

log "build (Release)"
dotnet build EdgeRnn.sln -c Release -nologo -v q

log "publish edgernn-device (NativeAOT, linux-x64)"
dotnet publish src/DeviceHost -c Release -r linux-x64 -o "$REPO_ROOT/artifacts/publish/linux-x64" -nologo -v q
device="$REPO_ROOT/artifacts/publish/linux-x64/edgernn-device"
ls -l "$device"

edgernn() { dotnet "$REPO_ROOT/src/Train/bin/Release/net10.0/edgernn.dll" "$@"; }
quantize() { dotnet "$REPO_ROOT/src/Quantize/bin/Release/net10.0/edgernn-quantize.dll" "$@"; }

log "edgernn demo: NAB machine temperature -> learn under NAB's rule -> int8 -> the device binary -> NAB's scorer"
edgernn demo --device "$device" --out "$out/nab"

log "edgernn testdata: a 2-layer LSTM (input 4, hidden 64) and 200-step sequences, expected outputs from ONNX Runtime"
edgernn testdata --builtin lstm --hidden 64 --input 4 --layers 2 --seq-len 200 --sets 2 --out "$out/lstm64x2"

log "edgernn-device info"
"$device" info --model "$out/lstm64x2/model.onnx"

log "edgernn-device verify: the device runtime against ONNX Runtime's outputs"
"$device" verify "$out/lstm64x2"

log "edgernn bench: one streaming step, EdgeRnn vs ONNX Runtime (LSTM, input 4, hidden 64)"
edgernn bench --builtin lstm --hidden 64 --input 4 --timed-steps 20000
log "edgernn bench: GRU, input 4, hidden 64"
edgernn bench --builtin gru --hidden 64 --input 4 --timed-steps 20000

log "end to end: edgernn synth -> train -> edgernn-quantize -> edgernn-device"
edgernn synth --out "$out/sensors.csv" --rows 4000 --sensors 3
edgernn train --data "$out/sensors.csv" --label anomaly --task forecast --cell lstm --hidden 32 --layers 1 --epochs 12 --out "$out/trained/model.onnx"
quantize --model "$out/trained/model.onnx" -o "$out/trained/model.int8.onnx" --calibration "$out/sensors.csv" --timed-steps 2000
edgernn testdata --model "$out/trained/model.seq.onnx" --seq-len 200 --sets 1 --out "$out/trained-test"
"$device" verify "$out/trained-test"
"$device" info --model "$out/trained/model.int8.onnx" | tail -12
log "edgernn-device: streaming anomaly detection on NAB's ambient temperature recording (replay profile, no hardware)"
"$device" replay --profile devices/replay.json --json | tail -1
log "done: artifacts in $out"
