"""Train the variable-rate wavelet-packet autoencoder (see model.py) — resumable, CPU or CUDA.

    nice /usr/bin/python3 models/train/wavelet/train.py --run wavelet-vr-cpu \
        --data ../shared/datasets/images-train/urban100 ../shared/datasets/images-train/sunhays80 \
               ../shared/datasets/images-train/bsd100
    ... --resume          # continue from the newest latest.pt (run folder or its mirror)
    ... --init-from models/wavelet/wavelet-vr-cpu   # no checkpoint: start from the committed export
    ... --device cuda --amp --batch 32 --crop 256   # on a GPU (bf16 autocast for the decoder)

Every training image gets a random rate level l and the loss lambda_l * 255^2 * MSE + bpp.
Checkpoints (``latest.pt`` every --save-every seconds and on SIGTERM/SIGINT, ``best.pt`` when
the smoothed loss improved) live in models/.runs/wavelet/<run>/ and are mirrored to
$NCODEC_RUNS_MIRROR/wavelet/<run>/ (default ~/.ncodec-runs).  The log (stdout) has one line per --log-every steps;
metrics.jsonl in the run folder has the same numbers as JSON.  The training loop's helpers
and loop are shared with hyperprior/train.py (common/training.py).
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from common.training import image_rd_parser, mirror_root, train_image_rd  # noqa: E402
from wavelet.model import DEFAULT_LAMBDAS, bottleneck_input, build, rd_loss  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DEFAULT_DATA = [os.path.join(REPO, "..", "shared", "datasets", "images-train", d)
                for d in ("urban100", "sunhays80", "bsd100")]


def _model_flags(p):
    p.add_argument("--latent", type=int, default=48, help="latent channels C")
    p.add_argument("--width", type=int, default=192, help="decoder width at 1/8 resolution")
    p.add_argument("--blocks", type=int, default=3, help="decoder residual blocks")
    p.add_argument("--levels", type=int, default=3, help="wavelet packet levels")
    p.add_argument("--wavelet", default="cdf97", choices=["cdf97", "haar"])
    p.add_argument("--per-level-prior", action="store_true",
                   help="one factorized density per (rate level, channel) instead of one per channel")


def parse_args(argv=None):
    return image_rd_parser(__doc__, run="wavelet-vr-cpu", runs_root=os.path.join(REPO, "models", ".runs", "wavelet"),
                           mirror_root=mirror_root("wavelet"), data=DEFAULT_DATA,
                           lambdas=DEFAULT_LAMBDAS, crop=192, lr=1e-3, warmup=200,
                           amp_help="bf16 autocast for the decoder convs (CUDA); encoder, bottleneck, "
                                    "wavelet stay float32",
                           model_flags=_model_flags).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = {"latent": args.latent, "width": args.width, "blocks": args.blocks,
              "levels": args.levels, "wavelet": args.wavelet, "lambdas": args.lambdas}
    if args.per_level_prior:
        config["perLevelPrior"] = True
    train_image_rd(args, config, build, rd_loss, bottleneck_input)


if __name__ == "__main__":
    main()
