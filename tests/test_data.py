"""`dpo-agent data` as a user runs it: speed, byte-identical output, every row valid, no leak, no BFCL overlap."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from dpo_agent.data import REJECTED_KINDS, TEMPLATES, check_row, make_request, make_splits

EXE = shutil.which("dpo-agent", path=str(Path(sys.executable).parent)) or "dpo-agent"
FILES = ("train.jsonl", "test.jsonl", "README.md")


def norm(s: str) -> str:
    return " ".join(s.lower().split())


def read_jsonl(p: Path) -> list[dict]:
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    "The default dataset written twice by the real CLI, with the wall time of each run."
    root = tmp_path_factory.mktemp("data")
    out = {}
    for name in ("a", "b"):
        t0 = time.time()
        r = subprocess.run(
            [EXE, "data", "--n", "2500", "--seed", "42", "--out", str(root / name)],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        out[name] = (root / name, time.time() - t0, r)
        assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def rows(twice):
    d = twice["a"][0]
    return {s: read_jsonl(d / f"{s}.jsonl") for s in ("train", "test")}


def test_fast_and_byte_identical(twice):
    for d, secs, r in twice.values():
        assert secs < 120, f"dpo-agent data took {secs:.1f}s"
        assert "wrote 2500 train and 250 test pairs" in r.stdout
        assert sorted(p.name for p in d.iterdir()) == sorted(FILES)  # no temporary files left behind
    for f in FILES:
        assert (twice["a"][0] / f).read_bytes() == (twice["b"][0] / f).read_bytes(), f


def test_other_seed_differs_and_hash_seed_does_not_matter(tmp_path, twice):
    env = dict(os.environ, PYTHONHASHSEED="12345")
    r = subprocess.run(
        [EXE, "data", "--n", "2500", "--seed", "42", "--out", str(tmp_path / "h")], check=False, capture_output=True, text=True, env=env
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "h" / "train.jsonl").read_bytes() == (twice["a"][0] / "train.jsonl").read_bytes()
    r = subprocess.run(
        [EXE, "data", "--n", "300", "--seed", "43", "--out", str(tmp_path / "s")], check=False, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "s" / "train.jsonl").read_bytes()[:5000] != (twice["a"][0] / "train.jsonl").read_bytes()[:5000]


def test_every_row_is_a_valid_pair(rows):
    assert len(rows["train"]) >= 2500 and len(rows["test"]) == 250
    bad = [(s, i, p) for s in rows for i, r in enumerate(rows[s]) for p in [check_row(r)] if p]
    assert not bad, bad[:5]


def test_unique_and_leak_free(rows):
    train, test = rows["train"], rows["test"]
    for split in (train, test):
        keys = [json.dumps(r["prompt"][1:], ensure_ascii=False) for r in split]
        assert len(set(keys)) == len(keys)
    assert not {r["template_id"] for r in test} & {r["template_id"] for r in train}
    assert not {norm(r["query"]) for r in test} & {norm(r["query"]) for r in train}
    assert {r["split"] for r in train} == {"train"} and {r["split"] for r in test} == {"test"}


def test_rejected_kinds_and_card(rows, twice):
    kinds = {r["rejected_kind"] for r in rows["train"]}
    assert len(kinds) >= 8 and kinds <= set(REJECTED_KINDS)
    card = (twice["a"][0] / "README.md").read_text()
    for k in kinds:
        assert re.search(rf"\| {k} \| \d+ \| \d+\.\d% \|", card), k


def test_loads_with_datasets(twice):
    import datasets

    d = twice["a"][0]
    ds = datasets.load_dataset("json", data_files={s: str(d / f"{s}.jsonl") for s in ("train", "test")})
    assert (ds["train"].num_rows, ds["test"].num_rows) == (2500, 250)
    row = ds["train"][0]
    assert row["prompt"][0]["role"] == "system" and row["chosen"][0]["role"] == "assistant"
    by_card = datasets.load_dataset(str(d))  # the card's YAML header names the splits
    assert (by_card["train"].num_rows, by_card["test"].num_rows) == (2500, 250)


def bfcl_questions() -> list[str]:
    "The user requests of BFCL's simple, multiple and irrelevance sets (evaluation data: only ever compared against, never used)."
    from dpo_agent.evaluate import BFCL_FILES, load_bfcl

    return [e["query"] for cat in BFCL_FILES for e in load_bfcl(cat)]  # the bfcl-eval wheel that `make install` installs


def test_no_bfcl_request_in_the_data(rows):
    bfcl = {norm(q) for q in bfcl_questions()}
    assert len(bfcl) > 500
    ours = {norm(r["query"]) for s in rows for r in rows[s]}
    assert not ours & bfcl, sorted(ours & bfcl)[:5]


def test_no_template_produces_a_bfcl_request():
    "Beyond one seed: 150 requests from every template, in both splits, never equal a BFCL question."
    bfcl = {norm(q) for q in bfcl_questions()}
    rng = random.Random(0)
    splits = make_splits(0)
    hits = set()
    for tpl in TEMPLATES:
        for S in splits:
            for _ in range(75):
                q = norm(make_request(rng, tpl, S, date(2026, 1, 1) + timedelta(days=rng.randrange(700))).query)
                if q in bfcl:
                    hits.add((tpl.id, q))
    assert not hits, sorted(hits)[:5]
