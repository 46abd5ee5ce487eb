"""The real `dpo-agent` console script, run as a user would run it."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXE = shutil.which("dpo-agent", path=str(Path(sys.executable).parent)) or "dpo-agent"


def run(*args, **kw):
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120, **kw)


def test_calculator_prints_result():
    r = run("tool", "calculator", "--args", json.dumps({"expression": "(17 + 25) * 3 - 8"}))
    assert (r.returncode, r.stdout) == (0, "118\n"), r.stderr


@pytest.mark.parametrize("expr", ['__import__("os").system("id")', "9**9**9", "open('/etc/passwd').read()"])
def test_calculator_attacks_rejected(expr, tmp_path):
    marker = tmp_path / "pwned"
    payload = expr.replace('"id"', f'"touch {marker}"')
    r = run("tool", "calculator", "--args", json.dumps({"expression": payload}))
    assert r.returncode != 0 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dpo-agent: error:"), r.stderr
    assert not marker.exists()


def test_unknown_tool_and_bad_args():
    r = run("tool", "weather", "--args", "{}")
    assert r.returncode == 2 and "unknown tool" in r.stderr and "calculator" in r.stderr
    r = run("tool", "calculator", "--args", '{"expr": "1+1"}')
    assert r.returncode == 2 and "expression" in r.stderr


def test_search_and_calendar(tmp_path):
    r = run("tool", "search", "--args", json.dumps({"query": "capital of France"}))
    assert r.returncode == 0 and "Paris" in r.stdout, r.stdout + r.stderr
    cal = str(tmp_path / "cal.sqlite")
    args = {"action": "create", "date": "2026-12-01", "time": "14:30", "title": "Design review"}
    r = run("tool", "calendar", "--calendar", cal, "--args", json.dumps(args))
    assert r.returncode == 0 and "Design review" in r.stdout, r.stderr
    r = run("tool", "calendar", "--calendar", cal, "--args", json.dumps({"action": "list", "date": "2026-12-01"}))
    assert "14:30 Design review" in r.stdout
    r = run("tool", "calendar", "--calendar", cal, "--args", json.dumps({"action": "create", "date": "2026-02-30", "title": "x"}))
    assert r.returncode == 2 and "2026-02-30" in r.stderr


def test_prompt():
    r = run("prompt", "--today", "2026-11-24")
    assert r.returncode == 0
    assert "Today is 2026-11-24 (Tuesday)" in r.stdout
    for name in ("calculator", "search", "calendar"):
        assert f"- {name}:" in r.stdout
    r = run("prompt", "--today", "24/11/2026")
    assert r.returncode == 2 and r.stderr.startswith("dpo-agent: error:")


def test_broken_pipe_is_quiet(monkeypatch, tmp_path, capsys):
    # `dpo-agent ... | head`: the reader closes the pipe early; main() exits 141 without a traceback
    from dpo_agent.cli import main

    sink = open(tmp_path / "sink", "w")

    class ClosedPipe:
        def write(self, s):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def fileno(self):
            return sink.fileno()

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert main(["prompt"]) == 141
    assert "Traceback" not in capsys.readouterr().err


def test_ablation_bad_input(tmp_path):
    r = run("ablation", "--rows", "dpo,nope", "--out", str(tmp_path))
    assert r.returncode == 2 and "nope" in r.stderr and "dpo_nll" in r.stderr, r.stderr
    r = run("ablation", "--write-only", "--out", str(tmp_path / "empty"), "--results", str(tmp_path / "res"))
    assert r.returncode == 2 and "no finished ablation rows" in r.stderr, r.stderr
    assert not (tmp_path / "res").exists()
    r = run("ablation", "--compare", "base", "--out", str(tmp_path / "empty"))
    assert r.returncode == 2 and "--compare takes two rows, as A,B" in r.stderr, r.stderr
    # a GPU row on a machine without one (CUDA hidden): told so before anything is written
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    r = run("ablation", "--rows", "gpu_recipe", "--out", str(tmp_path / "gpu"), env=env)
    assert r.returncode == 2 and "gpu_recipe" in r.stderr and "train on a CUDA GPU" in r.stderr, r.stderr
    assert not (tmp_path / "gpu").exists()


def test_ablation_compare(tmp_path):
    "`--compare A,B` counts the prompts where B passes and A fails (and the reverse) from the rows' per-prompt marks."
    from dataclasses import asdict

    from dpo_agent.results import ROWS

    def summary(name, fc):
        rate = {"k": fc.count("1"), "n": len(fc), "rate": fc.count("1") / len(fc), "ci95": [0, 1]}
        return {
            "row": asdict(ROWS[name]),
            "command": f"dpo-agent ablation --rows {name}",
            "eval_n": len(fc),
            "times": {},
            "report": {"n": len(fc), "overall": {"full_compliance": rate}, "by_tool": {}},
            "marks": {"heldout": {"ids": [f"t-{i}" for i in range(len(fc))], "full_compliance": fc}},
        }

    res = tmp_path / "res"
    res.mkdir()
    (res / "ablation.json").write_text(json.dumps({"rows": [summary("base", "0000001111"), summary("constrained", "1111111110")]}))
    r = run("ablation", "--compare", "base,constrained", "--out", str(tmp_path / "empty"), "--results", str(res))
    assert r.returncode == 0, r.stderr
    assert "| heldout | full_compliance | 6 | 1 | 10 | 0.125 |" in r.stdout, r.stdout
    r = run("ablation", "--compare", "base,dpo", "--out", str(tmp_path / "empty"), "--results", str(res))
    assert r.returncode == 2 and "no row 'dpo' in the results" in r.stderr, r.stderr


def test_committed_results_match_readme():
    "The README's results table is the one the committed results file renders to (not typed in by hand)."
    from dpo_agent.results import load_results, results_table

    root = Path(__file__).resolve().parents[1]
    res = load_results(root / "results" / "ablation.json")
    table = results_table(res)
    assert table in (root / "README.md").read_text()
    assert (root / "results" / "ablation.md").read_text().strip() == table
    assert len(res["rows"]) >= 2 and all(s["report"]["n"] == s["eval_n"] for s in res["rows"])


def test_demo_bad_invented_share(tmp_path):
    r = run("demo", "--invented-share", "2", "--out", str(tmp_path / "demo"))
    assert r.returncode == 2 and "--invented-share must be between 0 and 1, got 2.0" in r.stderr, r.stderr
    assert not (tmp_path / "demo").exists()  # refused before any stage ran


def test_train_bad_data_option(tmp_path):
    "A misspelt `data_options` entry (the recipe's generated data) is refused before anything is written."
    r = run("train", "--recipe", "smollm2-135m-cpu", "--set", "data_options.renamed_share=0.2", "--set", f"output_dir={tmp_path / 't'}")
    assert r.returncode == 2 and "data_options: unknown option 'renamed_share'; known: invented_share" in r.stderr, r.stderr
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize(
    "flag",
    [
        "--date-share",
        "--invented-share",
        "--calc-share",
        "--cal-share",
        "--worked-share",
        "--count-share",
        "--rephrase-share",
        "--slip-share",
        "--domain-share",
        "--domain-twin-share",
        "--domain-other-share",
        "--wide-share",
        "--calc-name-share",
    ],
)
def test_data_bad_share(flag, tmp_path):
    r = run("data", flag, "1.5", "--n", "50", "--out", str(tmp_path / "d"))
    assert r.returncode == 2 and f"{flag} must be between 0 and 1, got 1.5" in r.stderr, r.stderr
    assert not (tmp_path / "d").exists()  # refused before anything was written


def test_data_date_share(tmp_path):
    r = run("data", "--date-share", "1", "--n", "300", "--out", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in (tmp_path / "d" / "train.jsonl").read_text().splitlines()]
    dated = [r for r in rows if r["rejected_kind"] == "date_format"]
    assert dated and all(r["tool"] == "calendar" and r["step"] == "first" for r in dated)
    assert "--date-share 1.0" in (tmp_path / "d" / "README.md").read_text()  # the card records the command


def data_with(tmp_path, flag: str, share: str, base: tuple[str, ...] = ()) -> tuple[list, list]:
    """`dpo-agent data --n 300 *base` plain (in `p`) and with `flag share` (in `x`): both train splits' rows. Checks what every
    train-only transform keeps: the test split is the plain one byte for byte, and the card records the flag."""
    for d, extra in (("p", []), ("x", [flag, share])):
        r = run("data", *base, *extra, "--n", "300", "--out", str(tmp_path / d))
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "x" / "test.jsonl").read_bytes() == (tmp_path / "p" / "test.jsonl").read_bytes()
    assert f"{flag} {float(share)}" in (tmp_path / "x" / "README.md").read_text()
    read = lambda d: [json.loads(line) for line in (tmp_path / d / "train.jsonl").read_text().splitlines()]
    return read("p"), read("x")


def first_steps(rows, tool):
    "How many of `rows` are first steps that call `tool`."
    return sum(r["tool"] == tool and r["step"] == "first" for r in rows)


def test_data_calc_share(tmp_path):
    plain, more = data_with(tmp_path, "--calc-share", "0.5")
    calc = [first_steps(rows, "calculator") for rows in (plain, more)]
    assert len(more) == len(plain) == 300
    # about half of the other rows became calculator first steps
    assert calc[1] - calc[0] > 0.35 * (300 - calc[0]), calc


def test_data_cal_share(tmp_path):
    "`--cal-share 0.5`: about half of the rows that are neither calculator nor calendar first steps become calendar ones."
    plain, more = data_with(tmp_path, "--cal-share", "0.5")
    assert len(more) == len(plain) == 300
    assert first_steps(more, "calculator") == first_steps(plain, "calculator")
    cal = [first_steps(rows, "calendar") for rows in (plain, more)]
    assert cal[1] - cal[0] > 0.35 * (300 - first_steps(plain, "calculator") - cal[0]), cal


def test_data_worked_share(tmp_path):
    "`--worked-share 1`: the same prompts and calls, the calculator and calendar Thoughts with their working spelled out."
    plain, worked = data_with(tmp_path, "--worked-share", "1")
    assert [r["prompt"] for r in worked] == [r["prompt"] for r in plain]
    assert [r["expected"] for r in worked] == [r["expected"] for r in plain]
    changed = [(a, b) for a, b in zip(plain, worked) if a["chosen"] != b["chosen"]]
    assert changed and all(b["step"] == "first" and b["tool"] in ("calculator", "calendar") for _, b in changed)
    from dpo_agent.data import calc_method, worked_time

    for _, b in changed:  # a calculator Thought opens with its family's rule; a calendar one does day or hour arithmetic
        t = b["chosen"][0]["content"]
        if b["tool"] == "calculator":
            assert t.startswith("Thought: " + calc_method(b["family"], b["expected"]["args"]["expression"], b["query"])), t
        else:
            assert " = " in t or "this year" in t or (worked_time(b["query"], b["expected"]["args"].get("time")) or "?") in t, t
    assert {b["tool"] for _, b in changed} == {"calculator", "calendar"}


def test_data_cal_worked_share(tmp_path):
    "`--cal-worked-share 1`: the calendar pairs of `--worked-share 1`, the calculator pairs as without it; not with `--worked-share`."
    plain, cal = data_with(tmp_path, "--cal-worked-share", "1")
    r = run("data", "--worked-share", "1", "--n", "300", "--out", str(tmp_path / "w"))
    assert r.returncode == 0, r.stderr
    worked = [json.loads(line) for line in (tmp_path / "w" / "train.jsonl").read_text().splitlines()]
    assert cal == [w if w["tool"] == "calendar" else p for p, w in zip(plain, worked)]
    changed = [c for p, c in zip(plain, cal) if c["chosen"] != p["chosen"]]
    assert changed and {c["tool"] for c in changed} == {"calendar"}
    assert any(w["tool"] == "calculator" and w["chosen"] != p["chosen"] for p, w in zip(plain, worked))  # the full run changes those
    r = run("data", "--n", "50", "--out", str(tmp_path / "both"), "--worked-share", "1", "--cal-worked-share", "1")
    assert r.returncode == 2 and "give one of them" in r.stderr and not (tmp_path / "both").exists(), r.stderr


def test_data_count_share(tmp_path):
    "`--count-share 1`: the same prompts and calls; calendar Thoughts count the days after today up to the call's date."
    plain, counted = data_with(tmp_path, "--count-share", "1")
    assert [r["prompt"] for r in counted] == [r["prompt"] for r in plain]
    assert [r["expected"] for r in counted] == [r["expected"] for r in plain]
    changed = [b for a, b in zip(plain, counted) if a["chosen"] != b["chosen"]]
    assert changed and all(b["step"] == "first" and b["tool"] == "calendar" for b in changed)
    steps = [b for b in changed if "The days after it: " in b["chosen"][0]["content"] or "days after it: 1: " in b["chosen"][0]["content"]]
    assert len(steps) > len(changed) / 3, (len(steps), len(changed))
    for b in steps:  # the count ends on the call's date
        t, d = b["chosen"][0]["content"], b["expected"]["args"]["date"]
        assert re.search(rf"so (the next \w+|\d+ days? from now) is {d}\.", t), t


def test_calendar_probe_script(tmp_path):
    "scripts/calendar_probe.py: the calendar requests with a date of a test split, and its errors for bad input."
    script = Path(__file__).resolve().parents[1] / "scripts" / "calendar_probe.py"
    r = run("data", "--n", "400", "--out", str(tmp_path / "data"))
    assert r.returncode == 0, r.stderr
    import importlib.util

    spec = importlib.util.spec_from_file_location("calendar_probe", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    test = [json.loads(line) for line in (tmp_path / "data" / "test.jsonl").read_text().splitlines()]
    want = [i for i, t in enumerate(test) if t["step"] == "first" and t["tool"] == "calendar" and "date" in t["expected"]["args"]]
    got = mod.calendar_prompts(tmp_path / "data" / "test.jsonl")
    assert want and [p["id"] for p in got] == [f"test-{i}" for i in want]
    assert all(p["query"] == test[i]["query"] and p["expected"] == test[i]["expected"] for p, i in zip(got, want))
    bad = subprocess.run([sys.executable, str(script), "--rows", "nope"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "unknown ablation row(s) ['nope']" in bad.stderr, bad.stderr
    bad = subprocess.run(
        [sys.executable, str(script), "--rows", "inv_sft384_menu", "--out", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "does not exist: run `dpo-agent ablation` first" in bad.stderr, bad.stderr


def test_bfcl_wide_script(tmp_path):
    "scripts/bfcl_wide.py: its errors for bad input, each before a model is loaded."
    script = Path(__file__).resolve().parents[1] / "scripts" / "bfcl_wide.py"

    def bad(*args):
        r = subprocess.run(
            [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"}
        )
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        return r.stderr

    assert "unknown ablation row(s) ['nope']" in bad("--rows", "nope")
    assert "need 0 <= start < stop" in bad("--rows", "cal_bf16", "--start", "60", "--stop", "60")
    assert "is past its end" in bad("--rows", "cal_bf16", "--stop", "100000", "--results", str(tmp_path))
    (tmp_path / "bfcl_wide.json").write_text(json.dumps({"start": 0, "stop": 10, "rows": {}}))
    assert "holds questions 1 to 10: move it away" in bad("--rows", "cal_bf16", "--results", str(tmp_path))
    assert "holds BFCL simple questions: give another --results folder for multiple" in bad(
        "--rows", "cal_bf16", "--category", "multiple", "--start", "0", "--stop", "10", "--results", str(tmp_path)
    )
    (tmp_path / "bfcl_wide.json").unlink()
    assert "BFCL multiple has 200 questions: --stop 300 is past its end" in bad(
        "--rows", "cal_bf16", "--category", "multiple", "--stop", "300"
    )
    err = bad("--rows", "cal_bf16", "--out", str(tmp_path / "none"), "--results", str(tmp_path))
    assert "cal_bf16" in err and not (tmp_path / "bfcl_wide.json").exists(), err  # no adapter: nothing written


def test_data_rephrase_share(tmp_path):
    "`--rephrase-share 1`: calculator first steps re-asked in train-only wordings, same families, the test split unchanged."
    plain, new = data_with(tmp_path, "--rephrase-share", "1")
    from dpo_agent.data import TRAIN_ONLY_TEMPLATES

    only = {t.id for ts in TRAIN_ONLY_TEMPLATES.values() for t in ts}
    changed = [(a, b) for a, b in zip(plain, new) if a != b]
    first_calc = [a for a in plain if a["tool"] == "calculator" and a["step"] == "first"]
    assert len(changed) > 0.9 * len(first_calc), (len(changed), len(first_calc))  # share 1: all but a rare repeat
    for a, b in changed:
        assert (a["tool"], a["step"]) == (b["tool"], b["step"]) == ("calculator", "first") and a["family"] == b["family"]
        assert b["template_id"] in only and b["query"] != a["query"]
    test = [json.loads(line) for line in (tmp_path / "x" / "test.jsonl").read_text().splitlines()]
    assert test and not {r["template_id"] for r in test} & only  # the test split never uses a train-only wording


def test_data_slip_share(tmp_path):
    "`--slip-share 1`: the same prompts and chosen turns; first-step calculator and calendar rejected turns slip on one value."
    plain, slipped = data_with(tmp_path, "--slip-share", "1")
    assert [(r["prompt"], r["chosen"], r["expected"]) for r in slipped] == [(r["prompt"], r["chosen"], r["expected"]) for r in plain]
    changed = [b for a, b in zip(plain, slipped) if a["rejected"] != b["rejected"]]
    assert changed and all(b["rejected_kind"] == "slipped_args" for b in changed)
    assert {b["tool"] for b in changed} == {"calculator", "calendar"} and all(b["step"] == "first" for b in changed)
    from dpo_agent.protocol import parse_turn

    for b in changed:  # the rejected call is the chosen one with one argument's value changed
        c, r = parse_turn(b["chosen"][0]["content"]), parse_turn(b["rejected"][0]["content"])
        assert r.tool == c.tool and set(r.args) == set(c.args) and sum(r.args[k] != c.args[k] for k in c.args) == 1, (c, r)


def test_data_domain_share(tmp_path):
    "`--domain-share 0.5`: about half of the plain first steps (not the distractor ones) now need a maths, science or money tool."
    plain, new = data_with(tmp_path, "--domain-share", "0.5")
    from dpo_agent.data import DOMAIN_SPECS
    from dpo_agent.protocol import parse_turn

    changed = [(a, b) for a, b in zip(plain, new) if a != b]
    first = [a for a in plain if a["step"] == "first"]
    assert 0.3 * len(first) < len(changed) < 0.7 * len(first), (len(changed), len(first))
    for a, b in changed:
        assert a["step"] == b["step"] == "first" and b["family"] == f"domain.{b['tool']}" and b["tool"] in DOMAIN_SPECS
        assert "calculator" not in b["tools_offered"]  # the habit it breaks: sending a computation to the calculator
        t = parse_turn(b["chosen"][0]["content"])
        assert t.tool == b["tool"] and DOMAIN_SPECS[t.tool].validate_args(t.args) == [], t
    card = (tmp_path / "x" / "README.md").read_text()
    assert f"in {len(changed)} train pairs, one of {len(DOMAIN_SPECS)} maths, science and money tools" in card


def test_data_domain_twin_share(tmp_path):
    "`--domain-twin-share 0.5`: about half of the maths, science and money requests go to the offered calculator instead."
    r = run("data", "--domain-share", "0.5", "--domain-twin-share", "0.5", "--n", "300", "--out", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in (tmp_path / "d" / "train.jsonl").read_text().splitlines()]
    from dpo_agent.data import DOMAIN_SPECS
    from dpo_agent.tools import calculate

    twins = [x for x in rows if x["family"] == "domain.calculator"]
    tools = [x for x in rows if x["family"].startswith("domain.") and x["family"] != "domain.calculator"]
    assert 0.3 < len(twins) / (len(twins) + len(tools)) < 0.7, (len(twins), len(tools))
    for x in twins:  # the calculator (perhaps under another name) is offered, no maths tool is the right call
        assert x["tool"] not in DOMAIN_SPECS and x["tool"] in x["tools_offered"]
        assert calculate(next(iter(x["expected"]["args"].values()))) == x["expected"]["value"]
    card = (tmp_path / "d" / "README.md").read_text()
    assert "--domain-share 0.5 --domain-twin-share 0.5" in card
    assert (
        f"in {len(tools)} train pairs, one of {len(DOMAIN_SPECS)} maths" in card
        and f"(and {len(twins)} such requests with the calculator" in card
    )
    r = run("data", "--domain-twin-share", "0.5", "--n", "50", "--out", str(tmp_path / "e"))
    assert r.returncode == 2 and "--domain-twin-share needs --domain-share" in r.stderr, r.stderr
    assert not (tmp_path / "e").exists()


def check_other_replaced(changed: list, family: str, specs: dict) -> None:
    """Each (plain, new) pair of `changed` replaced a distractor-tool row by a row of `family` whose chosen turn calls its
    tool, one of `specs`, with args its schema takes: so every built-in tool and no-tool pair is the same."""
    from dpo_agent.protocol import parse_turn

    for a, b in changed:
        assert a["family"].startswith("other.") and b["family"] == f"{family}.{b['tool']}" and b["tool"] in specs, (
            a["family"],
            b["family"],
        )
        t = parse_turn(b["chosen"][0]["content"])
        assert t.tool == b["tool"] and specs[t.tool].validate_args(t.args) == [], t


def refused_without_other(tmp_path, flag: str) -> None:
    "`dpo-agent data FLAG 0.5` without `--other-share` is refused with exit code 2, before anything is written."
    r = run("data", flag, "0.5", "--n", "50", "--out", str(tmp_path / "e"))
    assert r.returncode == 2 and f"{flag} needs --other-share" in r.stderr, r.stderr
    assert not (tmp_path / "e").exists()


def test_data_domain_other_share(tmp_path):
    "`--domain-other-share 0.5`: about half of the distractor-tool requests, and nothing else, now need a maths, science or money tool."
    plain, new = data_with(tmp_path, "--domain-other-share", "0.5", base=("--other-share", "0.3"))
    from dpo_agent.data import DOMAIN_SPECS

    changed = [(a, b) for a, b in zip(plain, new) if a != b]
    other = [a for a in plain if a["family"].startswith("other.")]
    assert 0.3 * len(other) < len(changed) < 0.7 * len(other), (len(changed), len(other))
    check_other_replaced(changed, "domain", DOMAIN_SPECS)
    assert all("calculator" not in b["tools_offered"] for _, b in changed)
    card = (tmp_path / "x" / "README.md").read_text()
    assert "--other-share 0.3" in card
    assert f"in {len(changed)} train pairs, one of {len(DOMAIN_SPECS)} maths, science and money tools" in card
    refused_without_other(tmp_path, "--domain-other-share")


def test_data_wide_share(tmp_path):
    "`--wide-share 1`: the distractor-tool requests that `--domain-other-share` left, and nothing else, now need a tool of another field."
    plain, new = data_with(tmp_path, "--wide-share", "1", base=("--other-share", "0.3", "--domain-other-share", "0.5"))
    from dpo_agent.data import DOMAIN_SPECS, WIDE_SPECS

    changed = [(a, b) for a, b in zip(plain, new) if a != b]
    other = [a for a in plain if a["family"].startswith("other.")]
    assert 0.9 * len(other) <= len(changed) <= len(other) and changed, (len(changed), len(other))
    assert sum(a["family"].startswith("domain.") for a in new) == sum(a["family"].startswith("domain.") for a in plain) > 0  # kept
    check_other_replaced(changed, "wide", WIDE_SPECS)  # the maths requests are kept (above)
    card = (tmp_path / "x" / "README.md").read_text()
    assert "--domain-other-share 0.5 --wide-share 1.0" in card
    assert (
        f"one of {len(DOMAIN_SPECS)} maths, science and money tools offered without the calculator, or, in {len(changed)} train pairs, one of {len(WIDE_SPECS)} tools of other fields"
        in card
    )
    refused_without_other(tmp_path, "--wide-share")


def test_evaluate_bfcl_constrained(tmp_path):
    "`evaluate --bfcl --constrained`: every answer of even a random model is protocol-shaped, or cut by the token limit."
    out = tmp_path / "bfcl.jsonl"
    r = run("evaluate", "--bfcl", "simple", "--model", "tiny", "--limit", "3", "--constrained", "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert "bfcl-simple-constrained" in r.stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    for x in rows:
        assert x["output"].startswith("Thought: ")
        assert x["parsed"]["json_valid"] or x["parsed"]["final_answer_valid"] or x["finish_reason"] == "length", x["output"]
    r = run("evaluate", "--constrained", str(out))
    assert r.returncode == 2 and "--constrained applies to --bfcl runs" in r.stderr, r.stderr


def test_data_calc_name_share(tmp_path):
    "`--calc-name-share 1`: the maths, science and money requests, and nothing else, now offer their tool under a calculate_ name."
    base = ("--other-share", "0.3", "--domain-other-share", "0.5")
    plain, new = data_with(tmp_path, "--calc-name-share", "1", base=base)
    from dpo_agent.data import CALC_NAME_OF, CALC_NAME_SPECS, DOMAIN_SPECS

    changed = [(a, b) for a, b in zip(plain, new) if a != b]
    domain = [a for a in plain if a["family"].startswith("domain.")]
    assert 0.9 * len(domain) <= len(changed) <= len(domain) and changed, (len(changed), len(domain))
    for a, b in changed:  # the same request and args, the tool renamed on the same menu
        assert a["tool"] in DOMAIN_SPECS and CALC_NAME_OF[b["tool"]] == a["tool"] and b["family"] == f"domain.{b['tool']}"
        assert (b["query"], b["expected"]["args"], b["today"]) == (a["query"], a["expected"]["args"], a["today"])
        assert b["tools_offered"] == [b["tool"] if n == a["tool"] else n for n in a["tools_offered"]]
        assert b["tool"] in b["prompt"][0]["content"] and f'"tool": "{b["tool"]}"' in b["chosen"][0]["content"]
    card = (tmp_path / "x" / "README.md").read_text()
    assert "--wide-share" not in card and "--domain-other-share 0.5 --calc-name-share 1.0" in card
    assert f"({len(changed)} of them under a calculate_, compute_ or calc_ name)" in card
    assert len(CALC_NAME_SPECS) == 3 * len(DOMAIN_SPECS)
    r = run("data", "--calc-name-share", "0.5", "--other-share", "0.3", "--n", "50", "--out", str(tmp_path / "e"))
    assert r.returncode == 2 and "--calc-name-share needs --domain-share or --domain-other-share" in r.stderr, r.stderr
    assert not (tmp_path / "e").exists()


def test_data_dotted_share(tmp_path):
    "`--dotted-share 1`: the maths and other-field requests, and nothing else, name their tool with its namespace."
    base = ("--other-share", "0.3", "--domain-other-share", "0.5", "--wide-share", "1")
    plain, new = data_with(tmp_path, "--dotted-share", "1", base=base)
    from dpo_agent.data import DOTTED_NAME_OF, cut_names, parse_turn

    changed = [(a, b) for a, b in zip(plain, new) if a != b]
    ours = [a for a in plain if a["family"].startswith(("domain.", "wide."))]
    assert 0.9 * len(ours) <= len(changed) <= len(ours) and changed, (len(changed), len(ours))
    for a, b in changed:  # the same request and args; the tool namespaced on the same menu, the rejected turn a side of it
        assert a["family"].startswith(("domain.", "wide.")) and b["tool"] == DOTTED_NAME_OF.get(a["tool"], a["tool"]) and "." in b["tool"]
        assert (b["query"], b["expected"]["args"], b["today"]) == (a["query"], a["expected"]["args"], a["today"])
        assert b["tools_offered"] == [b["tool"] if n == a["tool"] else n for n in a["tools_offered"]]
        assert f'"tool": "{b["tool"]}"' in b["chosen"][0]["content"] and b["tool"] in b["prompt"][0]["content"]
        assert parse_turn(b["rejected"][0]["content"]).tool in cut_names(b["tool"]), b["rejected"][0]["content"]
    card = (tmp_path / "x" / "README.md").read_text()
    assert "--wide-share 1.0 --dotted-share 1.0" in card
    assert f"; {len(changed)} of the pairs for those tools name it with its namespace" in card
    r = run("data", "--dotted-share", "0.5", "--other-share", "0.3", "--n", "50", "--out", str(tmp_path / "e"))
    assert r.returncode == 2 and "--dotted-share needs --domain-share, --domain-other-share or --wide-share" in r.stderr, r.stderr
    assert not (tmp_path / "e").exists()
