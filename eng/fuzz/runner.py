"""Runs one edgernn-device command per case and classifies what happened.

Every case runs in its own process (the NativeAOT binary starts in milliseconds). The peak memory is the process's
own maximum resident set (wait4's ru_maxrss), so nothing is sampled and nothing is missed. A case that outlives its
timeout is a hang, except where a command may legitimately wait (a paced `run`): then the runner sends SIGTERM first
and only a process that does not stop within the grace period is a hang.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

MEMORY_LIMIT_KB = 64 * 1024

# A hard safety cap, far above the 64 MB target, so that a runaway case cannot take the shared machine down. It is a
# cgroup-free cap: RLIMIT_DATA bounds the heap the GC can commit (RLIMIT_AS would also count the GC's reservations).
SAFETY_CAP_BYTES = 2 * 1024 * 1024 * 1024

ENV = dict(os.environ)
ENV.update({
    "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
    "NOTIFY_SOCKET": "",          # never talk to a real systemd
    "WATCHDOG_USEC": "",
    "LC_ALL": "C.UTF-8",
})
ENV.pop("NOTIFY_SOCKET", None)
ENV.pop("WATCHDOG_USEC", None)


# The peak memory comes from GNU time (%M), not from this process's wait4: a child forked from a large Python process
# carries the parent's resident set until exec, and Linux folds that into the child's ru_maxrss. time is small.
TIME = "/usr/bin/time"
PRLIMIT = "/usr/bin/prlimit"


@dataclass
class Result:
    argv: list[str]
    rc: int | None            # exit code, None when killed by a signal
    sig: int | None           # the signal that ended it
    hang: bool                # did not end within the timeout (after SIGTERM when a grace was given)
    terminated: bool          # SIGTERM was sent at the timeout and the process then ended by itself
    maxrss_kb: int
    wall_s: float
    stdout: str
    stderr: str
    stderr_full: str = ""


def run(argv: list[str], cwd: str, timeout: float, term_grace: float | None = None, keep: int = 4000) -> Result:
    """Runs argv; on timeout sends SIGKILL (hang) or, with term_grace, SIGTERM and then SIGKILL after the grace."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    rss = tempfile.NamedTemporaryFile(prefix="rss", delete=False)
    rss.close()
    start = time.monotonic()
    wrapped = [PRLIMIT, f"--data={SAFETY_CAP_BYTES}", "--core=0", TIME, "-q", "-f", "%M", "-o", rss.name, "--"] + argv
    p = subprocess.Popen(wrapped, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=ENV, start_new_session=True)
    state = {"reaped": False, "hang": False, "terminated": False}
    lock = threading.Lock()

    def kill(sig: int) -> None:
        with lock:
            if state["reaped"]:
                return
            try:
                if sig == signal.SIGKILL:
                    os.killpg(p.pid, sig)
                else:  # the device only: GNU time would die of SIGTERM itself
                    with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
                        for child in f.read().split():
                            os.kill(int(child), sig)
            except (ProcessLookupError, FileNotFoundError):
                pass

    def on_timeout() -> None:
        if term_grace is None:
            state["hang"] = True
            kill(signal.SIGKILL)
        else:
            state["terminated"] = True
            kill(signal.SIGTERM)
            second.start()

    def on_grace() -> None:
        state["hang"] = True
        kill(signal.SIGKILL)

    first = threading.Timer(timeout, on_timeout)
    second = threading.Timer(term_grace or 0, on_grace)
    first.start()
    while True:
        try:
            _, status, usage = os.wait4(p.pid, 0)
            break
        except InterruptedError:
            continue
    with lock:
        state["reaped"] = True
    first.cancel()
    second.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    # Children the process left behind in its session (none expected) must not outlive the case.
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    wall = time.monotonic() - start
    # GNU time exits with the command's code, or 128 + the signal that ended it.
    code = p.returncode
    rc = code if 0 <= code < 128 else None
    sig = -code if code < 0 else code - 128 if code >= 128 else None
    try:
        maxrss = int(open(rss.name).read().split()[-1])
    except (OSError, ValueError, IndexError):
        maxrss = usage.ru_maxrss
    os.unlink(rss.name)
    out.seek(0)
    err.seek(0)
    stdout = out.read(keep).decode("utf-8", "replace")
    stderr_full = err.read(1 << 22).decode("utf-8", "replace")
    stderr = stderr_full[:keep]
    out.close()
    err.close()
    return Result(argv, rc, sig, state["hang"], state["terminated"] and not state["hang"], maxrss, wall, stdout, stderr, stderr_full)


CLEAN, SUCCESS, CRASH, HANG = "clean_error", "success", "crash", "hang"


def classify(r: Result, ok: set[int], clean: set[int]) -> str:
    """success: an exit code in ok; clean error: an exit code in clean with an 'error:' or 'PROBLEM' message and no
    unhandled exception; crash: anything else (another code, a signal, 'Unhandled exception'); hang: the timeout."""
    if r.hang:
        return HANG
    if r.sig is not None:
        return CRASH
    if "Unhandled exception" in r.stderr or "Unhandled exception" in r.stdout:
        return CRASH
    if r.rc in ok:
        return SUCCESS
    if r.rc in clean and ("error:" in r.stderr or "PROBLEM" in r.stdout or "FAILED" in r.stdout or "error:" in r.stdout):
        return CLEAN
    return CRASH


ORDER = {SUCCESS: 0, CLEAN: 1, CRASH: 2, HANG: 3}


def worst(a: str, b: str) -> str:
    return a if ORDER[a] >= ORDER[b] else b


@dataclass
class Tally:
    """One campaign's row."""
    cases: int = 0
    clean_error: int = 0
    success: int = 0
    crash: int = 0
    hang: int = 0
    over_64mb: int = 0
    peak_kb: int = 0
    peak_case: str = ""
    commands: int = 0
    unnamed_errors: int = 0   # clean errors whose message does not name the input file
    data_lost: int = 0
    notes: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, category: str, peak_kb: int, case: str, commands: int, named: bool = True) -> None:
        with self.lock:
            self.cases += 1
            self.commands += commands
            setattr(self, category, getattr(self, category) + 1)
            if peak_kb > MEMORY_LIMIT_KB:
                self.over_64mb += 1
            if peak_kb > self.peak_kb:
                self.peak_kb, self.peak_case = peak_kb, case
            if category == CLEAN and not named:
                self.unnamed_errors += 1

    def note(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.notes[key] = self.notes.get(key, 0) + n

    def as_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "lock"}
        d["peak_mb"] = round(self.peak_kb / 1024, 1)
        return d
