#!/usr/bin/env bash
# Regenerate docs/gallery/ (the figures shown in docs/gallery.md) from the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
for name in opt zshape bounce fig2; do
    mirrorlib paper "$name" --out docs/gallery --quiet
done
mirrorlib plot library --data 0,1,3,7 --activation abs --depth 3 --out docs/gallery/library_abs_L3.png
mirrorlib plot library --data 0,4,5,7,10,11 --activation relu --depth 4 --max-features 8 --out docs/gallery/library_relu_L4.png
mirrorlib plot reflections --data 0,1,3 --nesting 2 --out docs/gallery/reflections.png
mirrorlib ar --dataset sunspots --depth 3 --beta 10 --plot docs/gallery/ar_sunspots.png
data=$(mktemp --suffix=.npz)
python -c "
import numpy as np, sys
from sklearn.datasets import load_diabetes
d = load_diabetes(scaled=False)
X, y = d.data[:60, [2, 3]], d.target[:60] / 100
np.savez(sys.argv[1], X=(X - X.mean(axis=0)) / X.std(axis=0), y=y)
" "$data"
mirrorlib landscape fit --data "$data" --beta 0.5 --plot docs/gallery/diabetes_surface.png --quiet
rm -f "$data"
rm -f docs/gallery/*.svg   # the PNGs are shown; `mirrorlib paper` writes SVGs for papers
