"""Write every exercise's picture to a folder so a person can look at them.

    python tools/render_figures.py [FOLDER]      (default: test-artifacts/figures)

For each exercise: ID.svg (animated) and ID-still.svg (start and end side by side). If
`rsvg-convert` or the `cairosvg` package is available it also writes a PNG of each still
picture and contact-sheet.png with all of them, since SMIL animation does not show in a
PNG; otherwise only the SVGs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from psoas.core.content.loader import catalog
from psoas.core.figure import render_svg

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 3


def _to_png(svg: Path, png: Path) -> bool:
    """Convert with whichever converter is installed; False when there is none."""
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", "-o", str(png), str(svg)], check=True)
        return True
    try:
        import cairosvg
    except ImportError:
        return False
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return True


def _contact_sheet(stills: dict[str, str]) -> str:
    """One SVG that tiles the still pictures with their ids beneath, for one PNG."""
    tiles, w, h = [], 0, 0
    for i, (ex_id, svg) in enumerate(sorted(stills.items())):
        w, h = (int(svg.split(f'{attr}="', 1)[1].split('"', 1)[0]) for attr in ("width", "height"))
        x, y = (i % COLUMNS) * w, (i // COLUMNS) * (h + 20)
        inner = svg.replace("<svg ", f'<svg x="{x}" y="{y}" ', 1)
        label = f'<text x="{x + w / 2}" y="{y + h + 14}" text-anchor="middle">{ex_id}</text>'
        tiles.append(inner + label)
    rows = -(-len(stills) // COLUMNS)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{COLUMNS * w}" height="{rows * (h + 20)}" '
        f'font-family="sans-serif" font-size="12" fill="#333">'
        f'<rect width="100%" height="100%" fill="#fff"/>{"".join(tiles)}</svg>'
    )


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "test-artifacts" / "figures"
    out.mkdir(parents=True, exist_ok=True)
    stills = {}
    for ex in catalog().exercises.values():
        kit = ex.equipment
        (out / f"{ex.id}.svg").write_text(render_svg(ex.illustration, title=ex.name, equipment=kit))
        still = render_svg(ex.illustration, animate=False, title=ex.name, equipment=kit)
        (out / f"{ex.id}-still.svg").write_text(still)
        stills[ex.id] = still
    sheet = out / "contact-sheet.svg"
    sheet.write_text(_contact_sheet(stills))
    if _to_png(sheet, out / "contact-sheet.png"):
        for ex_id in stills:
            _to_png(out / f"{ex_id}-still.svg", out / f"{ex_id}-still.png")
        print(f"wrote {len(stills)} exercises as SVG and PNG to {out}")
    else:
        print(f"wrote {len(stills)} exercises as SVG to {out} (no PNG converter found)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
