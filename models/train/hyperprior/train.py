"""Train the variable-rate mean-scale hyperprior (see model.py) — resumable, CPU or CUDA.

    /usr/bin/python3 models/train/hyperprior/train.py --run msh-vr-cpu \
        --data ../shared/datasets/images-train/urban100 ../shared/datasets/images-train/sunhays80 \
               ../shared/datasets/images-train/bsd100
    ... --resume          # continue from the newest latest.pt (run folder or its mirror)
    ... --init-from models/hyperprior/<id>   # no checkpoint: start from an export (common/warm_start.py)
    ... --transform wavelet --M 48 --init-transform models/wavelet/wavelet-vr-cpu
                          # the wavelet-front variant (wavelet_front.py), transforms from a wavelet export

Every training image gets a random rate level l and the loss lambda_l * 255^2 * MSE + bpp.
Checkpoints (``latest.pt`` every --save-every seconds and on SIGTERM/SIGINT, ``best.pt`` when
the smoothed loss improved) live in models/.runs/hyperprior/<run>/ and are mirrored to
$NCODEC_RUNS_MIRROR/hyperprior/<run>/ (default ~/.ncodec-runs).  The log (stdout) has one line
per --log-every steps; metrics.jsonl in the run folder has the same numbers as JSON.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from common import checkpoint  # noqa: E402
from common.training import (Meter, Stopper, hardware, image_rd_parser, lr_at,  # noqa: E402,F401
                             make_optimizers, mirror_root, train_image_rd)
from hyperprior.model import DEFAULT_LAMBDAS, bottleneck_input, build, rd_loss  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DEFAULT_DATA = [os.path.join(REPO, "..", "shared", "datasets", "images-train", d)
                for d in ("urban100", "sunhays80", "bsd100")]


def _model_flags(p):
    p.add_argument("--N", type=int, default=96)
    p.add_argument("--M", type=int, default=160)
    p.add_argument("--transform", choices=("gdn", "wavelet"), default="gdn",
                   help="gdn: the paper's learned transforms (model.py); wavelet: wavelet-packet "
                        "front end with the wavelet codec's networks (wavelet_front.py)")
    p.add_argument("--init-transform", metavar="WAVELET_EXPORT",
                   help="--transform wavelet, fresh run: copy g_a/g_s and the y gains from this wavelet "
                        "image export (e.g. models/wavelet/wavelet-vr-cpu)")
    p.add_argument("--freeze-transform-steps", type=int, default=0,
                   help="train only h_a/h_s/bottleneck (and hyper gains) until this absolute step")
    p.add_argument("--transform-lr-scale", type=float, default=1.0,
                   help="learning rate of g_a/g_s and the y gains as a multiple of --lr (e.g. 0.1 for "
                        "transforms warm-started from a converged model)")
    p.add_argument("--encoder-refine", type=int, default=0, metavar="W",
                   help="wavelet transform: add a nonlinear residual branch of width W to the linear encoder "
                        "(zero at the start; wavelet_front.py)")
    p.add_argument("--encoder-refine-lr-scale", type=float, default=10.0,
                   help="learning rate of that branch as a multiple of --lr's schedule (it starts from zero "
                        "while the rest is converged)")
    p.add_argument("--context-width", type=int, default=0, metavar="W",
                   help="wavelet transform: train a checkerboard context of width W jointly with the model "
                        "(model.context_latents; from the --init-from export's context.bin when it has one)")
    p.add_argument("--context-lr-scale", type=float, default=10.0,
                   help="learning rate of the context as a multiple of --lr's schedule")
    p.add_argument("--bottleneck-lr-scale", type=float, default=1.0,
                   help="learning rate of the z bottleneck's density as a multiple of --lr (a fresh "
                        "density starts broad, ~3 bits per mostly-zero z symbol, and learns slowly at 1x)")


def parse_args(argv=None):
    return image_rd_parser(__doc__, run="msh-vr-cpu", runs_root=os.path.join(REPO, "models", ".runs", "hyperprior"),
                           mirror_root=mirror_root("hyperprior"), data=DEFAULT_DATA,
                           lambdas=DEFAULT_LAMBDAS, crop=128, lr=3e-4, warmup=500,
                           amp_help="bf16 autocast for g_a/g_s",
                           model_flags=_model_flags).parse_args(argv)


TRANSFORM_PREFIXES = ("g_a.", "g_s.", "gain.", "inv_gain.")


def freeze_transform(until: int):
    """A step hook: g_a, g_s and the y gains get no gradient before step ``until``."""
    def hook(model, step):
        train = step >= until
        changed = False
        for name, p in model.named_parameters():
            if name.startswith(TRANSFORM_PREFIXES) and p.requires_grad != train:
                p.requires_grad_(train)
                changed = True
        if changed:
            print(f"step {step}: transform {'trains' if train else 'frozen'}", flush=True)
    return hook


def main(argv=None):
    args = parse_args(argv)
    config = {"N": args.N, "M": args.M, "lambdas": args.lambdas}
    build_fn = build
    if args.transform == "wavelet":
        config["transform"] = "wavelet"
        if args.encoder_refine > 0:
            config["encoderRefine"] = args.encoder_refine
        if args.context_width > 0:
            config["contextWidth"] = args.context_width
        run_dir = os.path.join(args.runs_root, args.run)
        mirror = os.path.join(args.mirror_root, args.run) if args.mirror_root else None
        fresh = not (args.resume and checkpoint.find_latest(run_dir, mirror))
        if fresh and args.init_transform and not args.init_from:
            from hyperprior.wavelet_front import init_transform

            def build_fn(cfg):
                model = build(cfg)
                cfg["transformFrom"] = init_transform(model, args.init_transform)
                print(f"transforms from {cfg['transformFrom']['id']} "
                      f"({cfg['transformFrom']['steps']} steps)", flush=True)
                return model
    hook = freeze_transform(args.freeze_transform_steps) if args.freeze_transform_steps > 0 else None
    def lr_scale(name: str) -> float:
        if name.startswith("g_a.refine."):  # the new branch learns faster than the converged rest
            return args.encoder_refine_lr_scale
        if name.startswith("context."):
            return args.context_lr_scale
        if name.startswith(TRANSFORM_PREFIXES):
            return args.transform_lr_scale
        return args.bottleneck_lr_scale if name.startswith("entropy_bottleneck.") else 1.0

    scaled = (args.transform_lr_scale != 1.0 or args.bottleneck_lr_scale != 1.0 or args.encoder_refine > 0
              or args.context_width > 0)
    train_image_rd(args, config, build_fn, rd_loss, bottleneck_input, step_hook=hook,
                   lr_scale=lr_scale if scaled else None)


if __name__ == "__main__":
    main()
