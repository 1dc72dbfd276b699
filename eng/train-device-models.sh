#!/usr/bin/env bash
# Trains the models the shipped device profiles point at, with `edgernn train` (src/Train), so that every profile
# detects with learned weights instead of seeded ones:
#   temperature-forecast.onnx (devices/replay.json) from NAB's ambient temperature recording (devices/data/nab, MIT
#     licence, Numenta): the feature is named `temperature` in degF (the CSV's column is `value`); the sample period
#     (3600 s) comes from the timestamps; NAB's rule: learn only from the probationary period, the first
#     min(15%, 750) rows (--probationary: 750 rows, 31 days); the clock (--time-features week: the device computes
#     them from the replay's timestamps) and the log-tail scorer, as edgernn nab run uses.
#   bme280-forecast.onnx (devices/pi-bme280.json), mpu6050-forecast.onnx (devices/pi-mpu6050.json) and
#     ads1115-forecast.onnx (devices/pi-ads1115.json) from SYNTHETIC recordings: we have no real BME280, MPU6050 or
#     ADS1115 data, so `edgernn synth --kit environment|imu|analog` writes one that behaves like the sensor (the
#     profile's feature names, units and sample period; physical models documented in
#     src/Train/Data/SensorKitRecording.cs), with labelled faults injected after its clean first half. The models learn
#     only from that clean half (--head-fraction 0.5). They are examples that make the profiles work out of the box;
#     retrain on your own sensor's recording for a real installation (devices/README.md shows how).
# Every run uses a fixed synth --seed, a fixed train --seed and --threads 1, so a re-run writes the same models on the
# same machine. Only the deployed streaming graphs are copied into devices/models; the recordings, sequence graphs,
# checkpoints and histories stay in a temp folder (printed; kept with EDGERNN_KEEP_TRAIN_OUTPUT=1).
# Usage: eng/train-device-models.sh [temperature] [bme280] [mpu6050] [ads1115]   (no argument: all four)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_dotnet

all=(temperature bme280 mpu6050 ads1115)
models=("$@")
[ ${#models[@]} -eq 0 ] && models=("${all[@]}")
for m in "${models[@]}"; do
  case " ${all[*]} " in *" $m "*) ;; *) echo "error: unknown model '$m' (choose from: ${all[*]})" >&2; exit 2 ;; esac
done

log "building src/Train (Release)"
dotnet build "$REPO_ROOT/src/Train" -c Release -v q -nologo
edgernn() { dotnet "$REPO_ROOT/src/Train/bin/Release/net10.0/edgernn.dll" "$@"; }

work="$(mktemp -d -t edgernn-device-models-XXXXXX)"
if [ -z "${EDGERNN_KEEP_TRAIN_OUTPUT:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
log "working in $work"

# install_model NAME: copies the trained streaming graph into devices/models.
install_model() {
  install -m 0644 "$work/$1" "$REPO_ROOT/devices/models/$1"
  log "wrote devices/models/$1"
}

train_temperature() {
  local data="$REPO_ROOT/devices/data/nab/ambient_temperature_system_failure.csv"
  log "training temperature-forecast.onnx from $data (NAB's probationary period: the first 750 rows)"
  edgernn train --data "$data" --features value --feature-names temperature --units degF \
    --task forecast --cell lstm --hidden 16 --layers 1 --probationary --time-features week \
    --epochs 40 --seq-len 32 --stride 1 --lr 0.005 --patience 8 \
    --scorer log-tail --short-window 10 --long-window 2000 --warmup-steps 100 --min-duration 2 \
    --seed 7 --threads 1 --out "$work/temperature-forecast.onnx"
  install_model temperature-forecast.onnx
}

# train_kit MODEL KIT FEATURES UNITS HIDDEN STRIDE MIN_DURATION: synthesizes the kit's default recording (seed 1;
# anomalies after the clean first half) and trains a forecast LSTM on that half. Small hidden sizes keep a device
# step in the microseconds; --min-duration is the profile's alarm.minDuration. The columns are named like the
# profile's features already, so --features only fixes the order.
train_kit() {
  local model=$1 kit=$2 features=$3 units=$4 hidden=$5 stride=$6 minDuration=$7
  local data="$work/synth-$kit-seed1.csv"
  edgernn synth --kit "$kit" --seed 1 --clean-fraction 0.5 --out "$data"
  log "training $model from $data (the clean first half)"
  local start=$SECONDS
  edgernn train --data "$data" --features "$features" --units "$units" \
    --task forecast --cell lstm --hidden "$hidden" --layers 1 --head-fraction 0.5 \
    --epochs 40 --seq-len 32 --stride "$stride" --lr 0.005 --patience 8 \
    --short-window 10 --warmup-steps 100 --min-duration "$minDuration" \
    --seed 7 --threads 1 --out "$work/$model"
  log "$model trained in $((SECONDS - start)) s"
  install_model "$model"
}

for m in "${models[@]}"; do
  case "$m" in
    temperature) train_temperature ;;
    # 1 s: slow weather dynamics, so every 8th window of the 1.6 training days is plenty.
    bme280) train_kit bme280-forecast.onnx environment temperature,pressure,humidity 'degC,hPa,%RH' 16 8 3 ;;
    # 50 Hz: six axes of a 12/25 Hz vibration; a wider state to carry both oscillations.
    mpu6050) train_kit mpu6050-forecast.onnx imu accel_x,accel_y,accel_z,gyro_x,gyro_y,gyro_z 'm/s2,m/s2,m/s2,deg/s,deg/s,deg/s' 32 2 5 ;;
    # 10 Hz: current and vibration envelopes through load cycles.
    ads1115) train_kit ads1115-forecast.onnx analog current,vibration V,V 16 2 3 ;;
  esac
done
