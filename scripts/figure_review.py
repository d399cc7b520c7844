"""A before/after page of every figure the concept notes draw, for a person to compare by eye.

    .venv/bin/python scripts/figure_review.py [--before main] [--out /tmp/kb-figure-review]

Draws each `*_figure` function of `snippets` twice, from the `snippets/` of the git revision
`--before` and from the working tree, and writes `index.html` beside the images: one row per
figure, before on the left, after on the right, with what `snippets.legibility` finds in each
(text over text, a line through a label, a hidden arrowhead, small scripts). The images and the
page are written to `--out` only, never into the repository.
"""

from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a separate interpreter per side, with that side's `snippets` first on the path.
DRAW = r"""
import importlib, inspect, json, pkgutil, sys, warnings
warnings.simplefilter("ignore")
import matplotlib
matplotlib.use("Agg")
import koreanize_matplotlib  # noqa: F401  (the snippet worker's fonts)
import matplotlib.pyplot as plt
import snippets
out = sys.argv[1]
try:
    from snippets.legibility import problems
except ImportError:  # an older revision: the current checker, on the path after it
    sys.path.append(sys.argv[2])
    from snippets_checker.legibility import problems
found = {}
for info in sorted(pkgutil.iter_modules(snippets.__path__), key=lambda m: m.name):
    module = importlib.import_module(f"snippets.{info.name}")
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if not name.endswith("_figure") or function.__module__ != module.__name__:
            continue
        key = f"{info.name}.{name}"
        try:
            fig = function()
            fig.savefig(f"{out}/{key}.png", dpi=100)
            found[key] = problems(fig)
        except Exception as exc:  # a figure that no longer draws is shown as such
            found[key] = [f"failed: {exc!r}"]
        plt.close("all")
print(json.dumps(found, ensure_ascii=False))
"""


def draw(snippets_parent: Path, out: Path, checker: Path) -> dict[str, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, "-c", DRAW, str(out), str(checker)],
                            cwd=snippets_parent, capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(snippets_parent), "PATH": "/usr/bin:/bin",
                                 "MPLCONFIGDIR": str(out / ".mpl")})
    return json.loads(result.stdout.strip().splitlines()[-1])


def export(revision: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "snippets"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def page(before: dict, after: dict, revision: str) -> str:
    rows = []
    for key in sorted(set(before) | set(after)):
        cells = []
        for side, found in (("before", before), ("after", after)):
            if key not in found:
                cells.append("<td><em>없음</em></td>")
                continue
            listed = "".join(f"<li>{html.escape(p)}</li>" for p in found[key])
            cells.append(f'<td><img src="{side}/{html.escape(key)}.png" loading="lazy">'
                         f'<ul>{listed or "<li>문제 없음</li>"}</ul></td>')
        changed = before.get(key) != after.get(key)
        rows.append(f'<tr{" class=changed" if changed else ""}><th>{html.escape(key)}</th>'
                    + "".join(cells) + "</tr>")
    return ("<!doctype html><meta charset=utf-8><title>그림 비교</title><style>"
            "body{font-family:sans-serif}td{vertical-align:top;width:48%}img{max-width:100%}"
            "ul{font-size:12px;color:#b71c1c}tr.changed th{color:#1a237e}</style>"
            f"<h1>그림 비교: {html.escape(revision)} → 작업 트리</h1>"
            f"<p>그림 {len(after)}개. 왼쪽이 {html.escape(revision)}, 오른쪽이 지금.</p>"
            "<table>" + "".join(rows) + "</table>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="git revision to compare with")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "kb-figure-review")
    args = parser.parse_args()
    out = args.out.resolve()
    with tempfile.TemporaryDirectory() as temporary:
        old = Path(temporary)
        export(args.before, old)
        checker = Path(temporary) / "checker"
        (checker / "snippets_checker").mkdir(parents=True)
        (checker / "snippets_checker" / "__init__.py").write_text("")
        legibility = (ROOT / "snippets" / "legibility.py").read_text(encoding="utf-8")
        (checker / "snippets_checker" / "legibility.py").write_text(legibility, encoding="utf-8")
        before = draw(old, out / "before", checker)
    after = draw(ROOT, out / "after", ROOT)
    (out / "index.html").write_text(page(before, after, args.before), encoding="utf-8")
    print(out / "index.html")


if __name__ == "__main__":
    main()
