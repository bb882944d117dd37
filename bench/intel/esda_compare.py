#!/usr/bin/env python3
"""Gi* side by side with PySAL esda.

  esda_compare.py generate POINTS.csv N SEED
      N synthetic incidents in British National Grid metres around Birmingham: uniform
      background plus three planted hotspots, one of them seasonal (December evenings);
      columns x,y,at.
  esda_compare.py compare POINTS.csv CELL_METRES OURS.csv
      Builds the same grid as safehub-intel (cells aligned to multiples of the cell size,
      bounding box of the points, empty cells included), runs
      esda.G_Local(counts, lat2W(rows, cols, rook=False), transform="B", star=True,
      permutations=0), and compares its Zs with OURS.csv (the output of the hotspots_file
      example) cell by cell. Prints the largest absolute z difference and esda's wall time.
"""

import csv
import sys
import time

import numpy as np


def generate(path, n, seed):
    rng = np.random.default_rng(seed)
    x0, y0, span = 400_000.0, 280_000.0, 20_000.0
    n_bg = int(n * 0.7)
    xs = [rng.uniform(x0, x0 + span, n_bg)]
    ys = [rng.uniform(y0, y0 + span, n_bg)]
    centres = [(406_000.0, 286_000.0, 300.0), (412_500.0, 291_000.0, 500.0), (403_000.0, 295_000.0, 200.0)]
    per = (n - n_bg) // len(centres)
    for cx, cy, sd in centres:
        xs.append(rng.normal(cx, sd, per))
        ys.append(rng.normal(cy, sd, per))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    m = len(x)
    days = rng.integers(0, 365, m)
    hours = rng.integers(0, 24, m)
    # The third hotspot happens on December evenings.
    seasonal = slice(m - per, m)
    days[seasonal] = rng.integers(334, 365, per)
    hours[seasonal] = rng.integers(18, 24, per)
    base = np.datetime64("2024-01-01")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x", "y", "at"])
        for xi, yi, d, h in zip(x, y, days, hours):
            w.writerow([f"{xi:.1f}", f"{yi:.1f}", f"{base + np.timedelta64(int(d), 'D')}T{int(h):02d}:00:00"])
    print(f"wrote {m} points to {path}")


def compare(points_path, cell, ours_path):
    import esda
    import libpysal

    pts = np.loadtxt(points_path, delimiter=",", skiprows=1, usecols=(0, 1))
    cs = float(cell)
    c = np.floor(pts[:, 0] / cs).astype(np.int64)
    r = np.floor(pts[:, 1] / cs).astype(np.int64)
    c0, r0 = c.min(), r.min()
    cols, rows = int(c.max() - c0 + 1), int(r.max() - r0 + 1)
    counts = np.zeros(rows * cols)
    np.add.at(counts, (r - r0) * cols + (c - c0), 1.0)
    start = time.perf_counter()
    w = libpysal.weights.lat2W(rows, cols, rook=False)
    g = esda.G_Local(counts, w, transform="B", star=True, permutations=0)
    elapsed = time.perf_counter() - start
    ours = {}
    with open(ours_path, newline="") as f:
        for row in csv.DictReader(f):
            ci = int(round(float(row["cell_x"]) / cs)) - c0
            ri = int(round(float(row["cell_y"]) / cs)) - r0
            ours[ri * cols + ci] = (int(row["count"]), float(row["gi_z"]))
    nonempty = np.nonzero(counts)[0]
    assert len(nonempty) == len(ours), (len(nonempty), len(ours))
    max_diff = 0.0
    for k in nonempty:
        count, z = ours[int(k)]
        assert count == counts[k]
        max_diff = max(max_diff, abs(z - g.Zs[k]))
    print(
        f"grid={cols}x{rows} cells={rows * cols} non_empty={len(nonempty)} "
        f"max_abs_z_diff={max_diff:.3e} esda_seconds={elapsed:.3f} "
        f"esda={esda.__version__} libpysal={libpysal.__version__}"
    )
    if max_diff > 1e-9:
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
