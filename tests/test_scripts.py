"scripts/bfcl_misses.py: counts from a row's BFCL outputs, checked against the results file, merged into the JSON."

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRI = [
    {
        "name": "calculate_triangle_area",
        "description": "Area of a triangle.",
        "parameters": {
            "type": "dict",
            "properties": {"base": {"type": "integer"}, "height": {"type": "integer"}},
            "required": ["base", "height"],
        },
    }
]


def _script():
    spec = importlib.util.spec_from_file_location("bfcl_misses", ROOT / "scripts" / "bfcl_misses.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _call(tool, args):
    return f"Thought: The area comes from the base and the height.\nAction: ```json\n{json.dumps({'tool': tool, 'args': args})}\n```"


def _setup(tmp_path, compliant_in_results):
    out, results = tmp_path / "runs", tmp_path / "results"
    (out / "cal_bf16").mkdir(parents=True)
    results.mkdir()
    outputs = [
        {"id": "q0", "tools": TRI, "output": _call("calculate_triangle_area", {"base": 10, "height": 5})},
        {"id": "q1", "tools": TRI, "output": _call("calculator", {"expression": "10 * 5 / 2"})},
        {"id": "q2", "tools": TRI, "output": _call("calculate_triangle_area", {"base": "10", "height": 5})},
    ]
    (out / "cal_bf16" / "bfcl_simple.jsonl").write_text("".join(json.dumps(o) + "\n" for o in outputs))
    summary = {"row": {"name": "cal_bf16"}, "bfcl": {"overall": {"full_compliance": {"k": compliant_in_results, "n": 3}}}}
    (results / "ablation.json").write_text(json.dumps({"rows": [summary]}))
    (results / "bfcl_misses.json").write_text(json.dumps({"rows": {"cal_bf16_seed1": {"n": 0, "ids": [], "counts": {}}}}))
    return out, results


def test_counts_written_and_merged(tmp_path):
    out, results = _setup(tmp_path, compliant_in_results=1)
    assert _script().main(["--rows", "cal_bf16", "--out", str(out), "--results", str(results)]) == 0
    res = json.loads((results / "bfcl_misses.json").read_text())
    assert list(res["rows"]) == ["cal_bf16", "cal_bf16_seed1"]  # the row kept from before stays, in ablation order
    got = res["rows"]["cal_bf16"]
    assert got["n"] == 3 and got["ids"] == ["q0", "q1", "q2"]
    assert {k: v for k, v in got["counts"].items() if v} == {"compliant": 1, "builtin_tool": 1, "schema_args": 1}
    assert res["command"] == "python scripts/bfcl_misses.py --rows cal_bf16,cal_bf16_seed1"


def test_refuses_outputs_the_results_did_not_score(tmp_path):
    out, results = _setup(tmp_path, compliant_in_results=2)
    with pytest.raises(SystemExit, match="1 compliant answers, the results file says 2"):
        _script().main(["--rows", "cal_bf16", "--out", str(out), "--results", str(results)])
    assert "cal_bf16" not in json.loads((results / "bfcl_misses.json").read_text())["rows"]  # nothing half-written


def test_unknown_or_missing_row(tmp_path):
    out, results = _setup(tmp_path, compliant_in_results=1)
    with pytest.raises(SystemExit, match="unknown ablation row"):
        _script().main(["--rows", "no_such_row", "--out", str(out), "--results", str(results)])
    with pytest.raises(SystemExit, match="has no BFCL outputs there"):
        _script().main(["--rows", "cal_bf16_seed2", "--out", str(out), "--results", str(results)])
