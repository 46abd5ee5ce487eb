"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which cannot be installed here).

Markdown cells are copied; code cells are shown as ```python blocks with their outputs, except cells
whose first lines hold the nbdev directive `#| hide` (nothing shown) or `#| echo: false` (only the outputs
shown). An image output is left out unless the cell names a committed copy of it with
`#| readme_image: PATH` (relative to the repository root), which is then shown. A `text/markdown` output (IPython's `Markdown(...)`) is copied as Markdown, a text output as a
``` block. Directive lines are dropped from what is shown.
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
            img = [ln.split(":", 1)[1].strip() for ln in lines[:4] if ln.strip().replace(" ", "").startswith("#|readme_image:")]
            echo = not any(ln.strip().replace(" ", "") == "#|echo:false" for ln in lines[:3])
            code = "\n".join(ln for ln in lines if not ln.lstrip().startswith("#|")).strip("\n")
            if code and echo:
                parts.append(f"```python\n{code}\n```")
            for out in cell.get("outputs", []):
                if "image/png" in out.get("data", {}):
                    if img:
                        parts.append(f"![{Path(img[0]).stem}]({img[0]})")
                    continue
                md = _text(out.get("data", {}).get("text/markdown"))
                if md.strip():
                    parts.append(md.strip("\n"))
                    continue
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
