#!/bin/sh
# Rebuilds the wavelet codec's tiny test models (fixtures/models/wavelet/tiny-{image,audio}) with the
# real recipes at toy sizes; needs Debian's PyTorch (/usr/bin/python3) and ../shared/datasets.
# The models change with every run (random init, data order): re-measure the floors in
# tests/codecs/wavelet/codec.test.ts after running this.
set -eu
cd "$(dirname "$0")/.."
RUNS=$(mktemp -d)
PY=/usr/bin/python3
$PY models/train/wavelet/train.py --run tiny-image --runs-root "$RUNS" --mirror-root '' \
  --latent 12 --width 24 --blocks 1 --per-level-prior --steps 400 --crop 128 --batch 4 --log-every 50 --threads 1
$PY models/train/wavelet/export.py --checkpoint "$RUNS/tiny-image/latest.pt" \
  --out fixtures/models/wavelet/tiny-image --kodak-limit 2 --prediction-images 40 --threads 1
$PY models/train/wavelet/train_audio.py --run tiny-audio --runs-root "$RUNS" --mirror-root '' \
  --latent 8 --width 16 --blocks 1 --steps 100 --batch 4 --log-every 50 --threads 1
$PY models/train/wavelet/export_audio.py --checkpoint "$RUNS/tiny-audio/latest.pt" \
  --out fixtures/models/wavelet/tiny-audio --eval-limit 2 --eval-seconds 4 --threads 1
rm -rf "$RUNS"
