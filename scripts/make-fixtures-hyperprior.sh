#!/usr/bin/env bash
# Makes the hyperprior codec's test fixtures (tests/codecs/hyperprior/):
#
#   fixtures/models/hyperprior/tiny-test/  a tiny model of the msh-vr recipe (docs/MODELS.md) —
#       N = 16, M = 24, 64×64 crops, batch 8, 2000 steps on 2 CPU threads (~15 min on a loaded
#       2-core machine) — exported with 2 Kodak images for its RD/parity entries (~3 min). About
#       0.4 MB; good for tests only (Kodak PSNR ~20 dB).
#   fixtures/hyperprior/scene-128x96-q6.ncd  golden bitstream: fixtures/images/scene-128x96.png coded
#       with tiny-test at quality 6 (one intra-op thread), and scene-128x96-q6.png, its decoded image.
#
# Re-exporting the model changes its hash (the manifest records the export date), so the golden
# files must be remade with it: run the whole script, or `--golden-only` for the golden files after a
# deliberate change to the bitstream. Training data comes from ../shared/datasets (never committed).
#
# Usage: scripts/make-fixtures-hyperprior.sh [--golden-only]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--golden-only" ]]; then
  nice -n 19 /usr/bin/python3 models/train/hyperprior/train.py --run tiny-test \
    --N 16 --M 24 --crop 64 --batch 8 --steps 2000 --warmup 100 --mirror-root '' --log-every 50
  rm -rf fixtures/models/hyperprior/tiny-test
  nice -n 19 /usr/bin/python3 models/train/hyperprior/export.py \
    --checkpoint models/.runs/hyperprior/tiny-test/latest.pt \
    --out fixtures/models/hyperprior/tiny-test --kodak-limit 2
fi
npx vite-node scripts/make-fixtures-hyperprior.ts
