"""Train the variable-rate mean-scale hyperprior (see model.py) — resumable, CPU or CUDA.

    /usr/bin/python3 models/train/hyperprior/train.py --run msh-vr-cpu \
        --data ../shared/datasets/images-train/urban100 ../shared/datasets/images-train/sunhays80 \
               ../shared/datasets/images-train/bsd100
    ... --resume          # continue from the newest latest.pt (run folder or its mirror)
    ... --init-from models/hyperprior/<id>   # no checkpoint: start from an export (common/warm_start.py)

Every training image gets a random rate level l and the loss lambda_l * 255^2 * MSE + bpp.
Checkpoints (``latest.pt`` every --save-every seconds and on SIGTERM/SIGINT, ``best.pt`` when
the smoothed loss improved) live in models/.runs/hyperprior/<run>/ and are mirrored to
/root/.ncodec-runs/hyperprior/<run>/.  The log (stdout) has one line per --log-every steps;
metrics.jsonl in the run folder has the same numbers as JSON.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from common.training import (Meter, Stopper, hardware, image_rd_parser, lr_at,  # noqa: E402,F401
                             make_optimizers, train_image_rd)
from hyperprior.model import DEFAULT_LAMBDAS, bottleneck_input, build, rd_loss  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DEFAULT_DATA = [os.path.join(REPO, "..", "shared", "datasets", "images-train", d)
                for d in ("urban100", "sunhays80", "bsd100")]


def _model_flags(p):
    p.add_argument("--N", type=int, default=96)
    p.add_argument("--M", type=int, default=160)


def parse_args(argv=None):
    return image_rd_parser(__doc__, run="msh-vr-cpu", runs_root=os.path.join(REPO, "models", ".runs", "hyperprior"),
                           mirror_root="/root/.ncodec-runs/hyperprior", data=DEFAULT_DATA,
                           lambdas=DEFAULT_LAMBDAS, crop=128, lr=3e-4, warmup=500,
                           amp_help="bf16 autocast for g_a/g_s (CUDA)",
                           model_flags=_model_flags).parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    train_image_rd(args, {"N": args.N, "M": args.M, "lambdas": args.lambdas}, build, rd_loss,
                   bottleneck_input)


if __name__ == "__main__":
    main()
