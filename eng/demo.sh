#!/usr/bin/env bash
# The main job, end to end on this machine:
#   1. builds EdgeRnn (Release) and publishes edgernn-device as a NativeAOT binary for linux-x64;
#   2. makes a 2-layer LSTM (hidden 64) test folder whose expected outputs ONNX Runtime computes;
#   3. shows what the device binary sees in the model, and verifies the device computes the same (|err| <= 1e-5);
#   4. benchmarks one streaming step of EdgeRnn against ONNX Runtime (OrtIoBinding, one thread), LSTM and GRU.
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

log "edgernn testdata: a 2-layer LSTM (input 4, hidden 64) and 200-step sequences, expected outputs from ONNX Runtime"
edgernn testdata --builtin lstm --hidden 64 --input 4 --layers 2 --steps 200 --sets 2 --out "$out/lstm64x2"

log "edgernn-device info"
"$device" info "$out/lstm64x2/model.onnx"

log "edgernn-device verify: the device runtime against ONNX Runtime's outputs"
"$device" verify "$out/lstm64x2"

log "edgernn bench: one streaming step, EdgeRnn vs ONNX Runtime (LSTM, input 4, hidden 64)"
edgernn bench --builtin lstm --hidden 64 --input 4 --steps 20000
log "edgernn bench: GRU, input 4, hidden 64"
edgernn bench --builtin gru --hidden 64 --input 4 --steps 20000
log "done: artifacts in $out"
