#!/usr/bin/env bash
# Publishes edgernn-device as a NativeAOT binary for linux-x64 and linux-arm64 (cross-compiled on x64 Debian), fails on
# any trim/AOT warning, runs the arm64 binary under qemu user mode, and prints the sizes.
#   ./eng/publish-device.sh            # both
#   ./eng/publish-device.sh linux-arm64
# Output: artifacts/publish/<rid>/edgernn-device. Copy that one file to the Pi (scp) with devices/.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
ensure_dotnet
ensure_aot_toolchain
rids=("$@")
[ ${#rids[@]} -eq 0 ] && rids=(linux-x64 linux-arm64)
for rid in "${rids[@]}"; do
  [ "$rid" = linux-arm64 ] && ensure_arm64_cross
  out="$REPO_ROOT/artifacts/publish/$rid"
  log "publish edgernn-device for $rid"
  publog="$REPO_ROOT/artifacts/publish-$rid.log"
  mkdir -p "$out"
  dotnet publish src/DeviceHost -c Release -r "$rid" -o "$out" -nologo > "$publog" 2>&1 || { cat "$publog"; exit 1; }
  if grep -E "warning (IL|CS)[0-9]+" "$publog"; then echo "error: trim/AOT warnings (above)" >&2; exit 1; fi
  ls -l "$out/edgernn-device"
done
if [[ " ${rids[*]} " == *" linux-arm64 "* ]]; then
  log "linux-arm64 binary under qemu-aarch64: selftest of the replay profile"
  qemu-aarch64 -L /usr/aarch64-linux-gnu \
    "$REPO_ROOT/artifacts/publish/linux-arm64/edgernn-device" selftest --profile devices/replay.json
fi
