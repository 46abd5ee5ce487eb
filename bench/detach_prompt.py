"""Training step time with `detach_prompt` none, system and prompt, for the SFT warm-up and for DPO, on the same pairs.

    python bench/detach_prompt.py                      # embedded SmolLM2-135M, CPU recipe, 3 steps x 4 pairs, 2 repeats
    python bench/detach_prompt.py --steps 2 --repeats 3 --json runs/bench-detach.json

Six sides, each in its own process (so peak memory is its own), all from the `smollm2-135m-cpu` recipe (LoRA r=64
on every projection, batch 1 x grad-accum 4, bf16 autocast) on the same pairs with the same seed:

- `sft`: TRL `SFTTrainer` on prompt -> chosen, as the warm-up stage runs it by default (`detach_prompt: none`);
- `sft-system`, `sft-prompt`: `DetachedPromptSFTTrainer` with `detach_prompt: system` / `prompt`;
- `dpo`: `SharedPromptDPOTrainer`, the recipe's DPO stage (loss [sigmoid, sft], reference precomputed);
- `dpo-system`, `dpo-prompt`: the same with `detach_prompt: system` / `prompt`.

A repeat runs the six sides once, in an order that alternates between repeats, so drift of the machine hits
all sides of a stage. Time is the training steps only (the model load and DPO's reference precompute are the same
for all sides of a stage). The ratios are attached (none) / detached step time within one repeat. The first logged
loss of each stage must agree (detaching changes the gradient, not the forward) up to bf16 rounding: under the recipe's
bf16 autocast the two paths split the work differently and round differently (~1e-2 on a loss of ~2; the fp32
check in nbs/11_fastdpo.ipynb agrees to 1e-5), so the exit code is 3 only past 5e-2.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

SIDES = ("sft", "sft-system", "sft-prompt", "dpo", "dpo-system", "dpo-prompt")


def run_side(a) -> dict:
    "One side in this process: build the trainer, train `a.steps` steps, report step times, losses and peak memory."
    import torch
    from transformers import TrainerCallback, set_seed
    from trl import SFTTrainer

    from dpo_agent.data import generate
    from dpo_agent.fastdpo import DetachedPromptSFTTrainer, SharedPromptDPOTrainer
    from dpo_agent.train import dpo_args, load_base, load_recipe, lora_config, pairs_dataset, sft_args

    if a.threads: torch.set_num_threads(a.threads)
    stage, _, detach = a.side.partition("-")
    over = [f"max_steps={a.steps}", f"sft_steps={a.steps}", "logging_steps=1", f"save_steps={10 * a.steps}",
            "tensorboard=false", f"model={a.model}"]
    cfg = load_recipe(a.recipe, over)
    pairs = a.steps * cfg.batch_size * cfg.grad_accum
    ds = pairs_dataset(generate(n=max(4 * pairs, 64), seed=42)["train"], limit=pairs, seed=cfg.seed)
    set_seed(cfg.seed)
    model, tok = load_base(cfg)
    marks: list[float] = []

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            if not marks: marks.append(time.perf_counter())
        def on_step_end(self, args, state, control, **kw):
            marks.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as out:
        if stage == "sft":
            args = sft_args(cfg, Path(out))
            data = ds.map(lambda r: {"prompt": r["prompt"], "completion": r["chosen"]}, remove_columns=["chosen", "rejected"])
            cls, extra = (DetachedPromptSFTTrainer, {"detach_prompt": detach}) if detach else (SFTTrainer, {})
        else:
            args = dpo_args(cfg, Path(out))
            data, cls, extra = ds, SharedPromptDPOTrainer, ({"detach_prompt": detach} if detach else {})
        args.save_strategy, args.disable_tqdm = "no", True
        tr = cls(model=model, args=args, train_dataset=data, processing_class=tok, peft_config=lora_config(cfg),
                 callbacks=[Clock()], **extra)
        tr.train()
    step_s = [b - c for b, c in zip(marks[1:], marks[:-1])]
    return {"side": a.side, "pairs": pairs, "step_s": step_s, "train_s": sum(step_s),
            "losses": [h["loss"] for h in tr.state.log_history if "loss" in h],
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            "paths": tr.path_counts() if hasattr(tr, "path_counts") else None, "threads": torch.get_num_threads()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--recipe", default="smollm2-135m-cpu")
    p.add_argument("--steps", type=int, default=3, help="optimizer steps per side (x batch x grad-accum pairs)")
    p.add_argument("--repeats", type=int, default=2, help="times every side runs")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # internal: run one side
    a = p.parse_args(argv)
    if a.side:
        print("RESULT " + json.dumps(run_side(a)), flush=True)
        return 0
    if a.steps < 1 or a.repeats < 1: p.error("--steps and --repeats must be >= 1")

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, model {a.model}, recipe {a.recipe}, "
          f"{a.steps} steps x {a.repeats} repeats", flush=True)
    passthrough = [x for x in (argv if argv is not None else sys.argv[1:])]
    runs: list[dict] = []
    for rep in range(a.repeats):
        order = SIDES if rep % 2 == 0 else tuple(reversed(SIDES))
        for side in order:
            proc = subprocess.run([sys.executable, __file__, "--side", side, *passthrough], capture_output=True, text=True)
            lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
            if proc.returncode or not lines:
                print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
                print(f"error: side {side} of repeat {rep + 1} failed (exit {proc.returncode})", file=sys.stderr)
                return 1
            r = json.loads(lines[-1][7:]) | {"repeat": rep + 1}
            runs.append(r)
            print(f"repeat {rep + 1} {side:10s} steps {r['train_s']:6.1f} s ({' '.join(f'{s:.1f}' for s in r['step_s'])})  "
                  f"first loss {r['losses'][0]:.6f}  peak RSS {r['peak_rss_gb']:.2f} GB  paths {r['paths']}", flush=True)
    summary, worst = {}, 0.0
    for stage in ("sft", "dpo"):
        for mode in ("system", "prompt"):
            ratios = []
            for rep in range(1, a.repeats + 1):
                att, det = ([r for r in runs if r["repeat"] == rep and r["side"] == s][0] for s in (stage, f"{stage}-{mode}"))
                ratios.append(att["train_s"] / det["train_s"])
                worst = max(worst, abs(att["losses"][0] - det["losses"][0]))
            summary[f"{stage}-{mode}"] = {"ratios": ratios, "median_ratio": statistics.median(ratios)}
            print(f"{stage}: none / {mode} step time = {' '.join(f'{x:.2f}' for x in ratios)} (median {statistics.median(ratios):.2f})")
    print(f"largest first-loss difference (same forward): {worst:.2e}")
    if a.json:
        with open(a.json, "w") as f: json.dump({"args": vars(a), "summary": summary, "first_loss_diff": worst, "runs": runs}, f, indent=1)
    return 0 if worst <= 5e-2 else 3


if __name__ == "__main__":
    sys.exit(main())
