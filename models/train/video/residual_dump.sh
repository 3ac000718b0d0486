#!/bin/bash
# Training data of the video codec's residual models, written by the encoder itself: encodes the first
# 24 frames of every video-train clip (the validation clips held out) at 320x240 and 176x144 (or the
# sizes in SIZES, e.g. SIZES="640:480 320:240").
#   residual_dump.sh <out dir>           residual latents y (after the level's gain) for
#                                        residual_prior.py, qualities 3-8 (residual levels 1-6):
#                                        y-train.bin, y-val.bin (NCODEC_RESIDUAL_DUMP; ~25 min on 2 cores)
#   residual_dump.sh <out dir> --images  residual images r = clamp(C(x - pred) + 1/2, 0, 1) without the
#                                        padding, for residual_encoder.py, qualities 3, 5, 7:
#                                        r-train.bin, r-val.bin (NCODEC_RESIDUAL_IMAGE_DUMP; ~15 min)
# (codecs/video/frame-coder.ts writes the records.) The validation clips go to the -val file, which
# only evaluates.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
data=${DATA:-$repo/../shared/datasets/video-train}
out=${1:?usage: residual_dump.sh <out dir> [--images]}
if [ "${2:-}" = --images ]; then
  var=NCODEC_RESIDUAL_IMAGE_DUMP; prefix=r; qualities="3 5 7"
else
  var=NCODEC_RESIDUAL_DUMP; prefix=y; qualities="3 4 5 6 7 8"
fi
mkdir -p "$out/clips"
rm -f "$out"/clips/*.y4m  # the sizes may differ from an earlier dump's
rm -f "$out/$prefix-train.bin" "$out/$prefix-val.bin"
held=$(grep -v '^#' "$here/validation-clips.txt" | sed '/^$/d')
for f in "$data"/*.* "$data"/asl_gestures/{again,bird,book,eat,milk}.mkv; do
  [ -f "$f" ] || continue
  case "$f" in *.md) continue;; esac
  rel=${f#"$data"/}
  b=$(basename "${f%.*}")
  split=train
  grep -qxF "$rel" <<<"$held" && split=val
  for size in ${SIZES:-320:240 176:144}; do
    clip="$out/clips/$split-$b-${size%%:*}.y4m"
    [ -f "$clip" ] || ffmpeg -loglevel error -y -i "$f" -frames:v 24 -vf "scale=$size" -pix_fmt yuv420p "$clip"
  done
done
for q in $qualities; do
  for clip in "$out"/clips/*.y4m; do
    split=$(basename "$clip" | cut -d- -f1)
    env "$var=$out/$prefix-$split.bin" node "$repo/bin/ncodec.js" encode "$clip" -o "$out/last.ncd" \
      --codec video --quality "$q" --audio none > /dev/null
  done
  echo "quality $q done $(date -u +%H:%M:%S)"
done
