"""The HTML report of `make run`: build/index.html and one rendered page per notebook run.

- Each executed notebook becomes build/html/<notebook>.<framework>.html (nbconvert, outputs kept). Math renders
  with the MathJax copy that the `jupyter-server-mathjax` package ships, copied to build/mathjax/, so the pages
  open from the file system with no server and no network.
- Every figure (PNG output) is saved as build/figures/<notebook>.<framework>/<NN>-<section>--<title>.png: the
  section is the nearest markdown heading above the cell; the title is the cell's first comment line, or the
  plotting function it calls.
- build/index.html lists every notebook x framework: status, seconds, figure count, recorded key results
  (course_lib.record), and links to the page, the figures and the log.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
from pathlib import Path

__all__ = ["extract_figures", "figure_name", "write_report"]

MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"
KEY_RESULTS_SHOWN = 8
_NOT_TITLES = {"print", "len", "range", "record", "int", "float", "str", "list", "dict", "zip", "enumerate",
               "array", "asarray", "mean", "round", "sorted", "format", "load", "setup_notebook", "subplots",
               "tight_layout", "show", "figure"}


def slug(text: str, limit: int = 48) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:limit].rstrip("-") or "untitled"


def _cell_title(source: str) -> str:
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("#!") and len(stripped) > 2:
            return stripped.lstrip("# ")
    calls = [c.split(".")[-1] for c in re.findall(r"([A-Za-z_][\w.]*)\s*\(", source)]
    calls = [c for c in calls if c not in _NOT_TITLES and not c.startswith("_")]
    plotting = [c for c in calls if re.search(r"plot|show|grid|gallery|explorer|diagram|figure|draw|curve|map", c)]
    return (plotting or calls or ["figure"])[0]


def figure_name(index: int, section: str, source: str, k: int) -> str:
    """Readable file name of the k-th figure of cell `index` under heading `section`."""
    suffix = f"-{k + 1}" if k else ""
    return f"{index:02d}-{slug(section, 32)}--{slug(_cell_title(source))}{suffix}.png"


def extract_figures(executed: Path, figures_dir: Path) -> list[Path]:
    """Save every PNG output of an executed notebook under a readable name; return the paths."""
    if figures_dir.exists():
        shutil.rmtree(figures_dir)
    figures_dir.mkdir(parents=True)
    section, saved = "start", []
    cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    for index, cell in enumerate(cells):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            headings = re.findall(r"^#+\s+(.+)$", source, flags=re.MULTILINE)
            section = headings[-1] if headings else section
            continue
        pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        for k, png in enumerate(pngs):
            path = figures_dir / figure_name(index, section, source, k)
            path.write_bytes(base64.b64decode(png))
            saved.append(path)
    return saved


def _copy_mathjax(build: Path) -> str | None:
    """Copy the packaged MathJax next to the pages once; return its URL relative to build/html/, or None."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    target = build / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", target, dirs_exist_ok=True)
    return f"../mathjax/MathJax.js?config={MATHJAX_CONFIG}"


def render_html(executed: Path, page: Path, mathjax_url: str | None) -> None:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    if mathjax_url:
        exporter.mathjax_url = mathjax_url
    body, _ = exporter.from_filename(str(executed))
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(body, encoding="utf-8")


def _key_results(records_file: Path) -> str:
    if not records_file.exists():
        return ""
    records = json.loads(records_file.read_text(encoding="utf-8"))
    scalars = [(k, v) for k, v in records.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("quick", "seed")]
    shown = [f"{html.escape(k)} = {v:.4g}" if isinstance(v, float) else f"{html.escape(k)} = {v}"
             for k, v in scalars[:KEY_RESULTS_SHOWN]]
    more = f" (+{len(scalars) - KEY_RESULTS_SHOWN} more)" if len(scalars) > KEY_RESULTS_SHOWN else ""
    return "<br>".join(shown) + more


def _row(result: dict, build: Path) -> str:
    stem = result["stem"]
    ok = result["status"] == "ok"
    page = f"html/{stem}.html" if (build / "html" / f"{stem}.html").exists() else None
    links = [f'<a href="{page}">page</a>'] if page else []
    links += [f'<a href="figures/{stem}/">figures</a>', f'<a href="logs/{stem}.log">log</a>']
    return (f"<tr class='{'ok' if ok else 'failed'}'><td>{html.escape(result['notebook'])}</td>"
            f"<td>{result['framework']}</td><td>{html.escape(result['status'])}</td>"
            f"<td>{result['seconds']:.1f}</td><td>{result.get('figures', 0)}</td>"
            f"<td>{_key_results(Path(result['records']))}</td><td>{' · '.join(links)}</td></tr>")


def _figure_gallery(results: list[dict]) -> str:
    blocks = []
    for result in results:
        items = "".join(
            f'<figure><a href="{p}"><img src="{p}" loading="lazy"></a><figcaption>{html.escape(Path(p).stem)}'
            "</figcaption></figure>" for p in result.get("figure_paths", []))
        if items:
            blocks.append(f"<h2 id='{result['stem']}'>{html.escape(result['stem'])}</h2><div class='g'>{items}</div>")
    return "".join(blocks)


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Course run report</title><style>
body{{font-family:sans-serif;margin:2em;max-width:1200px}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:14px}} tr.failed{{background:#fdd}}
tr.ok td:nth-child(3){{color:#080}} .g{{display:flex;flex-wrap:wrap;gap:8px}}
figure{{margin:0;width:230px}} figure img{{width:230px}} figcaption{{font-size:11px;word-break:break-all}}
</style></head><body><h1>Generative models for product images: quick-mode run</h1>
<p>{summary}</p><table><tr><th>notebook</th><th>framework</th><th>status</th><th>seconds</th><th>figures</th>
<th>recorded key results</th><th>links</th></tr>{rows}</table><h1>Figures</h1>{gallery}</body></html>"""


def write_report(results: list[dict], build: Path) -> Path:
    """Render every executed notebook, save its figures, and write build/index.html; return its path."""
    mathjax_url = _copy_mathjax(build)
    for result in results:
        executed = Path(result["executed"])
        result["figure_paths"], result["figures"] = [], 0
        if not executed.exists():
            continue
        figures = extract_figures(executed, build / "figures" / result["stem"])
        result["figures"] = len(figures)
        result["figure_paths"] = [str(p.relative_to(build)) for p in figures]
        render_html(executed, build / "html" / f"{result['stem']}.html", mathjax_url)
    failed = sum(r["status"] != "ok" for r in results)
    summary = f"{len(results) - failed} of {len(results)} notebook runs ok; figures below, one page per run."
    index = build / "index.html"
    index.write_text(PAGE.format(summary=html.escape(summary), rows="".join(_row(r, build) for r in results),
                                 gallery=_figure_gallery(results)), encoding="utf-8")
    return index
