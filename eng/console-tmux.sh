#!/usr/bin/env bash
# Drives the real NativeAOT edgernn-device's live console in an 80x24 tmux pane, as a field technician would:
# starts `run` on a copy of devices/replay.json (slowed to 10 samples a second), attaches `top --profile`, and checks
# what the pane shows (readings with units and forecasts, the thresholds, the start event, the keys), then presses
# s + y (save, confirmed), r + n (reset, declined), p (pause) and q (quit), checking each effect.
#
#   eng/console-tmux.sh                     # publishes linux-x64 to artifacts/publish/linux-x64 first
#   eng/console-tmux.sh path/to/edgernn-device
#
# Needs tmux. Exit 0 when every check passed; prints the pane on failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-}"
if [[ -z "$binary" ]]; then
  dotnet publish "$root/src/DeviceHost" -c Release -r linux-x64 -o "$root/artifacts/publish/linux-x64" -nologo -v q >/dev/null
  binary="$root/artifacts/publish/linux-x64/edgernn-device"
fi
command -v tmux >/dev/null || { echo "console-tmux: tmux is not installed" >&2; exit 2; }

work="$(mktemp -d /tmp/edgernn-tmux.XXXXXX)"
session="edgernn-console-$$"
run_pid=""
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  if [[ -n "$run_pid" ]]; then kill "$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The replay profile with absolute paths, its state and log in $work, one sample every 100 ms.
sed -e "s#\"models/#\"$root/devices/models/#" -e "s#\"data/#\"$root/devices/data/#" \
    -e "s#\"run/replay-events.jsonl\"#\"$work/events.jsonl\"#" -e "s#\"run/replay.state\"#\"$work/replay.state\"#" \
    -e 's#"speed": 3600000#"speed": 36000#' "$root/devices/replay.json" > "$work/replay.json"
grep -q '"speed": 36000' "$work/replay.json"

env -u RUNTIME_DIRECTORY "$binary" run --profile "$work/replay.json" > "$work/run.out" 2> "$work/run.err" &
run_pid=$!
for _ in $(seq 100); do [[ -S "$work/replay.state.sock" ]] && break; sleep 0.1; done
[[ -S "$work/replay.state.sock" ]] || { echo "run did not open its console socket"; cat "$work/run.err"; exit 1; }

tmux new-session -d -s "$session" -x 80 -y 24 "env -u RUNTIME_DIRECTORY TERM=xterm-256color '$binary' top --profile '$work/replay.json'; echo top-exited-\$?; sleep 5"
pane() { tmux capture-pane -t "$session" -p; }
fail() { echo "FAILED: $1"; echo "----- pane -----"; pane; echo "----------------"; exit 1; }
expect() { # expect <regex> <what>: waits up to 5 s for the pane to show it
  for _ in $(seq 50); do pane | grep -Eq -- "$1" && return 0; sleep 0.1; done
  fail "$2 (no match for /$1/)"
}

expect '^edgernn-device top replay-nab-ambient-temperature  step [0-9]+' "the header"
expect '^nab +temperature +[0-9]+\.[0-9]+ degF +fc +[0-9.]+ (warm-up [0-9]+/100|ok) 0/0/0/0' "the reading with its unit and forecast"
expect 'likelihood [0-9.]+  enter >= 0\.5 ---  exit < 0\.5' "the thresholds"
expect 'step 0 started profile replay-nab-ambient-temperature' "the start event"
expect 'overruns 0 \(0 missed\)' "the overruns"
expect '^p pause r reset s save q quit' "the keys"
width=$(pane | LC_ALL=C.UTF-8 wc -L)
(( width <= 80 )) || fail "a line is $width characters wide"

tmux send-keys -t "$session" s
expect 'Save the state of replay-nab-ambient-temperature now\? y/n' "the save confirmation"
tmux send-keys -t "$session" y
expect 'save: state saved at step [0-9]+' "the save result"
[[ -s "$work/replay.state" ]] || fail "no state file after the save"

tmux send-keys -t "$session" r
expect 'Reset the model and scorer state' "the reset confirmation"
tmux send-keys -t "$session" n
expect 'reset: cancelled' "the declined reset"

tmux send-keys -t "$session" p
expect 'PAUSED' "the pause"
tmux send-keys -t "$session" q
expect '^top-exited-0' "top quitting with exit 0"

kill -0 "$run_pid" || fail "run stopped when the console quit"
kill -TERM "$run_pid"; wait "$run_pid" || true; run_pid=""
grep -q 'stopped' "$work/run.out" || fail "run did not stop cleanly: $(cat "$work/run.out")"
echo "console-tmux: all checks passed ($binary)"
