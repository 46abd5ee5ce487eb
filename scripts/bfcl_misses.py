"""Count why finished ablation rows' BFCL answers are not format-compliant.

`dpo-agent ablation --bfcl 50` keeps each row's BFCL outputs in `<out>/<row>/bfcl_simple.jsonl`, and the results file
only their compliance and AST marks. This reads the outputs of the given rows, sorts every answer that is not compliant by
`dpo_agent.evaluate.bfcl_miss` (the Action's JSON does not parse, a built-in tool or a made-up name that the question
does not offer, args against the schema, no Thought, neither shape), lists the names called that a question does not
offer (`not_offered`), and writes both to `results/bfcl_misses.json`, keeping the rows already there:

    python scripts/bfcl_misses.py --rows cal_bf16,cal_bf16_seed1,cal_bf16_seed2

Reads files only (no model): a second. `nbs/12_results.ipynb` reads the JSON.
"""

import json
import sys
from pathlib import Path


def row_misses(name: str, root: Path, compliant: int | None = None) -> dict:
    """Row `name`'s counts from `<root>/<name>/bfcl_simple.jsonl`, with the question ids; `compliant`, when given (the
    results file's count), must equal the compliant count found."""
    from dpo_agent.evaluate import bfcl_misses, bfcl_not_offered, read_jsonl

    p = root / name / "bfcl_simple.jsonl"
    if not p.is_file():
        sys.exit(f"{p} does not exist: row {name!r} has no BFCL outputs there (run `dpo-agent ablation --rows {name} --bfcl 50`)")
    rows = read_jsonl(p)
    counts = bfcl_misses(rows)
    if compliant is not None and counts["compliant"] != compliant:
        sys.exit(f"{p}: {counts['compliant']} compliant answers, the results file says {compliant}: these are not the outputs it scored")
    return {"n": len(rows), "ids": [r["id"] for r in rows], "counts": counts, "not_offered": bfcl_not_offered(rows)}


def main(argv=None) -> int:
    from dpo_agent.results import ROWS, AblationError, load_results, row_names, rows_parser

    a = rows_parser(__doc__.split("\n\n")[0], "ablation.json and bfcl_misses.json").parse_args(argv)
    try:
        names = row_names(a.rows)
    except AblationError as e:
        sys.exit(str(e))
    abl = Path(a.results) / "ablation.json"
    committed = {s["row"]["name"]: s for s in load_results(abl)["rows"]} if abl.is_file() else {}
    res_path = Path(a.results) / "bfcl_misses.json"
    res = json.loads(res_path.read_text()) if res_path.is_file() else {}
    rows = res.setdefault("rows", {})
    for n in names:
        bfcl = (committed.get(n) or {}).get("bfcl")
        rows[n] = row_misses(n, Path(a.out), bfcl["overall"]["full_compliance"]["k"] if bfcl else None)
        print(n, rows[n]["counts"])
    res["rows"] = {n: rows[n] for n in ROWS if n in rows}  # in ablation order
    res["command"] = "python scripts/bfcl_misses.py --rows " + ",".join(res["rows"])
    res_path.parent.mkdir(parents=True, exist_ok=True)
    res_path.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
