"""Score finished ablation rows on every calendar request with a date in the test split.

The 100 held-out prompts hold 11 calendar requests with a date; the test split holds 37 (the same 11 and 26 more). This
scores the adapters of the given rows on all 37, greedy and free, as `dpo-agent ablation` scores its held-out prompts
(each row's own `max_new_tokens`), so calendar dates can be compared on more prompts. It writes each row's outputs to
`<out>/<row>/calendar_probe.jsonl` and every row's per-prompt marks and dates to `results/calendar_probe.json`:

    HF_HUB_OFFLINE=1 python scripts/calendar_probe.py --rows inv_sft384_menu,inv_sft384_rephrased_calc,rephrased_calc_counted

About 2 minutes a row on 2 CPU cores. `nbs/12_results.ipynb` reads the JSON.
"""

import json
import sys
import time
from pathlib import Path

MARKS = ("full_compliance", "tool_accuracy", "args_accuracy")


def calendar_prompts(test_path: Path) -> list[dict]:
    "The first-step calendar requests with a date in the test split at `test_path`, as inference prompts (ids as the held-out ones)."
    from dpo_agent.evaluate import pairs_to_prompts, read_jsonl

    return [
        p
        for p in pairs_to_prompts(read_jsonl(test_path))
        if p["step"] == "first" and p["expected"].get("tool") == "calendar" and "date" in p["expected"]["args"]
    ]


def probe_row(name: str, root: Path, prompts_path: Path, recipe: str = "smollm2-135m-cpu") -> dict:
    "Generate and score row `name`'s adapter on the prompts at `prompts_path`; returns its entry of the JSON."
    from dpo_agent.evaluate import read_jsonl, score_rows
    from dpo_agent.inference import run_inference
    from dpo_agent.results import AblationError, load_scored, prompt_marks

    t = time.perf_counter()
    try:
        row, cfg, adapter, model, tok = load_scored(name, root, recipe)  # the adapter `dpo-agent ablation` scored
    except AblationError as e:
        sys.exit(str(e))
    max_new_tokens = row.max_new_tokens or 160
    out = root / name / "calendar_probe.jsonl"
    run_inference(
        cfg.model, prompts_path, out, model=model, tokenizer=tok, batch_size=16, max_new_tokens=max_new_tokens, constrained=row.constrained
    )
    outputs = read_jsonl(out)
    scored = score_rows(outputs)
    dates = [((o["parsed"].get("args") or {}).get("date") if isinstance(o.get("parsed"), dict) else None) for o in outputs]
    return {
        "row": name,
        "adapter": adapter and str(adapter),
        "max_new_tokens": max_new_tokens,
        "seconds": round(time.perf_counter() - t, 1),
        "marks": prompt_marks(scored, MARKS),
        "dates": dates,
    }


def main(argv=None) -> int:
    from dpo_agent.data import to_jsonl
    from dpo_agent.results import AblationError, row_names, rows_parser

    a = rows_parser(__doc__.split("\n\n")[0], "calendar_probe.json").parse_args(argv)
    try:
        names = row_names(a.rows)
    except AblationError as e:
        sys.exit(str(e))
    root = Path(a.out)
    test = root / "data" / "test.jsonl"
    if not test.is_file():
        sys.exit(f"{test} does not exist: run `dpo-agent ablation` first (it writes the shared data there)")
    prompts = calendar_prompts(test)
    prompts_path = root / "calendar_probe.prompts.jsonl"
    prompts_path.write_text(to_jsonl(prompts))
    res_path = Path(a.results) / "calendar_probe.json"
    res = json.loads(res_path.read_text()) if res_path.is_file() else {}
    ids = [p["id"] for p in prompts]
    if res.get("prompts") and [p["id"] for p in res["prompts"]] != ids:
        sys.exit(f"{res_path} was made on other prompts: move it away to start afresh")
    res["prompts"] = [{k: p[k] for k in ("id", "query", "today", "expected", "family")} for p in prompts]
    res["command"] = "HF_HUB_OFFLINE=1 python scripts/calendar_probe.py --rows " + ",".join(dict.fromkeys([*res.get("rows", {}), *names]))
    rows = res.setdefault("rows", {})
    for n in names:
        rows[n] = probe_row(n, root, prompts_path)
        m = rows[n]["marks"]
        print(f"{n}: args {m['args_accuracy'].count('1')}/{len(ids)} ({rows[n]['seconds']} s)", flush=True)
        res_path.parent.mkdir(parents=True, exist_ok=True)
        res_path.write_text(json.dumps(res, indent=1) + "\n")  # after each row: a cut run keeps the rows it finished
    return 0


if __name__ == "__main__":
    sys.exit(main())
