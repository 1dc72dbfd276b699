#!/usr/bin/env bash
# Checks the ARM64 int8 kernels (AdvSimd and Dp/SDOT paths) bit for bit against the scalar reference, and the multi-stream
# float kernel against one MatVec per vector, on an x64 machine:
# publishes eng/int8-arm64-check NativeAOT for linux-arm64 and runs it under qemu user mode (qemu's default CPU has
# the dot-product extension, so both paths run). Exit code 0 only when every check matches and both paths ran.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
ensure_dotnet
ensure_arm64_cross
out="$REPO_ROOT/artifacts/int8-arm64-check"
dotnet publish eng/int8-arm64-check -c Release -r linux-arm64 -o "$out" -nologo -v q
qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/EdgeRnn.Int8Arm64Check" --require-dp
