"""DPO training throughput: plain TRL `DPOTrainer` against our `SharedPromptDPOTrainer`, on the same steps and data.

    python bench/dpo_throughput.py                    # embedded SmolLM2-135M, CPU recipe, 4 steps x 4 pairs
    python bench/dpo_throughput.py --steps 4 --threads 1
    python bench/dpo_throughput.py --model tinyllama-1.1b --device cuda --dtype bfloat16 --peak-tflops 989

Both sides use the `smollm2-135m-cpu` recipe (LoRA r=64 on every projection, loss [sigmoid, sft], batch 1 x
grad-accum 4, reference log-probs precomputed) on the same pairs in the same order with the same seed:

- (a) `trl`: TRL 1.x `DPOTrainer` exactly as configured by the recipe (`shared_prompt: false`);
- (b) `ours`: `dpo_agent.fastdpo.SharedPromptDPOTrainer`, the trainer `dpo-agent train` uses.

Each side runs in its own process, so peak memory (max RSS; peak CUDA memory on a GPU) is its own. Time
counts the reference precompute (it happens inside the trainer's constructor) and the training steps, not
the model load, which is the same for both. pairs/s = pairs trained / (precompute + steps); the step-only
rate is printed too. `ratio=` is ours / trl on that end-to-end rate, and `max_loss_diff=` is the largest
difference of the logged per-step losses (logging every step).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TQDM_DISABLE", "1")


def run_side(a) -> dict:
    "One side in this process: build the trainer (precompute), train, report times, losses and peak memory."
    import torch
    from transformers import TrainerCallback
    from trl import DPOTrainer

    from dpo_agent.data import generate
    from dpo_agent.fastdpo import SharedPromptDPOTrainer
    from dpo_agent.train import dpo_args, load_base, load_recipe, lora_config, pairs_dataset

    if a.threads: torch.set_num_threads(a.threads)
    over = [f"max_steps={a.steps}", "logging_steps=1", f"save_steps={10 * a.steps}", "tensorboard=false",
            f"model={a.model}", f"device={a.device}", f"dtype={a.dtype}", "bf16_autocast=false"]
    cfg = load_recipe(a.recipe, over)
    pairs = a.steps * cfg.batch_size * cfg.grad_accum
    rows = generate(n=max(4 * pairs, 64), seed=42)["train"]
    ds = pairs_dataset(rows, limit=pairs, seed=cfg.seed)
    model, tok = load_base(cfg)
    steps_t: list[float] = []

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if torch.cuda.is_available(): torch.cuda.synchronize()
            steps_t.append(time.perf_counter())

    cls = SharedPromptDPOTrainer if a.side == "ours" else DPOTrainer
    with tempfile.TemporaryDirectory() as out:
        args = dpo_args(cfg, __import__("pathlib").Path(out))
        args.save_strategy, args.disable_tqdm = "no", True
        t0 = time.perf_counter()
        tr = cls(model=model, ref_model=None, args=args, train_dataset=ds, processing_class=tok, peft_config=lora_config(cfg),
                 callbacks=[Clock()])
        t1 = time.perf_counter()
        tr.train()
        t2 = time.perf_counter()
    losses = [h["loss"] for h in tr.state.log_history if "loss" in h]
    tokens = sum(len(x) for x in tr.train_dataset["prompt_ids"]) * 2 + sum(len(x) for x in tr.train_dataset["chosen_ids"]) \
        + sum(len(x) for x in tr.train_dataset["rejected_ids"])
    res = {"side": a.side, "pairs": pairs, "precompute_s": t1 - t0, "train_s": t2 - t1, "losses": losses,
           "step_s": [b - c for b, c in zip(steps_t, [t1, *steps_t[:-1]])],
           "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, "tokens": tokens,
           "params": sum(p.numel() for p in tr.model.parameters()), "threads": torch.get_num_threads()}
    if hasattr(tr, "path_counts"): res["paths"] = tr.path_counts()
    if torch.cuda.is_available(): res["peak_cuda_gb"] = torch.cuda.max_memory_allocated() / 2**30
    return res


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--recipe", default="smollm2-135m-cpu", help="recipe both sides start from")
    p.add_argument("--steps", type=int, default=4, help="optimizer steps (x batch x grad-accum pairs)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="float32")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    p.add_argument("--peak-tflops", type=float, default=0.0, help="the accelerator's peak dense TFLOP/s, to report MFU")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--side", choices=["trl", "ours"], help=argparse.SUPPRESS)  # internal: run one side
    a = p.parse_args(argv)
    if a.side:
        print("RESULT " + json.dumps(run_side(a)), flush=True)
        return 0

    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, model {a.model}, recipe {a.recipe}, "
          f"{a.steps} steps, device {a.device}, dtype {a.dtype}", flush=True)
    results = {}
    for side in ("trl", "ours"):
        cmd = [sys.executable, __file__, "--side", side, *[x for x in (argv if argv is not None else sys.argv[1:])]]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
            print(f"error: the {side} side failed (exit {proc.returncode})", file=sys.stderr)
            return 1
        r = results[side] = json.loads(lines[-1][7:])
        total = r["precompute_s"] + r["train_s"]
        r["pairs_per_s"], r["train_pairs_per_s"] = r["pairs"] / total, r["pairs"] / r["train_s"]
        mem = f"peak RSS {r['peak_rss_gb']:.2f} GB" + (f", peak CUDA {r['peak_cuda_gb']:.2f} GB" if "peak_cuda_gb" in r else "")
        print(f"{side:5s} precompute {r['precompute_s']:6.1f} s  steps {r['train_s']:6.1f} s  "
              f"{r['pairs_per_s']:.3f} pairs/s ({r['train_pairs_per_s']:.3f} in steps)  {mem}  "
              f"{r['threads']} threads" + (f"  paths {r['paths']}" if "paths" in r else ""), flush=True)
        if a.peak_tflops:  # model FLOPs of plain DPO on this work: forward + backward ~ 6 x params x tokens, + 2x for the precompute
            flops = (6 + 2) * r["params"] * r["tokens"]
            r["mfu"] = flops / total / (a.peak_tflops * 1e12)
            print(f"      MFU {100 * r['mfu']:.1f}% of {a.peak_tflops:g} TFLOP/s (model FLOPs of the plain computation)")
    t, o = results["trl"], results["ours"]
    diff = max(abs(x - y) for x, y in zip(t["losses"], o["losses"])) if len(t["losses"]) == len(o["losses"]) else float("inf")
    ratio = o["pairs_per_s"] / t["pairs_per_s"]
    print("losses trl :", " ".join(f"{x:.6f}" for x in t["losses"]))
    print("losses ours:", " ".join(f"{x:.6f}" for x in o["losses"]))
    print(f"ratio={ratio:.2f} train_ratio={o['train_pairs_per_s'] / t['train_pairs_per_s']:.2f} "
          f"precompute_ratio={t['precompute_s'] / o['precompute_s']:.2f} max_loss_diff={diff:.2e} "
          f"peak_rss_gb trl={t['peak_rss_gb']:.2f} ours={o['peak_rss_gb']:.2f}")
    if a.json:
        with open(a.json, "w") as f: json.dump({"args": vars(a), "ratio": ratio, "max_loss_diff": diff, **results}, f, indent=1)
    return 0 if diff <= 1e-4 else 3


if __name__ == "__main__":
    sys.exit(main())
