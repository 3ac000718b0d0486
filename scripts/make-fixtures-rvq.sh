#!/usr/bin/env bash
# Makes the rvq codec's test fixtures (tests/codecs/rvq/):
#
#   fixtures/models/rvq/tiny-test/  a tiny model of the rvq recipe (docs/MODELS.md, "rvq") — encoder
#       width C = 4 (the cpu preset's 16 gives a 9 MB export, too big for a fixture; its latent size,
#       strides and quantizer are the real model's: 128-dim latent, hop 320, 16 codebooks of 1024
#       factorized 8-dim codes) trained for 150 steps (batch 4, about a minute on 1 thread), exported
#       with its parity checks. About 1.9 MB; untrained (it only serves to test the codec's plumbing).
#   fixtures/rvq/quantizer-golden.json  the manifest's quantizer algorithm run in numpy (export.py's
#       np_quantize) on a random latent: the TypeScript quantizer must give the same codes.
#
# Re-exporting the model changes its hash and quantizer, so the golden file is remade with it.
# Training data comes from ../shared/datasets (never committed).
#
# Usage: scripts/make-fixtures-rvq.sh
set -euo pipefail
cd "$(dirname "$0")/.."

nice -n 19 /usr/bin/python3 models/train/rvq/train.py --run tiny-test --channels 4 --batch 4 --steps 150 \
  --warmup 20 --threads 1 --mirror-root '' --log-every 25 --eval-every 0
rm -rf fixtures/models/rvq/tiny-test
nice -n 19 /usr/bin/python3 models/train/rvq/export.py \
  --checkpoint models/.runs/rvq/tiny-test/latest.pt --out fixtures/models/rvq/tiny-test
mkdir -p fixtures/rvq
/usr/bin/python3 scripts/make-fixtures-rvq-golden.py
