#!/usr/bin/env bash
# Shared set-up for eng/*.sh: make sure the .NET SDK and the Debian packages a script needs are present.
set -euo pipefail

ENG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$ENG_DIR/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# ensure_dotnet: the .NET 10 SDK must be on PATH (the project's machines ship it; Debian 12 has no package for it).
ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET 10 SDK is not installed (dotnet is not on PATH). Install it from Microsoft's packages" >&2
    echo "       (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run this script again." >&2
    exit 1
  fi
  local major
  major=$(dotnet --version | cut -d. -f1)
  if [ "$major" -lt 10 ]; then
    echo "error: EdgeRnn needs the .NET 10 SDK; found $(dotnet --version)." >&2
    exit 1
  fi
}

# apt_install PKG...: installs the Debian packages that are missing (apt-get update once per run).
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  if [ -z "${EDGERNN_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    export EDGERNN_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# NativeAOT needs a C toolchain named clang and zlib headers.
ensure_aot_toolchain() {
  apt_install clang zlib1g-dev
}

# ONNX's backend node tests for LSTM / GRU / RNN are generated from the cases in Debian's ONNX package
# (eng/onnx-node-tests.py); the DeviceHost tests verify them.
ensure_onnx_node_test_generator() {
  apt_install python3-onnx
}

# linux-arm64 NativeAOT cross-compilation on x64 Debian (no SysRoot property: it breaks the link), and qemu user mode
# to run the result. The binary needs only libc, libm and the loader, which qemu finds under /usr/aarch64-linux-gnu.
ensure_arm64_cross() {
  apt_install clang llvm binutils-aarch64-linux-gnu libc6-dev-arm64-cross libgcc-12-dev-arm64-cross qemu-user zlib1g-dev
}

# Fleet telemetry tests (issue 15) run against a real MQTT broker: Debian's mosquitto, started by the test fixture on
# 127.0.0.1 on a free port with its own generated config. The package also enables a system service on port 1883;
# the tests never use it, so it is stopped and disabled where systemd runs (best effort: not in containers).
ensure_mosquitto() {
  apt_install mosquitto openssl
  if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled mosquitto >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo systemctl disable --now mosquitto >/dev/null 2>&1 || true
  fi
}

# Builds edgernn and edgernn-quantize (Release) and defines the shell functions edgernn and quantize that run them.
use_built_tools() {
  dotnet build "$REPO_ROOT/src/Train" -c Release -nologo -v q >&2
  dotnet build "$REPO_ROOT/src/Quantize" -c Release -nologo -v q >&2
  edgernn() { dotnet "$REPO_ROOT/src/Train/bin/Release/net10.0/edgernn.dll" "$@"; }
  quantize() { dotnet "$REPO_ROOT/src/Quantize/bin/Release/net10.0/edgernn-quantize.dll" "$@"; }
}
