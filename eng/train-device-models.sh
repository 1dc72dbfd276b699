#!/usr/bin/env bash
# Trains the device's shipped replay model, devices/models/temperature-forecast.onnx, from NAB's ambient temperature
# recording (devices/data/nab, MIT licence, Numenta) so that `edgernn-device run|replay --profile devices/replay.json`
# detects with learned weights instead of seeded ones.
#   - the feature is named `temperature` in degF (the CSV's column is `value`), as devices/replay.json maps it; the
#     sample period (3600 s) comes from the timestamps;
#   - NAB's rule: learn only from the first 15% of the rows (--head-fraction 0.15); the rest is what the device detects;
#   - fixed --seed and --threads 1, so a re-run writes the same model on the same machine.
# Only the deployed streaming graph is copied into devices/models; the sequence graph, checkpoint and history stay in
# a temp folder (printed; kept with EDGERNN_KEEP_TRAIN_OUTPUT=1).
# Usage: eng/train-device-models.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_dotnet

log "building src/Train (Release)"
dotnet build "$REPO_ROOT/src/Train" -c Release -v q -nologo
edgernn() { dotnet "$REPO_ROOT/src/Train/bin/Release/net10.0/edgernn.dll" "$@"; }

work="$(mktemp -d -t edgernn-device-models-XXXXXX)"
if [ -z "${EDGERNN_KEEP_TRAIN_OUTPUT:-}" ]; then trap 'rm -rf "$work"' EXIT; fi

data="$REPO_ROOT/devices/data/nab/ambient_temperature_system_failure.csv"
log "training temperature-forecast.onnx from $data (first 15% of the rows) in $work"
edgernn train --data "$data" --features value --feature-names temperature --units degF \
  --task forecast --cell lstm --hidden 16 --layers 1 --head-fraction 0.15 \
  --epochs 40 --seq-len 32 --stride 1 --lr 0.005 --patience 8 \
  --short-window 10 --warmup-steps 100 --min-duration 2 \
  --seed 7 --threads 1 --out "$work/temperature-forecast.onnx"

install -m 0644 "$work/temperature-forecast.onnx" "$REPO_ROOT/devices/models/temperature-forecast.onnx"
log "wrote devices/models/temperature-forecast.onnx"
