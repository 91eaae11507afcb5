"""The README's paint figures: held-out ``scenes:rich`` maps painted by the 64 px and the 256 px painter, and
a sheet of ``scenes:rich`` renders over their label maps.

    bash scripts/env.sh python scripts/paint_figure.py [--out docs/screenshots/painter_64_vs_256.png] [--maps 3]
    bash scripts/env.sh python scripts/paint_figure.py --scenes docs/screenshots/scenes_rich.png

Each row is one map (seed 999, not in training): the map in its palette colours, the earlier 64 px painter's
picture (its 10 classes: the five new ones mapped onto the nearest, as ``synthesize`` does) enlarged to 256, the
256 px painter's picture, and the real render of the map. Everything at 256 x 256, nothing smoothed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gan_backend.data.builtin.scene_rich import RICH_PALETTE  # noqa: E402
from gan_backend.data.builtin.scenes import generate  # noqa: E402
from gan_backend.painter import load_painter, rich_onto_old  # noqa: E402

GAP = 4


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "painter_64_vs_256.png"))
    p.add_argument("--maps", type=int, default=3)
    p.add_argument("--first", type=int, default=0, help="index of the first held-out map")
    p.add_argument("--scenes", help="write the sheet of renders over maps here instead")
    args = p.parse_args(argv)
    if args.scenes:
        maps, real = generate(7, 5, 256, rich=True)
        columns = [np.concatenate([real[i], np.full((GAP, 256, 3), 255, np.uint8), RICH_PALETTE[maps[i]]]) for i in range(5)]
        gap = np.full((columns[0].shape[0], GAP, 3), 255, np.uint8)
        Image.fromarray(np.concatenate([x for c in columns for x in (c, gap)][:-1], axis=1)).save(args.scenes)
        print(f"wrote {args.scenes}: renders over their label maps")
        return 0
    maps, real = generate(999, args.first + args.maps, 256, rich=True)
    maps, real = maps[args.first:], real[args.first:]
    old, new = load_painter("painter64"), load_painter("painter")
    rows = []
    for i, labels in enumerate(maps):
        small = np.asarray(Image.fromarray(rich_onto_old(labels)).resize((old.size, old.size), Image.NEAREST))
        before = np.asarray(Image.fromarray(old.paint(small, seed=i)).resize((256, 256), Image.BICUBIC))
        after = new.paint(labels, seed=i)
        tiles = [RICH_PALETTE[labels], before, after, real[i]]
        gap = np.full((256, GAP, 3), 255, np.uint8)
        rows.append(np.concatenate([x for t in tiles for x in (t, gap)][:-1], axis=1))
    sheet = np.concatenate([x for r in rows for x in (r, np.full((GAP, rows[0].shape[1], 3), 255, np.uint8))][:-1])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(args.out)
    print(f"wrote {args.out}: map | 64 px painter enlarged | 256 px painter | real render")
    return 0


if __name__ == "__main__":
    sys.exit(main())
