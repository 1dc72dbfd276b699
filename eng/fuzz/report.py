#!/usr/bin/python3
"""Prints the markdown rows of docs/reliability.md "Figures" from eng/fuzz/results/*.json (the campaigns' summaries).

  eng/fuzz/report.py [results/models-seed1.json ...]     (default: every summary in eng/fuzz/results)
"""
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ORDER = ["models", "profiles", "csv", "state", "kill9", "soak", "repro"]


def row(s: dict) -> str:
    name = s["campaign"]
    if name == "soak":
        name = f"soak, {s['steps'] / 1e6:g} M steps"
    lost = s.get("data_lost", 0)
    what = {"kill9": "trials", "soak": "run"}.get(s["campaign"], "cases")
    return (f"| {name} (seed {s['seed']}) | {s['cases']:,} {what} ({s['commands']:,} command{'s' if s['commands'] != 1 else ''}) | {s['clean_error']:,} | {s['success']:,} | "
            f"**{s['crash']}** | **{s['hang']}** | {s['peak_mb']} MB ({s['over_64mb']} over 64 MB) | {lost} | {s['wall_s'] / 60:.1f} min |")


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted(RESULTS.glob("*.json"))
    summaries = [json.loads(f.read_text()) for f in files]
    summaries.sort(key=lambda s: (ORDER.index(s["campaign"]) if s["campaign"] in ORDER else 99, s["seed"]))
    print("| campaign | cases | clean errors | successes | crashes | hangs | peak memory (max RSS) | data lost | wall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        print(row(s))


if __name__ == "__main__":
    main()
