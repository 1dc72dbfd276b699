#!/usr/bin/python3
"""Fuzz campaigns against the released edgernn-device binary (issue 13's figures, docs/reliability.md "Figures").

  fuzz.py models   --cases 100000 --seed 1     model loader: mutated and hostile ONNX through info / selftest / replay
  fuzz.py profiles --cases 10000  --seed 1     mutated devices/replay.json through replay / run / diag / selftest
  fuzz.py csv      --cases 10000  --seed 1     mutated replay CSVs through replay --csv and run (looping CSV)
  fuzz.py state    --cases 10000  --seed 1     mutated state files through run (restore) and diag
  fuzz.py kill9    --trials 100   --seed 1     kill -9 during run, then check state, log and temp files at the next start
  fuzz.py soak     --steps 10000000            unpaced run on a synthetic profile, RSS sampled; GC and allocation from `stopped`
  fuzz.py repro                                every model in ../shared/repro/models: exit code, message, peak RSS

Every case is one process per command; a case's category is the worst of its commands: success < clean error < crash
< hang (see runner.classify). Peak memory is each process's ru_maxrss; over 64 MB is counted on its own. A case is
reproduced by `--seed S --only N` (the per-case generator is seeded with "S:N"). Crashes, hangs and >64 MB inputs are
saved under eng/fuzz/found/ (the first 3 per signature) with a .txt saying the command and its output. A summary JSON
goes to --summary (default: eng/fuzz/results/<campaign>-seed<S>.json).

Run it with /usr/bin/python3 (python3-onnx for the hostile graphs) and under `nice -n 19` on shared machines.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zlib
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutators as mut  # noqa: E402
import runner  # noqa: E402
from runner import CLEAN, CRASH, HANG, SUCCESS, Tally, classify, worst  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FOUND = REPO / "eng" / "fuzz" / "found"
RESULTS = REPO / "eng" / "fuzz" / "results"
DEVICES = REPO / "devices"
NAB_CSV = DEVICES / "data" / "nab" / "ambient_temperature_system_failure.csv"
MODEL = DEVICES / "models" / "temperature-forecast.onnx"


def repro_dir() -> Path | None:
    for candidate in [os.environ.get("EDGERNN_REPRO"), REPO.parent / "shared" / "repro", REPO.parent.parent / "shared" / "repro", Path("/work/shared/repro")]:
        if candidate and (Path(candidate) / "models").is_dir():
            return Path(candidate)
    return None


# ------------------------------------------------------------------ common plumbing

class Campaign:
    def __init__(self, name: str, args):
        self.name = name
        self.args = args
        self.binary = str(Path(args.binary).resolve())
        self.tally = Tally()
        self.signatures: dict[str, int] = {}
        self.sig_lock = threading.Lock()
        self.root = Path(tempfile.mkdtemp(prefix=f"edgernn-fuzz-{name}-"))
        self.local = threading.local()
        self.started = time.monotonic()
        self.findings: list[dict] = []

    def workdir(self) -> Path:
        d = getattr(self.local, "dir", None)
        if d is None:
            d = Path(tempfile.mkdtemp(prefix="w", dir=self.root))
            self.local.dir = d
            self.prepare(d)
        return d

    def prepare(self, d: Path) -> None:
        pass

    def device(self, args: list[str], cwd: Path, timeout: float, term_grace: float | None = None) -> runner.Result:
        return runner.run([self.binary] + args, str(cwd), timeout, term_grace)

    def record(self, case: int, results: list[tuple[runner.Result, str]], inputs: dict[str, bytes], named: bool = True, extra: str = "") -> str:
        category = SUCCESS
        peak = 0
        for r, c in results:
            category = worst(category, c)
            peak = max(peak, r.maxrss_kb)
        self.tally.add(category, peak, f"{self.args.seed}:{case}", len(results), named)
        if category in (CRASH, HANG) or peak > runner.MEMORY_LIMIT_KB:
            self.save_finding(case, category, peak, results, inputs, extra)
        return category

    def save_finding(self, case, category, peak, results, inputs, extra):
        bad = next(((r, c) for r, c in results if c in (CRASH, HANG)), None) or max(results, key=lambda rc: rc[0].maxrss_kb)
        r, c = bad
        kind = category if category in (CRASH, HANG) else "memory"
        text = (r.stderr + r.stdout)
        m = re.search(r"Unhandled exception[.:] ([\w.]+)", text)
        # Memory findings: the seed the input came from and the first words of the message tell the kinds apart.
        words = " ".join(re.sub(r"[^A-Za-z ]", " ", re.sub(r"^error: \S+", "", r.stderr.strip().split("\n")[0])).split()[:6])
        head = m.group(1) if m else (f"signal {r.sig}" if r.sig else f"rc {r.rc}" if kind != "memory" else f"{extra.split(' ')[-1]}: {words}")
        if kind == "memory":
            self.tally.note(f"over 64 MB: {self.args.seed}:{case} {peak // 1024} MB {r.argv[1]} ({extra}): {r.stderr.strip()[:160]}")
        frames = re.findall(r"at ([\w.`<>]+)\(", text)[:2]
        signature = f"{kind}:{r.argv[1]}:{head}:{'/'.join(frames)}"
        with self.sig_lock:
            n = self.signatures.get(signature, 0)
            self.signatures[signature] = n + 1
            self.tally.note("signature " + signature)
            if n >= 3:
                return
            FOUND.mkdir(parents=True, exist_ok=True)
            stem = f"{self.name}-seed{self.args.seed}-case{case}-{kind}"
            for name, data in inputs.items():
                if len(data) > 65536:   # big inputs are mostly repetition: keep the repository small
                    (FOUND / f"{stem}-{name}.gz").write_bytes(gzip.compress(data, 9))
                else:
                    (FOUND / f"{stem}-{name}").write_bytes(data)
            report = [f"campaign {self.name}, seed {self.args.seed}, case {case}: {kind} (peak {peak} KB)", f"signature {signature}", extra]
            for rr, cc in results:
                report.append(f"$ {' '.join(rr.argv[1:])}  (cwd = the case folder)\n-> {cc}, rc={rr.rc} signal={rr.sig} hang={rr.hang} "
                              f"maxrss={rr.maxrss_kb} KB wall={rr.wall_s:.2f} s\nstderr: {rr.stderr[:3000]}\nstdout: {rr.stdout[:1500]}")
            (FOUND / f"{stem}.txt").write_text("\n".join(report), encoding="utf-8", errors="replace")
            self.findings.append({"case": case, "kind": kind, "signature": signature, "file": f"eng/fuzz/found/{stem}.txt"})

    def run_cases(self, count: int, fn) -> None:
        only = self.args.only
        indices = [only] if only is not None else range(self.args.first, self.args.first + count)
        done = [0]
        lock = threading.Lock()

        def one(i):
            if self.past_deadline():
                return
            fn(i, random.Random(f"{self.args.seed}:{i}"))
            with lock:
                done[0] += 1
                if done[0] % self.args.progress == 0:
                    self.progress(done[0])

        with ThreadPoolExecutor(self.args.jobs) as pool:
            for f in [pool.submit(one, i) for i in indices]:
                f.result()

    def progress(self, cases: int) -> None:
        t = self.tally
        print(f"[{self.name}] {cases} cases, {time.monotonic() - self.started:.0f} s: {t.success} ok, {t.clean_error} clean, "
              f"{t.crash} crash, {t.hang} hang, {t.over_64mb} >64MB, peak {t.peak_kb / 1024:.1f} MB", file=sys.stderr, flush=True)

    def past_deadline(self) -> bool:
        """--minutes: stop starting cases after this long (the summary says how many ran)."""
        if self.args.minutes and time.monotonic() - self.started > self.args.minutes * 60:
            self.tally.note("cases not started: the --minutes limit passed")
            return True
        return False

    def finish(self, extra: dict | None = None) -> dict:
        summary = {
            "campaign": self.name, "seed": self.args.seed, "binary": self.binary, "wall_s": round(time.monotonic() - self.started, 1),
            "commit": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
            **self.tally.as_dict(), "findings": self.findings, **(extra or {}),
        }
        path = Path(self.args.summary) if self.args.summary else RESULTS / f"{self.name}-seed{self.args.seed}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=1, default=str) + "\n")
        print(json.dumps({k: v for k, v in summary.items() if k not in ("notes", "findings")}, default=str))
        if not self.args.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        return summary


def replay_profile(model: str, csv: str, *, speed: float = 0, loop: bool = False, state: bool = True, save_every: int = 1000,
                   max_bytes: int = 1048576, console: str = "events") -> dict:
    p = json.loads((DEVICES / "replay.json").read_text())
    p["model"] = model
    s = p["sensors"][0]
    s["file"] = csv
    s["speed"] = speed
    if loop:
        s["loop"] = True
    p["outputs"]["console"] = console
    p["outputs"]["eventLog"] = {"path": "run/events.jsonl", "maxBytes": max_bytes, "keep": 3}
    if state:
        p["state"] = {"path": "run/device.state", "saveEverySteps": save_every}
    else:
        p.pop("state", None)
    return p


# ------------------------------------------------------------------ models

class ModelCampaign(Campaign):
    def __init__(self, args):
        super().__init__("models", args)
        seeds = sorted(DEVICES.glob("models/*.onnx"))
        repro = repro_dir()
        if repro:
            seeds += sorted((repro / "models").glob("*.onnx"))
        self.seeds = [(p.name, p.read_bytes()) for p in seeds]
        self.small = [(n, b) for n, b in self.seeds if len(b) <= 262144]
        self.trees = []
        for n, b in self.small:
            try:
                self.trees.append((n, mut.pb_parse(b)))
            except ValueError:
                pass
        import hostile
        self.hostile = hostile.generate(args.hostile, args.seed, hostile.metadata_of(str(MODEL)))
        self.hostile_trees = []
        for n, b in self.hostile:
            if len(b) <= 262144:
                try:
                    self.hostile_trees.append((n, mut.pb_parse(b)))
                except ValueError:
                    pass
        self.pool = [b for _, b in self.small]
        print(f"[models] {len(self.seeds)} seed models ({len(self.trees)} parsed), {len(self.hostile)} hostile graphs", file=sys.stderr)

    def prepare(self, d: Path) -> None:
        (d / "profile.json").write_text(json.dumps(replay_profile("case.onnx", str(NAB_CSV), state=False)))

    def make(self, i: int, rnd: random.Random) -> tuple[bytes, str]:
        if i < len(self.hostile):               # every hostile graph once, as generated
            n, b = self.hostile[i]
            return b, "hostile " + n
        x = rnd.random()
        if x < 0.08:
            n, b = rnd.choice(self.hostile)
            return b, "hostile " + n
        if x < 0.22 and self.hostile_trees:
            n, t = rnd.choice(self.hostile_trees)
            for _ in range(rnd.choice([1, 1, 2, 3])):
                t = mut.tree_mutation(t, rnd, [tt for _, tt in self.trees])
            return mut.pb_serialize(t), "hostile+tree " + n
        if x < 0.55:
            n, t = rnd.choice(self.trees)
            for _ in range(rnd.choice([1, 1, 1, 2, 4])):
                t = mut.tree_mutation(t, rnd, [tt for _, tt in self.trees])
            return mut.pb_serialize(t), "tree " + n
        if x < 0.65:
            n, t = rnd.choice(self.trees[:4])   # the shipped models carry the edgernn metadata
            return mut.pb_serialize(mut.metadata_mutation(t, rnd)), "metadata " + n
        n, b = rnd.choice(self.seeds if rnd.random() < 0.1 else self.small)
        for _ in range(rnd.choice([1, 1, 1, 2, 3, 8])):
            b = mut.raw_mutation(b, rnd, self.pool)
        return b, "raw " + n

    def step_commands(self, d: Path, data: bytes, how: str) -> list[tuple[runner.Result, str]]:
        """For a model that loads: the golden vector (selftest steps it) and, when it carries the edgernn metadata, a
        200-step replay of the NAB data (normalization, streaming plan, scorer)."""
        t = self.args.timeout
        results = []
        r2 = self.device(["selftest", "--model", "case.onnx"], d, t)
        results.append((r2, classify(r2, {0}, {1, 2})))
        if r2.rc in (0, 1) or (how.startswith("metadata") and b"edgernn.features" in data):
            r3 = self.device(["replay", "--profile", "profile.json", "--limit", "200"], d, t)
            results.append((r3, classify(r3, {0}, {2})))
            if r3.rc == 0:
                self.tally.note("replayed 200 steps")
        if r2.rc == 0:
            self.tally.note("golden vector passed")
        return results

    def case(self, i: int, rnd: random.Random) -> None:
        """One case on its own: info, then the stepping commands if it loads."""
        data, how = self.make(i, rnd)
        d = self.workdir()
        (d / "case.onnx").write_bytes(data)
        r = self.device(["info", "case.onnx"], d, self.args.timeout)
        results = [(r, classify(r, {0}, {2}))]
        named = r.rc != 2 or "case.onnx" in r.stderr
        if r.rc == 0:
            self.tally.note("loaded")
            results += self.step_commands(d, data, how)
        self.record(i, results, {"case.onnx": data}, named, how)

    def batch(self, first: int, count: int) -> None:
        """Cases first..first+count-1: `verify` loads and plans them all in one process (each folder holds one
        model.onnx and no data sets, so a model that loads is reported as 'no test_data_set_N folders'). A batch that
        crashes, hangs or passes 64 MB is run again case by case, so every finding is one model. Models that load go
        on to the stepping commands one by one."""
        d = self.workdir()
        b = d / "batch"
        shutil.rmtree(b, ignore_errors=True)
        b.mkdir()
        cases = {}
        for i in range(first, first + count):
            data, how = self.make(i, random.Random(f"{self.args.seed}:{i}"))
            (b / f"{i:07d}").mkdir()
            (b / f"{i:07d}" / "model.onnx").write_bytes(data)
            cases[i] = (data, how)
        r = runner.run([self.binary, "verify"] + [f"{i:07d}" for i in cases], str(b), self.args.timeout * 4)
        c = classify(r, set(), {2})
        if c != CLEAN or r.maxrss_kb > runner.MEMORY_LIMIT_KB:
            self.tally.note(f"batches rerun case by case ({c}, {r.maxrss_kb // 1024} MB)")
            for i in cases:
                self.case(i, random.Random(f"{self.args.seed}:{i}"))
            return
        self.tally.note("batch verify processes")
        messages = {}
        for line in r.stderr_full.splitlines():
            m = re.match(r"error: (\d{7})[/:]", line)
            if m:
                messages.setdefault(int(m.group(1)), line)
        for i, (data, how) in cases.items():
            msg = messages.get(i)
            if msg is None:
                # Not reported: run it alone, which decides.
                self.tally.note("case missing from a batch's output")
                self.case(i, random.Random(f"{self.args.seed}:{i}"))
                continue
            if "no test_data_set_N folders" in msg:
                self.tally.note("loaded")
                (d / "case.onnx").write_bytes(data)
                results = [(r, SUCCESS)] + self.step_commands(d, data, how)
                self.record(i, results, {"case.onnx": data}, True, how)
            else:
                self.record(i, [(r, CLEAN)], {"case.onnx": data}, f"{i:07d}/model.onnx" in msg, how)

    def run_batches(self) -> None:
        if self.args.only is not None or self.args.batch <= 1:
            self.run_cases(self.args.cases, self.case)
            return
        size = self.args.batch
        starts = list(range(self.args.first, self.args.first + self.args.cases, size))
        done = [0]
        lock = threading.Lock()

        def one(start):
            if self.past_deadline():
                return
            self.batch(start, min(size, self.args.first + self.args.cases - start))
            with lock:
                done[0] += 1
                if done[0] % max(1, self.args.progress // size) == 0:
                    self.progress(self.tally.cases)

        with ThreadPoolExecutor(self.args.jobs) as pool:
            for f in [pool.submit(one, s) for s in starts]:
                f.result()


# ------------------------------------------------------------------ profiles

class ProfileCampaign(Campaign):
    def __init__(self, args):
        super().__init__("profiles", args)
        self.base = replay_profile("model.onnx", "data.csv", speed=0, save_every=20)
        self.base["outputs"]["eventLog"]["path"] = "run/replay-events.jsonl"
        self.csv_lines = NAB_CSV.read_text().splitlines()[:301]

    def prepare(self, d: Path) -> None:
        shutil.copy(MODEL, d / "model.onnx")
        (d / "data.csv").write_text("\n".join(self.csv_lines) + "\n")
        self.model_hash = hashlib.sha256(MODEL.read_bytes()).hexdigest()

    def case(self, i: int, rnd: random.Random) -> None:
        d = self.workdir()
        text = mut.json_mutation_text(self.base, rnd)
        data = text.encode("utf-8", "surrogatepass")
        p = d / "case.json"
        p.write_bytes(data)
        shutil.rmtree(d / "run", ignore_errors=True)
        t = self.args.timeout
        results = []
        r = self.device(["replay", "--profile", "case.json", "--limit", "100"], d, t)
        results.append((r, classify(r, {0}, {2})))
        named = r.rc != 2 or "case.json" in r.stderr or "$." in r.stderr
        # run may be paced by a mutated speed or period: SIGTERM at the timeout must stop it cleanly (exit 0).
        r = self.device(["run", "--profile", "case.json", "--steps", "60"], d, min(t, 5), term_grace=10)
        results.append((r, classify(r, {0}, {2})))
        if r.terminated:
            self.tally.note("run paced, stopped by SIGTERM")
        r = self.device(["diag", "--profile", "case.json"], d, t)
        results.append((r, classify(r, {0, 1}, {2})))
        if i % 4 == 0:   # selftest reads the same profile fields as replay; one case in four
            r = self.device(["selftest", "--profile", "case.json"], d, t)
            results.append((r, classify(r, {0}, {1, 2})))
        # The model and data are the worker's copies; a profile must never make the device write over them.
        if hashlib.sha256((d / "model.onnx").read_bytes()).hexdigest() != self.model_hash or not (d / "data.csv").exists():
            self.tally.data_lost += 1
            self.tally.note("model or data file overwritten")
            self.prepare(d)
        self.record(i, results, {"profile.json": data}, named)


# ------------------------------------------------------------------ csv

class CsvCampaign(Campaign):
    def __init__(self, args):
        super().__init__("csv", args)
        self.lines = NAB_CSV.read_text().splitlines()[:401]

    def prepare(self, d: Path) -> None:
        shutil.copy(MODEL, d / "model.onnx")
        (d / "replay.json").write_text(json.dumps(replay_profile("model.onnx", "case.csv", speed=0, state=False)))
        (d / "run.json").write_text(json.dumps(replay_profile("model.onnx", "case.csv", speed=0, loop=True, save_every=200)))

    def case(self, i: int, rnd: random.Random) -> None:
        d = self.workdir()
        data = mut.csv_mutation(self.lines, rnd)
        (d / "case.csv").write_bytes(data)
        shutil.rmtree(d / "run", ignore_errors=True)
        t = self.args.timeout
        results = []
        r = self.device(["replay", "--profile", "replay.json", "--limit", "1000"], d, t)
        results.append((r, classify(r, {0}, {2})))
        named = r.rc != 2 or "case.csv" in r.stderr
        if r.rc == 0 and "malformed" in r.stderr:
            self.tally.note("malformed rows warned")
        r = self.device(["run", "--profile", "run.json", "--steps", "500"], d, t)
        results.append((r, classify(r, {0}, {2})))
        self.record(i, results, {"case.csv": data}, named)


# ------------------------------------------------------------------ state

class StateCampaign(Campaign):
    def __init__(self, args):
        super().__init__("state", args)
        d = Path(tempfile.mkdtemp(prefix="base", dir=self.root))
        self.write_setup(d)
        r = self.device(["run", "--profile", "profile.json", "--steps", "1500"], d, 120)
        if r.rc != 0 or not (d / "run" / "device.state").exists():
            raise SystemExit(f"could not make a base state file: {r.stderr}")
        self.base_state = (d / "run" / "device.state").read_bytes()
        print(f"[state] base state file: {len(self.base_state)} bytes", file=sys.stderr)

    def write_setup(self, d: Path) -> None:
        shutil.copy(MODEL, d / "model.onnx")
        (d / "data.csv").write_text("\n".join(NAB_CSV.read_text().splitlines()[:2001]) + "\n")
        (d / "profile.json").write_text(json.dumps(replay_profile("model.onnx", "data.csv", speed=0, save_every=1000)))

    def prepare(self, d: Path) -> None:
        self.write_setup(d)

    def case(self, i: int, rnd: random.Random) -> None:
        d = self.workdir()
        data, how = mut.state_mutation(self.base_state, rnd)
        shutil.rmtree(d / "run", ignore_errors=True)
        (d / "run").mkdir()
        (d / "run" / "device.state").write_bytes(data)
        t = self.args.timeout
        results = []
        if i % 5 == 0:   # diag reads the state file too; one case in five keeps the campaign near 20 minutes
            r = self.device(["diag", "--profile", "profile.json"], d, t)
            results.append((r, classify(r, {0, 1}, {2})))
        r = self.device(["run", "--profile", "profile.json", "--steps", "5"], d, t)
        results.append((r, classify(r, {0}, {2})))
        restored = "state_restored" in r.stdout
        discarded = "state_discarded" in r.stdout
        self.tally.note("restored" if restored else "discarded" if discarded else "neither restored nor discarded")
        if data == self.base_state and not restored:
            self.tally.data_lost += 1
        # After a discard the run's final save must have replaced the file with a good one: a second start restores it.
        if r.rc == 0:
            r2 = self.device(["run", "--profile", "profile.json", "--steps", "1"], d, t)
            results.append((r2, classify(r2, {0}, {2})))
            if "state_restored" not in r2.stdout:
                self.tally.note("saved state not restored at the next start")
                self.tally.data_lost += 1
        self.record(i, results, {"device.state": data}, True, how)


# ------------------------------------------------------------------ kill -9

def _read_lines(path: Path) -> list[bytes]:
    data = path.read_bytes() if path.exists() else b""
    return data.split(b"\n")


def _log_files(run: Path) -> list[Path]:
    return sorted(run.glob("events.jsonl*"))


def _queue_records(folder: Path) -> tuple[dict[int, int], list[str]]:
    """The telemetry queue's records as {sequence number: CRC-32} and what is wrong with its files (the segment format
    of src/DeviceHost/Telemetry/TelemetryQueue.cs: "ERTQ" header, then u32 length, u32 CRC-32, i64 seq, i64 time, u8
    kind, body). A torn record at the end of the last segment is reported as "torn" (a kill inside a write(2) that
    spans pages can leave one; the queue cuts it at the next start); anything else is damage."""
    records: dict[int, int] = {}
    problems: list[str] = []
    segs = sorted(folder.glob("*.seg")) if folder.exists() else []
    last_seq = 0
    for i, seg in enumerate(segs):
        data = seg.read_bytes()
        if data[:4] != b"ERTQ":
            problems.append(f"{seg.name}: bad header")
            continue
        at = 8
        while at < len(data):
            if at + 25 > len(data):
                problems.append(f"torn record at the end of {seg.name}" if i == len(segs) - 1 else f"{seg.name}: short record")
                break
            length, crc = int.from_bytes(data[at:at + 4], "little"), int.from_bytes(data[at + 4:at + 8], "little")
            end = at + 25 + length
            if end > len(data):
                problems.append(f"torn record at the end of {seg.name}" if i == len(segs) - 1 else f"{seg.name}: short record")
                break
            if zlib.crc32(data[at + 8:end]) != crc:
                problems.append(f"{seg.name}: bad CRC at byte {at}")
                break
            seq = int.from_bytes(data[at + 8:at + 16], "little", signed=True)
            if seq <= last_seq:
                problems.append(f"{seg.name}: sequence {seq} after {last_seq}")
            last_seq = seq
            records[seq] = crc
            at = end
    return records, problems


def kill9(args) -> dict:
    """run at full speed on a looping CSV (a save every 25 steps, a 64 KB log rotating), kill -9 at a random moment,
    then look at the files the dead process left and start again. Checked per trial:
      - state: the file left behind is absent or has a valid outer checksum (saves are atomic), and the next start
        restores it (a `state_restored` event, never `state_discarded`);
      - log: every line of every log file is complete JSON after the next start (a cut last line is repaired);
      - lines: every complete line the killed process wrote is still in the log after the next start (write(2) per
        line: a process crash loses nothing; a power cut is another matter, see docs/reliability.md 9);
      - temp: no .device.state.<hex>.tmp file remains after the next start;
      - telemetry queue (the profile publishes to a broker that refuses connections, so every event, score and health
        message is queued on disk): every record the killed process wrote has a valid CRC-32 and rising sequence
        numbers (a torn last record is counted, not a failure: the queue cuts it); after the next start every one of
        them is still queued, new messages are numbered after them, and no temporary file remains in the queue;
      - the next start exits 0 within the timeout, with no crash and within 64 MB."""
    camp = Campaign("kill9", args)
    rnd = random.Random(args.seed)
    lines = NAB_CSV.read_text().splitlines()
    lost_detail = []
    for trial in range(args.trials):
        # Trials run in chains of 4 on one folder: later kills land in restores, log repairs and rotations too.
        d = camp.root / f"chain{trial // 4}"
        if trial % 4 == 0:
            d.mkdir()
            shutil.copy(MODEL, d / "model.onnx")
            (d / "data.csv").write_text("\n".join(lines) + "\n")
            profile = replay_profile("model.onnx", "data.csv", speed=0, loop=True, save_every=25, max_bytes=65536)
            # Port 9 (discard) on loopback refuses: the publisher retries with backoff and everything stays queued.
            profile["mqtt"] = {"host": "127.0.0.1", "port": 9, "deviceId": "kill9", "healthSeconds": 1, "scoresEverySteps": 50,
                               "reconnectMinMs": 100, "reconnectMaxMs": 1000, "queue": {"path": "run/queue", "maxBytes": 64 << 20}}
            (d / "profile.json").write_text(json.dumps(profile))
        p = subprocess.Popen([camp.binary, "run", "--profile", "profile.json"], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=runner.ENV)
        time.sleep(rnd.choice([0.0, 0.005, 0.02, 0.05]) + rnd.random() * rnd.choice([0.1, 0.5, 2.0]))
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        run = d / "run"
        state = run / "device.state"
        before_state = state.read_bytes() if state.exists() else None
        complete_before = []
        for f in _log_files(run):
            if f.name.endswith(".3"):
                continue  # the oldest kept file (keep = 3) may rightly be dropped by a rotation at the next start
            parts = _read_lines(f)
            complete_before += [l for l in parts[:-1] if l]
        temps_before = len(list(run.glob(".device.state.*.tmp"))) if run.exists() else 0
        camp.tally.note("temp files left by the kill", temps_before)
        problems = []
        queue = run / "queue"
        queued_before, queue_problems = _queue_records(queue)
        camp.tally.note("queued messages left by the kills", len(queued_before))
        for qp in queue_problems:
            if qp.startswith("torn record"):
                camp.tally.note("torn last queue record (cut at the next start)")
            else:
                problems.append(f"queue: {qp}")
        if before_state is not None:
            if len(before_state) < 80 or hashlib.sha256(before_state[:-32]).digest() != before_state[-32:]:
                problems.append("state file left by the kill has a bad checksum")
        r = runner.run([camp.binary, "run", "--profile", "profile.json", "--steps", "30"], str(d), args.timeout)
        c = classify(r, {0}, set())
        if before_state is not None and "state_restored" not in r.stdout:
            problems.append("the saved state was not restored")
        if "state_discarded" in r.stdout:
            problems.append("state discarded")
        after = []
        for f in _log_files(run):
            for l in _read_lines(f)[:-1]:
                if not l:
                    continue
                try:
                    json.loads(l)
                except ValueError:
                    problems.append(f"invalid JSON line in {f.name}: {l[:80]!r}")
                after.append(l)
            if f.read_bytes() and not f.read_bytes().endswith(b"\n"):
                problems.append(f"{f.name} does not end with a newline")
        after_set = set(after)
        missing = [l for l in complete_before if l not in after_set]
        # Rotation at the next start may push the oldest file out (keep = 3): only lines of files still kept count.
        if missing:
            problems.append(f"{len(missing)} complete lines lost, e.g. {missing[0][:80]!r}")
        if list(run.glob(".device.state.*.tmp")):
            problems.append("temporary state file left after the next start")
        queued_after, queue_problems = _queue_records(queue)
        problems += [f"queue after the next start: {qp}" for qp in queue_problems]
        lost_queued = [q for q, crc in queued_before.items() if queued_after.get(q) != crc]
        if lost_queued:
            problems.append(f"{len(lost_queued)} queued messages lost or changed at the next start, e.g. sequence {lost_queued[0]}")
        if queued_before and [q for q in queued_after if q not in queued_before and q <= max(queued_before)]:
            problems.append("a new message was numbered inside the range already queued")
        if queue.exists() and list(queue.glob(".*.tmp")):
            problems.append("temporary file left in the queue after the next start")
        if "log_repaired" in b"".join(after).decode("utf-8", "replace"):
            camp.tally.note("log repaired at the next start")
        if before_state is not None:
            camp.tally.note("state present after the kill")
        if problems:
            camp.tally.data_lost += 1
            lost_detail.append({"trial": trial, "problems": problems[:5]})
            c = worst(c, CLEAN) if c == SUCCESS else c
        camp.tally.add(c if not problems else (c if c in (CRASH, HANG) else "clean_error"), r.maxrss_kb, f"trial {trial}", 1)
        if c in (CRASH, HANG):
            camp.save_finding(trial, c, r.maxrss_kb, [(r, c)], {}, "kill -9 trial")
        if (trial + 1) % args.progress == 0:
            print(f"[kill9] {trial + 1} trials, {camp.tally.data_lost} with problems", file=sys.stderr, flush=True)
        if trial % 4 == 3:
            shutil.rmtree(d, ignore_errors=True)
    return camp.finish({"trials_with_problems": lost_detail[:20]})


# ------------------------------------------------------------------ soak

def soak(args) -> dict:
    """`run --steps N` unpaced on a synthetic sensor (the same model and normalization as the replay profile), with
    a state save every 10,000 steps and the event log on; RSS (VmRSS) sampled every second. The `stopped` event gives
    the steady-state allocation per step and the GC count; the step rate is measured over the first and last tenth."""
    camp = Campaign("soak", args)
    d = camp.root
    shutil.copy(MODEL, d / "model.onnx")
    p = replay_profile("model.onnx", "unused.csv", speed=0, save_every=10000)
    p["sensors"][0] = {"id": "sig", "kind": "synthetic", "speed": 0,
                       "synthetic": {"offset": 70, "amplitude": 3, "periodSteps": 24, "noise": 0.3, "seed": 3, "anomalyAtStep": args.steps // 2, "anomalyShift": 8},
                       "readings": [{"reading": "value", "feature": "temperature", "unit": "degF", "min": -40, "max": 150}]}
    (d / "profile.json").write_text(json.dumps(p))
    proc = subprocess.Popen([camp.binary, "run", "--profile", "profile.json", "--steps", str(args.steps)], cwd=d,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=runner.ENV, text=True)
    samples = []
    t0 = time.monotonic()
    status = Path(f"/proc/{proc.pid}/status")

    def sample():
        while proc.poll() is None:
            try:
                text = status.read_text()
                rss = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
                hwm = int(re.search(r"VmHWM:\s+(\d+)", text).group(1))
                samples.append((round(time.monotonic() - t0, 2), rss, hwm))
            except (OSError, AttributeError):
                pass
            time.sleep(1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    th.join()
    wall = time.monotonic() - t0
    stopped = next((l for l in out.splitlines() if "stopped" in l), "")
    rss = [s[1] for s in samples]
    n = max(1, len(rss) // 10)
    result = {
        "steps": args.steps, "exit": proc.returncode, "wall_s": round(wall, 1), "steps_per_s": round(args.steps / wall),
        "rss_kb_first_tenth_max": max(rss[:n]) if rss else None, "rss_kb_last_tenth_max": max(rss[-n:]) if rss else None,
        "rss_kb_max": max(rss) if rss else None, "hwm_kb": samples[-1][2] if samples else None,
        "stopped": stopped[-600:], "stderr": err[-600:], "samples": samples[:: max(1, len(samples) // 60)],
        "log_lines": sum(1 for f in (d / "run").glob("events.jsonl*") for _ in f.open("rb")),
    }
    camp.tally.add(SUCCESS if proc.returncode == 0 else CRASH, samples[-1][2] if samples else 0, "soak", 1)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}), file=sys.stderr)
    return camp.finish(result)


# ------------------------------------------------------------------ repro

def repro(args) -> dict:
    camp = Campaign("repro", args)
    rd = repro_dir()
    if rd is None:
        raise SystemExit("no ../shared/repro/models found (set EDGERNN_REPRO)")
    rows = []
    d = camp.root
    for f in sorted((rd / "models").glob("*.onnx")):
        shutil.copy(f, d / "case.onnx")
        (d / "profile.json").write_text(json.dumps(replay_profile("case.onnx", str(NAB_CSV), state=False)))
        row = {"model": f.name}
        results = []
        for label, argv, ok, clean in [("info", ["info", "case.onnx"], {0}, {2}),
                                       ("selftest", ["selftest", "--model", "case.onnx"], {0}, {1, 2}),
                                       ("replay", ["replay", "--profile", "profile.json", "--limit", "200"], {0}, {2})]:
            r = runner.run([camp.binary] + argv, str(d), args.timeout)
            c = classify(r, ok, clean)
            results.append((r, c))
            msg = (r.stderr.strip().splitlines() or [""])[0].replace(str(d) + "/", "")
            row[label] = {"rc": r.rc, "signal": r.sig, "class": c, "maxrss_kb": r.maxrss_kb, "wall_s": round(r.wall_s, 2), "message": msg[:240]}
        camp.record(len(rows), results, {f.name: f.read_bytes()} if any(c in (CRASH, HANG) or r.maxrss_kb > runner.MEMORY_LIMIT_KB for r, c in results) else {}, True, f.name)
        rows.append(row)
        print(f"{f.name}: " + "; ".join(f"{k} rc={v['rc']} {v['class']} {v['maxrss_kb'] // 1024} MB {v['wall_s']} s: {v['message'][:100]}" for k, v in row.items() if k != "model"), file=sys.stderr)
    return camp.finish({"rows": rows})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("campaign", choices=["models", "profiles", "csv", "state", "kill9", "soak", "repro"])
    ap.add_argument("--binary", default=str(REPO / "artifacts" / "publish" / "linux-x64" / "edgernn-device"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--first", type=int, default=0, help="first case number (split a campaign across runs)")
    ap.add_argument("--only", type=int, default=None, help="run this one case number (reproduce a finding)")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--steps", type=int, default=10_000_000)
    ap.add_argument("--hostile", type=int, default=400, help="hostile graphs generated for the models campaign")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=100, help="models: cases loaded by one `verify` process (1 = one info per case)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before a command counts as a hang")
    ap.add_argument("--progress", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=None, help="start no case after this many minutes (the summary counts what ran)")
    ap.add_argument("--summary", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temp folders")
    args = ap.parse_args()
    if not Path(args.binary).exists():
        raise SystemExit(f"{args.binary} not found: dotnet publish src/DeviceHost -r linux-x64 -c Release -o artifacts/publish/linux-x64")
    if args.campaign == "kill9":
        s = kill9(args)
    elif args.campaign == "soak":
        s = soak(args)
    elif args.campaign == "repro":
        s = repro(args)
    else:
        camp = {"models": ModelCampaign, "profiles": ProfileCampaign, "csv": CsvCampaign, "state": StateCampaign}[args.campaign](args)
        if isinstance(camp, ModelCampaign):
            camp.run_batches()
        else:
            camp.run_cases(args.cases, camp.case)
        s = camp.finish()
    bad = s["crash"] + s["hang"] + s["over_64mb"] + s.get("data_lost", 0)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
