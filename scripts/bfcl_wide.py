"""Score finished ablation rows on BFCL simple questions past the first 50 that `dpo-agent ablation --bfcl 50` scores, or on BFCL multiple.

The ablation's BFCL column rests on the first 50 simple questions. This generates each row's adapter on questions
`--start` to `--stop` (by default 51 to 200: 150 questions no row was looked at on), greedy and free, as `run_row` does
its BFCL questions (batch 8, 256 new tokens), writes each row's outputs to `<out>/<row>/bfcl_simple_<start>_<stop>.jsonl`
and every row's per-question marks to `results/bfcl_wide.json`, and prints each row against the first one, question by
question (exact McNemar):

    HF_HUB_OFFLINE=1 python scripts/bfcl_wide.py --rows cal_bf16,cal_bf16_domain_other

Each row's entry also counts why its answers miss (`dpo_agent.evaluate.bfcl_misses`) and lists, question by question,
the names it called that the question does not offer (`not_offered`, `dpo_agent.evaluate.bfcl_not_offered`). With
`--reuse` the outputs that an earlier run wrote are scored again instead of generated (seconds, no model). Other
questions go to another results folder:

    HF_HUB_OFFLINE=1 python scripts/bfcl_wide.py --rows cal_bf16_wide --start 200 --stop 400 --results results/bfcl_201_400

`--category multiple` scores BFCL's *multiple* questions instead (from the first, by default all 200: two to four
functions offered, one to call), which no row's design was read off; the answers go to
`<out>/<row>/bfcl_multiple_<start>_<stop>.jsonl`:

    HF_HUB_OFFLINE=1 python scripts/bfcl_wide.py --rows cal_bf16_calc_name --category multiple --results results/bfcl_multiple

About 5 minutes a row on 2 CPU cores. `nbs/12_results.ipynb` reads the JSON.
"""

import json
import sys
import time
from pathlib import Path


def wide_row(
    name: str, root: Path, questions: list[dict], tag: str, recipe: str = "smollm2-135m-cpu", reuse: bool = False, category: str = "simple"
) -> dict:
    """Generate (or, with `reuse`, read back) and score row `name`'s adapter on the BFCL `questions` of `category`; returns its
    entry of the JSON."""
    from dpo_agent.data import to_jsonl
    from dpo_agent.evaluate import bfcl_misses, bfcl_not_offered, read_jsonl, score_bfcl_rows
    from dpo_agent.inference import run_inference_rows
    from dpo_agent.results import BFCL_MARKS, AblationError, load_scored, prompt_marks

    t, path = time.perf_counter(), root / name / f"bfcl_{category}_{tag}.jsonl"
    if reuse:
        if not path.is_file():
            sys.exit(f"{path} does not exist: run without --reuse to generate row {name!r}'s answers")
        outs, adapter = read_jsonl(path), None
        if [r["id"] for r in outs] != [q["id"] for q in questions]:
            sys.exit(f"{path} answers other questions than {tag.replace('_', ' to ')}: run without --reuse")
    else:
        try:
            row, cfg, adapter, model, tok = load_scored(name, root, recipe)  # the adapter `dpo-agent ablation` scored
        except AblationError as e:
            sys.exit(str(e))
        outs = run_inference_rows(cfg.model, questions, model=model, tokenizer=tok, batch_size=8, constrained=row.constrained)
        path.write_text(to_jsonl(outs))
    return {
        "row": name,
        "adapter": adapter and str(adapter),
        "seconds": round(time.perf_counter() - t, 1),
        "marks": prompt_marks(score_bfcl_rows(outs), BFCL_MARKS),
        "misses": bfcl_misses(outs),
        "not_offered": bfcl_not_offered(outs),
    }


def main(argv=None) -> int:
    from dpo_agent.evaluate import load_bfcl
    from dpo_agent.results import RESULTS, AblationError, paired_counts, row_names, rows_parser

    ap = rows_parser(__doc__.split("\n\n")[0], "bfcl_wide.json")
    ap.add_argument("--category", choices=("simple", "multiple"), default="simple", help="BFCL category (default simple)")
    ap.add_argument("--start", type=int, help="questions skipped (default: 50 of simple, those the ablation scores; 0 of multiple)")
    ap.add_argument("--stop", type=int, default=200, help="last question, counted from 1 (default 200)")
    ap.add_argument("--reuse", action="store_true", help="score the answers an earlier run wrote instead of generating them")
    a = ap.parse_args(argv)
    default_start = 50 if a.category == "simple" else 0
    if a.start is None:
        a.start = default_start
    if not 0 <= a.start < a.stop:
        sys.exit(f"--start {a.start} and --stop {a.stop}: need 0 <= start < stop")
    try:
        names = row_names(a.rows)
    except AblationError as e:
        sys.exit(str(e))
    questions = load_bfcl(a.category, limit=a.stop)[a.start :]
    if len(questions) < a.stop - a.start:
        sys.exit(f"BFCL {a.category} has {a.start + len(questions)} questions: --stop {a.stop} is past its end")
    tag = f"{a.start + 1}_{a.stop}"
    res_path = Path(a.results) / "bfcl_wide.json"
    res = json.loads(res_path.read_text()) if res_path.is_file() else {}
    if res and res.get("category", "simple") != a.category:
        sys.exit(f"{res_path} holds BFCL {res.get('category', 'simple')} questions: give another --results folder for {a.category}")
    if res and (res.get("start"), res.get("stop")) != (a.start, a.stop):
        sys.exit(f"{res_path} holds questions {res['start'] + 1} to {res['stop']}: move it away to score others")
    res.update(start=a.start, stop=a.stop)
    if a.category != "simple":  # a simple results file keeps the shape it had before --category
        res["category"] = a.category
    res["command"] = (
        "HF_HUB_OFFLINE=1 python scripts/bfcl_wide.py --rows "
        + ",".join(dict.fromkeys([*res.get("rows", {}), *names]))
        + (f" --category {a.category}" if a.category != "simple" else "")
        + (f" --start {a.start} --stop {a.stop}" if (a.start, a.stop) != (default_start, 200) else "")
        + (f" --results {a.results}" if Path(a.results).resolve() != RESULTS.resolve() else "")
    )
    rows = res.setdefault("rows", {})
    for n in names:
        old = rows.get(n)
        rows[n] = wide_row(n, Path(a.out), questions, tag, reuse=a.reuse, category=a.category)
        if a.reuse and old and old["marks"] != rows[n]["marks"]:
            sys.exit(f"{n}: the answers in {a.out} score otherwise than {res_path} says: these are not the answers it scored")
        if a.reuse and old:
            rows[n].update(adapter=old["adapter"], seconds=old["seconds"])  # the generating run's adapter and time
        m = rows[n]["marks"]
        print(
            f"{n}: compliant {m['full_compliance'].count('1')}/{len(questions)}, AST {m['ast_accuracy'].count('1')} ({rows[n]['seconds']} s)",
            flush=True,
        )
        res_path.parent.mkdir(parents=True, exist_ok=True)
        res_path.write_text(json.dumps(res, indent=1) + "\n")  # after each row: a cut run keeps the rows it finished
    first = rows[names[0]]["marks"]
    for n in names[1:]:
        for metric in ("full_compliance", "ast_accuracy"):
            p = paired_counts(first[metric], rows[n]["marks"][metric])
            print(f"{n} vs {names[0]}, {metric}: {p['better']} better, {p['worse']} worse of {p['n']} (exact McNemar p = {p['p']:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
