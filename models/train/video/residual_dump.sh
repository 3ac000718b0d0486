#!/bin/bash
# Residual latents for models/train/video/residual_prior.py: encodes the first 24 frames of every
# video-train clip (the validation clips held out) at 320x240 and 176x144, at the qualities whose
# P-frames code their residual at levels 1..6, with NCODEC_RESIDUAL_DUMP set (codecs/video/frame-coder.ts).
# The validation clips go to a file of their own, which only evaluates.
#   models/train/video/residual_dump.sh <out dir>    (writes y-train.bin, y-val.bin; ~25 min on 2 cores)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
data=${DATA:-$repo/../shared/datasets/video-train}
out=${1:?usage: residual_dump.sh <out dir>}
mkdir -p "$out/clips"
rm -f "$out/y-train.bin" "$out/y-val.bin"
held=$(grep -v '^#' "$here/validation-clips.txt" | sed '/^$/d')
for f in "$data"/*.* "$data"/asl_gestures/{again,bird,book,eat,milk}.mkv; do
  [ -f "$f" ] || continue
  case "$f" in *.md) continue;; esac
  rel=${f#"$data"/}
  b=$(basename "${f%.*}")
  split=train
  grep -qxF "$rel" <<<"$held" && split=val
  for size in 320:240 176:144; do
    clip="$out/clips/$split-$b-${size%%:*}.y4m"
    [ -f "$clip" ] || ffmpeg -loglevel error -y -i "$f" -frames:v 24 -vf "scale=$size" -pix_fmt yuv420p "$clip"
  done
done
for q in 3 4 5 6 7 8; do
  for clip in "$out"/clips/*.y4m; do
    split=$(basename "$clip" | cut -d- -f1)
    NCODEC_RESIDUAL_DUMP="$out/y-$split.bin" node "$repo/bin/ncodec.js" encode "$clip" -o "$out/last.ncd" \
      --codec video --quality $q --audio none > /dev/null
  done
  echo "quality $q done $(date -u +%H:%M:%S)"
done
