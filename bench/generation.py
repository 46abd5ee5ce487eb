"""Batched generation against a one-prompt-at-a-time loop on the embedded model: tokens/s and their ratio.

    python bench/generation.py --threads 1          # 32 prompts, 48 new tokens, batch 32, 3 repeats
    python bench/generation.py --prompts 16 --repeats 1 --no-ablation

Both sides generate the same greedy turns for the same prompts (checked), so tokens/s compare like for like.
`loop` is the naive way: plain `model.generate` on one prompt at a time (no batching, stock KV cache).
`batched` is `generate_turns` as `dpo-agent infer` runs it: length-sorted batches, left padding, the shared-prefix
cache and our copy-free KV cache. The ablation `batched, no shared prefix` separates what batching alone gives
from what prefilling the common system prompt once gives. Repeats alternate the two sides so a change in machine
load hits both; the ratio is the median of the per-repeat ratios.

On a 2-core machine that other jobs share, use `--threads 1`: with 2 OpenMP threads, every small matrix product
waits at a barrier for a thread the scheduler has parked, and a (32 x 576) @ (576 x 1536) product takes 23 ms
instead of 0.6 ms, which hides what batching does.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch

from dpo_agent.inference import end_of_turn_ids, generate_turns
from dpo_agent.models import load_model
from dpo_agent.protocol import build_messages, render_prompt
from dpo_agent.tools import BUILTIN_SPECS

TEMPLATES = [
    "What is {a} * {b}?",
    "What is the capital of {c}?",
    "Add 'Team sync' to my calendar on 2026-12-{d:02d} at 09:30.",
    "Who invented the {t}?",
    "Hi, how are you today?",
    "What is the square root of {a}?",
    "List my events on 2026-12-{d:02d}.",
    "How tall is Mount Everest?",
]
COUNTRIES = ["France", "Peru", "Japan", "Kenya", "Norway", "Chile", "Egypt", "Canada"]
THINGS = ["telephone", "light bulb", "printing press", "telescope"]


def prompts(n: int) -> list[list[dict]]:
    out = []
    for i in range(n):
        q = TEMPLATES[i % len(TEMPLATES)].format(a=i * 13 + 7, b=i + 3, c=COUNTRIES[i % 8], d=i % 28 + 1, t=THINGS[i % 4])
        out.append(build_messages(q, BUILTIN_SPECS.values(), today="2026-11-24"))
    return out


def plain_loop(model, tok, convs, max_new_tokens: int) -> list[tuple[str, int]]:
    "One prompt at a time through plain `model.generate`: (text, generated tokens incl. the end-of-turn token)."
    stops, out = end_of_turn_ids(tok, model), []
    for conv in convs:
        ids = tok(render_prompt(tok, conv), add_special_tokens=False, return_tensors="pt").input_ids
        with torch.no_grad():
            gen = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=stops,
                pad_token_id=tok.pad_token_id,
            )[0, ids.shape[1] :].tolist()
        k = next((j for j, t in enumerate(gen) if t in stops), None)
        body = gen if k is None else gen[:k]
        out.append((tok.decode(body, skip_special_tokens=False), len(body) + (k is not None)))
    return out


def timed(model, tok, convs, **kw):
    t0 = time.perf_counter()
    gens = generate_turns(model, tok, convs, **kw)
    dt = time.perf_counter() - t0
    return gens, sum(g.n_tokens for g in gens), dt


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--prompts", type=int, default=32)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-ablation", action="store_true", help="skip the batched-without-shared-prefix run")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice, one per core)")
    a = ap.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)

    model, tok = load_model(a.model, device="cpu")
    convs = prompts(a.prompts)
    print(
        f"model={a.model} prompts={a.prompts} max_new_tokens={a.max_new_tokens} batch_size={a.batch_size} "
        f"threads={torch.get_num_threads()} cpu={platform.processor() or platform.machine()} torch={torch.__version__}",
        flush=True,
    )
    generate_turns(model, tok, convs[:2], batch_size=2, max_new_tokens=4)  # warm-up

    ratios, loop_tps, batch_tps = [], [], []
    for r in range(a.repeats):
        t0 = time.perf_counter()
        seq = plain_loop(model, tok, convs, a.max_new_tokens)
        t_seq, n_seq = time.perf_counter() - t0, sum(n for _, n in seq)
        bat, n_bat, t_bat = timed(model, tok, convs, batch_size=a.batch_size, max_new_tokens=a.max_new_tokens)
        same = sum(x[0] == y.text for x, y in zip(seq, bat))
        loop_tps.append(n_seq / t_seq)
        batch_tps.append(n_bat / t_bat)
        ratios.append(batch_tps[-1] / loop_tps[-1])
        print(
            f"repeat {r + 1}: loop {n_seq} tokens in {t_seq:.1f} s = {loop_tps[-1]:.1f} tok/s | batched {n_bat} tokens in "
            f"{t_bat:.1f} s = {batch_tps[-1]:.1f} tok/s | ratio {ratios[-1]:.2f} | identical turns {same}/{len(convs)}",
            flush=True,
        )
    if not a.no_ablation:
        _, n_ab, t_ab = timed(model, tok, convs, batch_size=a.batch_size, share_prefix=False, max_new_tokens=a.max_new_tokens)
        print(
            f"ablation: batched, no shared prefix: {n_ab} tokens in {t_ab:.1f} s = {n_ab / t_ab:.1f} tok/s "
            f"(ratio {n_ab / t_ab / statistics.median(loop_tps):.2f} against the median loop)",
            flush=True,
        )
    print(
        f"loop_tok_s={statistics.median(loop_tps):.1f} batched_tok_s={statistics.median(batch_tps):.1f} "
        f"ratio={statistics.median(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
