#!/usr/bin/env python3
"""Telemetry figures (issue 15) against a real Mosquitto on 127.0.0.1, with the published edgernn-device binary:

  1. throughput: the same unpaced run (a synthetic sensor through the shipped temperature model) without MQTT and
     with every step's score published (QoS 1 through the on-disk queue); the `stopped` line's step latency p50 / p99
     of both, the messages the subscriber received, their rate, and what the loop's channel dropped (health);
  2. paced runs at 1,000 and 5,000 steps per second with every score published: all of them must arrive, in order,
     with the step latency of the run without MQTT;
  3. a broker outage: a paced run publishing every score, the broker stopped (SIGTERM) for --outage seconds and
     started again: every step's score received in order (or still queued on disk at the end); duplicates (QoS 1 resends) counted; how deep the queue
     got (health) and how long the backlog took to drain after the restart.

usage: eng/telemetry-figures.py [--binary artifacts/publish/linux-x64/edgernn-device] [--steps 300000] [--outage 10]
Needs mosquitto and mosquitto_sub (Debian: mosquitto, mosquitto-clients). Prints a Markdown table and a JSON line.
"""
from __future__ import annotations

import argparse
import getpass
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "devices" / "models" / "temperature-forecast.onnx"
PERIOD_S = 3600  # the model's sample period: speed = PERIOD_S * steps per second


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, folder: Path):
        self.folder, self.port, self.proc = folder, free_port(), None
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            # Run as this user: started as root, mosquitto drops to user 'mosquitto', which cannot write the folder,
            # so nothing persists across the restart and the subscriber's session (and what it missed) is lost.
            f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {folder}/\n"
            "autosave_interval 1\nmax_queued_messages 0\nmax_inflight_messages 0\n"
            f"log_dest file {folder}/mosquitto.log\nlog_type all\nlog_timestamp_format %H:%M:%S\n")

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("mosquitto did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


class Subscriber:
    """mosquitto_sub with a persistent session (QoS 1), so what the broker holds for it while it reconnects is kept."""

    def __init__(self, folder: Path, port: int, device: str):
        self.out = folder / f"sub-{device}.txt"
        self.proc = subprocess.Popen(
            ["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-c", "-i", f"fig-{device}",
             "-t", f"edgernn/{device}/#", "-F", "%U %t %p"], stdout=self.out.open("w"), stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def messages(self) -> list[tuple[float, str, dict]]:
        rows = []
        for line in self.out.read_text(errors="replace").splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3:
                try:
                    rows.append((float(parts[0]), parts[1], json.loads(parts[2])))
                except ValueError:
                    pass
        return rows

    def settle(self, quiet: float = 3.0, limit: float = 120):
        """Waits until nothing new has arrived for `quiet` seconds."""
        t0, size, since = time.monotonic(), -1, time.monotonic()
        while time.monotonic() - t0 < limit:
            s = self.out.stat().st_size
            if s != size:
                size, since = s, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.2)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def profile(folder: Path, device: str, speed: float, port: int | None, scores_every: int = 1) -> Path:
    p = json.loads((REPO / "devices" / "replay.json").read_text())
    p["model"] = str(MODEL)
    p["sensors"] = [{"id": "sig", "kind": "synthetic", "speed": speed,
                     "synthetic": {"offset": 70, "amplitude": 3, "periodSteps": 24, "noise": 0.3, "seed": 3},
                     "readings": [{"reading": "value", "feature": "temperature", "unit": "degF", "min": -40, "max": 150}]}]
    p["outputs"] = {"console": "events"}
    p["state"] = {"path": f"{device}.state", "saveEverySteps": 10000}
    if port is not None:
        p["mqtt"] = {"host": "127.0.0.1", "port": port, "deviceId": device, "healthSeconds": 1,
                     "scoresEverySteps": scores_every, "reconnectMinMs": 100, "reconnectMaxMs": 1000,
                     "queue": {"path": f"{device}-queue", "maxBytes": 256 << 20}}
    path = folder / f"{device}.json"
    path.write_text(json.dumps(p))
    return path


def latency(stdout: str) -> tuple[float, float]:
    m = re.search(r"p50 ([0-9.]+) us p99 ([0-9.]+) us", stdout)
    if not m:
        raise SystemExit(f"no latency in the stopped line:\n{stdout[-2000:]}")
    return float(m.group(1)), float(m.group(2))


def run(binary: str, prof: Path, steps: int, during=None) -> tuple[str, float]:
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "run", "--profile", str(prof), "--max-steps", str(steps)], cwd=prof.parent,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if during:
        during()
    out, err = p.communicate(timeout=600)
    if p.returncode != 0:
        raise SystemExit(f"run exited {p.returncode}: {err[-2000:]}")
    return out, time.monotonic() - t0


def queue_counts(folder: Path) -> tuple[int, int]:
    """(messages ever queued, messages still waiting) from the queue's files: the highest sequence number in a
    segment or the ack file ("ERTA", u16, u16, i64 acknowledged, ...), and the records after the acknowledged one."""
    acked = 0
    ack = folder / "ack"
    if ack.exists() and ack.read_bytes()[:4] == b"ERTA":
        acked = int.from_bytes(ack.read_bytes()[8:16], "little", signed=True)
    top, waiting = acked, 0
    for seg in sorted(folder.glob("*.seg")):
        data, at = seg.read_bytes(), 8
        while at + 25 <= len(data):
            length = int.from_bytes(data[at:at + 4], "little")
            seq = int.from_bytes(data[at + 8:at + 16], "little", signed=True)
            top = max(top, seq)
            waiting += seq > acked
            at += 25 + length
    return top, waiting


def scores(sub: Subscriber, device: str):
    msgs = sub.messages()
    sc = [(t, m) for t, topic, m in msgs if topic == f"edgernn/{device}/scores"]
    health = [m for t, topic, m in msgs if topic == f"edgernn/{device}/health"]
    steps = [m["step"] for _, m in sc]
    first = list(dict.fromkeys(steps))  # first arrivals, in arrival order
    return sc, health, first, len(steps) - len(first)


class _SkipToOutage(Exception):
    pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(REPO / "artifacts/publish/linux-x64/edgernn-device"))
    ap.add_argument("--steps", type=int, default=300000)
    ap.add_argument("--outage", type=float, default=10)
    ap.add_argument("--only-outage", action="store_true", help="run only the broker outage")
    ap.add_argument("--keep", action="store_true", help="keep the working folder (broker, subscriber output, queues)")
    a = ap.parse_args()
    for tool in ("mosquitto", "mosquitto_sub"):
        if not shutil.which(tool):
            print(f"error: {tool} is not installed (apt-get install mosquitto mosquitto-clients)", file=sys.stderr)
            return 2
    folder = Path(tempfile.mkdtemp(prefix="edgernn-telemetry-"))
    broker = Broker(folder)
    broker.start()
    rows, result = [], {}
    try:
        if a.only_outage:
            raise _SkipToOutage
        # 1. Unpaced: how much the device can hand over while stepping as fast as it can.
        base_out, base_wall = run(a.binary, profile(folder, "base", 0, None), a.steps)
        sub = Subscriber(folder, broker.port, "fast")
        out, wall = run(a.binary, profile(folder, "fast", 0, broker.port), a.steps)
        sub.settle()
        sub.stop()
        sc, health, first, dup = scores(sub, "fast")
        queued, waiting = queue_counts(folder / "fast-queue")
        span = sc[-1][0] - sc[0][0] if len(sc) > 1 else float("nan")
        # The run steps far faster than any broker takes messages: the loop hands over what the channel has room for
        # and drops the rest (counted); what was queued but not yet acknowledged at the end waits on disk.
        result["unpaced"] = {"steps": a.steps, "base_p50_p99": latency(base_out), "mqtt_p50_p99": latency(out),
                             "base_wall_s": round(base_wall, 2), "mqtt_wall_s": round(wall, 2), "queued": queued,
                             "left_in_queue": waiting, "received": len(first), "duplicates": dup,
                             "receive_rate_per_s": round(len(sc) / span) if span == span else None}
        rows.append(("unpaced, no MQTT", a.steps, "%.2f / %.2f" % latency(base_out), "-", "-", "-"))
        rows.append(("unpaced, every score published", a.steps, "%.2f / %.2f" % latency(out), f"{len(first):,} ({dup} dup)",
                     f"{queued:,} queued ({a.steps - queued:,} dropped by the channel), {waiting:,} left on disk",
                     f"{result['unpaced']['receive_rate_per_s']:,}/s received"))

        # 2. Paced: every score must arrive.
        for rate in (1000, 5000):
            n = rate * 10
            bout, _ = run(a.binary, profile(folder, f"base{rate}", PERIOD_S * rate, None), n)
            sub = Subscriber(folder, broker.port, f"paced{rate}")
            out, _ = run(a.binary, profile(folder, f"paced{rate}", PERIOD_S * rate, broker.port), n)
            sub.settle()
            sub.stop()
            sc, health, first, dup = scores(sub, f"paced{rate}")
            dropped = max((h.get("queue", {}).get("channelDropped", 0) for h in health), default=0)
            ok = first == list(range(1, n + 1)) or first == list(range(2, n + 1))
            result[f"paced_{rate}"] = {"steps": n, "base_p50_p99": latency(bout), "mqtt_p50_p99": latency(out),
                                       "received": len(first), "in_order_complete": ok, "duplicates": dup, "channel_dropped": dropped}
            rows.append((f"{rate:,} steps/s, no MQTT / every score published", n, "%.2f / %.2f -> %.2f / %.2f" % (*latency(bout), *latency(out)),
                         f"{len(first):,} ({dup} dup){'' if ok else ' INCOMPLETE'}", f"{dropped:,}", "-"))

    except _SkipToOutage:
        pass
    try:
        # 3. Outage: stop the broker while the device publishes, start it again, everything must arrive.
        rate, n = 1000, 1000 * int(a.outage * 5)
        sub = Subscriber(folder, broker.port, "outage")
        marks = {}

        def outage():
            time.sleep(a.outage * 0.5)
            broker.stop()
            marks["down"] = time.time()
            time.sleep(a.outage)
            broker.start()
            marks["up"] = time.time()

        run(a.binary, profile(folder, "outage", PERIOD_S * rate, broker.port), n, during=outage)
        # The subscriber reconnects on its own schedule after the restart; the broker keeps its session's messages.
        sub.settle(quiet=30)
        sub.stop()
        sc, health, first, dup = scores(sub, "outage")
        queued, waiting = queue_counts(folder / "outage-queue")
        # In order and nothing lost: the first arrivals are steps 1..k in order and the rest still wait in the queue.
        ok = first == list(range(1, len(first) + 1)) and len(first) + waiting >= n - 1
        depth = max((h.get("queue", {}).get("depth", 0) for h in health), default=0)
        backlog = [t for t, m in sc if t >= marks["up"]]
        # The device's own view: health messages carry their creation time and the queue depth then (they travel
        # through the same queue, so they arrive late, but their contents are of their moment).
        from datetime import datetime
        device_drain = next((round(datetime.fromisoformat(h["time"].replace("Z", "+00:00")).timestamp() - marks["up"], 2)
                             for h in health if datetime.fromisoformat(h["time"].replace("Z", "+00:00")).timestamp() > marks["up"]
                             and h.get("queue", {}).get("depth", 1 << 30) < 2 * rate), None)
        drain = None
        if backlog:
            # The backlog is drained when scores arrive at the paced rate again: the first arrival after the restart
            # whose step is within one second of the device's current step.
            latest = max(m["step"] for _, m in sc)
            caught = next((t for t, m in sc if t >= marks["up"] and m["step"] >= latest - rate), backlog[-1])
            drain = round(caught - marks["up"], 2)
        result["outage"] = {"steps": n, "outage_s": a.outage, "received": len(first), "in_order_complete": ok,
                            "duplicates": dup, "max_queue_depth_in_health": depth, "drain_s_after_restart": drain, "queue_below_2s_of_steps_s_after_restart": device_drain,
                            "left_in_queue": waiting}
        rows.append((f"broker down {a.outage:g} s during a {rate:,} steps/s run", n, "-", f"{len(first):,} ({dup} dup){'' if ok else ' INCOMPLETE'}",
                     f"queue depth up to {depth:,}; {waiting:,} left on disk", f"queue back under 2 s of steps {device_drain} s after the restart (device's health); subscriber caught up after {drain} s"))
    finally:
        broker.stop()
        if a.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    print("| run | steps | step p50 / p99 (us) | scores received | dropped / queue | publish |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
