"""Training step time under bf16 autocast against fp32, on this machine, with the recipe's own training path.

    HF_HUB_OFFLINE=1 python bench/bf16_autocast.py                      # smollm2-135m-cpu, 12 SFT steps, 2 repeats
    HF_HUB_OFFLINE=1 python bench/bf16_autocast.py --steps 16 --repeats 3 --json runs/bench/bf16.json

Each run is `dpo-agent train --recipe R --set sft_steps=N` in its own process (so nothing is shared between them),
once with `--set bf16_autocast=true` and once with `false`, alternating (fp32, bf16, fp32, bf16, ...) so that a
machine that slows down over time slows both sides alike. Every run trains on the same generated pairs, in the same
order with the same seed, so each step sees the same tokens on both sides. A step's time is the gap between two
consecutive steps' entries in the run's `logs/train.jsonl`, so the first step (warm-up) is left out. The figure per run
is its median step; the ratio is fp32's median of runs over bf16's. The model load, the tokenizing and the data are
not timed.

On a CPU without native bf16 (no AVX512-BF16/AMX) `train` skips the autocast and trains in fp32 (it says so), and
this script stops with that reason instead of reporting a ratio of 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def step_times(log: Path) -> list[float]:
    "The seconds of SFT steps 2 to N of a `train.jsonl`: the gaps between consecutive step entries (step 1, the warm-up, has no start stamp)."
    from dpo_agent.train import read_log

    t = [r["time"] for r in read_log(log, "sft") if "loss" in r]
    return [b - a for a, b in zip(t, t[1:])]  # step k took t[k] - t[k-1]; step 1 has no start stamp


def run(recipe: str, steps: int, bf16: bool, data: Path, out: Path) -> list[float]:
    exe = Path(sys.executable).with_name("dpo-agent")  # the console script of this environment
    cmd = [str(exe) if exe.is_file() else "dpo-agent", "train", "--recipe", recipe, "--output-dir", str(out),
           "--set", f"sft_steps={steps}", "--set", f"bf16_autocast={'true' if bf16 else 'false'}", "--set", f"data={data}",
           "--set", f"save_steps={steps}", "--set", "logging_steps=1"]
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if p.returncode != 0: sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    log = out / "logs" / "train.jsonl"
    t = step_times(log)
    if len(t) < 2: sys.exit(f"{log}: fewer than 3 logged SFT steps; raise --steps")
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--recipe", default="smollm2-135m-cpu")
    ap.add_argument("--steps", type=int, default=12, help="SFT steps per run (the first is warm-up)")
    ap.add_argument("--repeats", type=int, default=2, help="runs per side")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args(argv)
    if a.steps < 3 or a.repeats < 1: ap.error("--steps must be at least 3 and --repeats at least 1")

    from dpo_agent.train import _cpu_capability, _device, ensure_data, load_recipe, native_bf16

    cfg = load_recipe(a.recipe)
    dev = _device(cfg)
    if not native_bf16(dev):
        sys.exit(f"this {dev} has no native bf16 matrix products (torch CPU capability {_cpu_capability()}): `train` would "
                 "skip bf16 autocast and both sides would run in fp32; run this on a CPU with AVX512-BF16 or AMX")
    with tempfile.TemporaryDirectory(prefix="bf16-bench-") as tmp:
        tmp = Path(tmp)
        data = ensure_data(cfg, tmp)  # the recipe's own pairs, generated as `train` generates them
        per = {"fp32": [], "bf16": []}
        for i in range(a.repeats):
            for side in ("fp32", "bf16"):
                t = run(a.recipe, a.steps, side == "bf16", data, tmp / f"{side}-{i}")
                per[side].append(t)
                print(f"{side} run {i + 1}: median step {statistics.median(t):.2f} s (steps 2-{a.steps}: "
                      + " ".join(f"{x:.1f}" for x in t) + ")", flush=True)
    med = {k: statistics.median(statistics.median(t) for t in v) for k, v in per.items()}
    res = {"recipe": a.recipe, "steps": a.steps, "repeats": a.repeats, "cpu": platform.processor() or platform.machine(),
           "cores": os.cpu_count(), "capability": _cpu_capability(), "step_s": per, "median_step_s": med,
           "ratio_fp32_over_bf16": med["fp32"] / med["bf16"]}
    print(f"\n{a.recipe}, {os.cpu_count()} cores, {_cpu_capability()}: median SFT step fp32 {med['fp32']:.2f} s, "
          f"bf16 autocast {med['bf16']:.2f} s: bf16 autocast is {res['ratio_fp32_over_bf16']:.2f}x as fast")
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
