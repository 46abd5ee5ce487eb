"""The repository's own rules: notebooks are the source, exports and README are generated from them."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tracked_copy(dst: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for f in files:
        src = ROOT / f
        if src.is_file():
            (dst / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / f)
    return dst


def test_export_and_clean_leave_tree_unchanged(tmp_path):
    work = _tracked_copy(tmp_path / "repo")
    before = {p.relative_to(work): p.read_bytes() for p in work.rglob("*") if p.is_file() and p.suffix in (".py", ".ipynb")}
    for cmd in ("nbdev_export", "nbdev_clean"):
        subprocess.run([str(BIN / cmd)], cwd=work, check=True, capture_output=True)
    after = {p.relative_to(work): p.read_bytes() for p in work.rglob("*") if p.is_file() and p.suffix in (".py", ".ipynb")}
    changed = sorted(str(k) for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"nbdev_export/nbdev_clean changed {changed}: run them and commit"


def test_readme_generated_from_index():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_readme.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_settings_pins_and_flags():
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    d = cfg["DEFAULT"]
    assert set(d["tst_flags"].split()) == {"slow", "gpu", "slurm", "docs"}
    assert d["allowed_cell_metadata_keys"].strip() == "tags"
    dev = d["dev_requirements"].split()
    assert "nbdev==2.4.14" in dev and "execnb<0.2" in dev
    assert "fastcore>=1.12.3,<2" in d["requirements"].split()


def test_every_library_module_comes_from_a_notebook():
    import json

    exported = set()
    for nb in (ROOT / "nbs").glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        for c in cells:
            src = "".join(c["source"])
            if src.startswith("#| default_exp "):
                exported.add(src.split()[2])
    modules = {p.stem for p in (ROOT / "dpo_agent").glob("*.py") if not p.stem.startswith("_")}
    assert modules <= exported, f"modules without a notebook: {modules - exported}"
