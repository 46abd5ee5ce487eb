"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed here).

Markdown cells are copied; code cells are shown as ```python blocks with their text outputs, except
cells whose first line is an nbdev directive `#| hide`. Directive lines are dropped from what is shown.
Usage: python scripts/make_readme.py [--check]   (--check: exit 1 when README.md is out of date)
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by scripts/make_readme.py (make readme). Edit the notebook, not this file. -->\n\n"


def _text(x):
    return "".join(x) if isinstance(x, list) else (x or "")


def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    parts = []
    for cell in nb["cells"]:
        src = _text(cell["source"]).strip("\n")
        if cell["cell_type"] == "markdown":
            parts.append(src)
        elif cell["cell_type"] == "code":
            lines = src.splitlines()
            if any(ln.strip().replace(" ", "") in ("#|hide", "#|exporti") for ln in lines[:3]):
                continue
            code = "\n".join(ln for ln in lines if not ln.lstrip().startswith("#|")).strip("\n")
            if code:
                parts.append(f"```python\n{code}\n```")
            for out in cell.get("outputs", []):
                txt = _text(out.get("text")) or _text(out.get("data", {}).get("text/plain"))
                if txt.strip():
                    parts.append("```\n" + txt.rstrip("\n") + "\n```")
    return HEADER + "\n\n".join(parts) + "\n"


def main(argv):
    out = render(ROOT / "nbs" / "index.ipynb")
    readme = ROOT / "README.md"
    if "--check" in argv:
        if not readme.exists() or readme.read_text() != out:
            print("README.md is out of date: run `make readme`", file=sys.stderr)
            return 1
        return 0
    readme.write_text(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
