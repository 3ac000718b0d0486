"""Time the training step of an image rd model under CPU settings (issue 12's speed table).

    nice /usr/bin/python3 models/train/hyperprior/speed.py --steps 12 \
        --configs fp32-t2-c128 fp32-t1-c128 bf16-t2-c128 cl-t2-c128 bf16cl-t2-c128 fp32-t2-c192 bf16-t2-c192

A config is ``<precision>-t<threads>-c<crop>``: precision ``fp32``, ``bf16`` (CPU autocast to
bfloat16 for the transforms; the entropy models stay float32 as in the recipes), ``cl``
(channels_last) or ``bf16cl``.  Every config runs in its own process (threads are fixed per
process), does 2 untimed warm-up steps, then ``--steps`` timed steps of exactly what
``common/training.train_image_rd`` does per step (crop sampling, forward, rd loss, backward, clip,
Adam, auxiliary step).  Prints s/step and training pixels/s (batch x crop^2 / s/step), one JSON
line per config.  Pause any background training first (campaign.py pause).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

HERE = os.path.abspath(__file__)


def one(cfg: str, args) -> dict:
    import torch

    from common.data import CropSampler, to_tensor_batch
    from common.training import make_optimizers
    from hyperprior.model import DEFAULT_LAMBDAS, build, rd_loss

    prec, t, c = cfg.split("-")
    threads, crop = int(t[1:]), int(c[1:])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    config = {"N": args.N, "M": args.M, "lambdas": list(DEFAULT_LAMBDAS)}
    if args.transform == "wavelet":
        config["transform"] = "wavelet"
    model = build(config)
    fmt = torch.channels_last if "cl" in prec else torch.contiguous_format
    model = model.to(memory_format=fmt).train()
    amp = prec.startswith("bf16")
    opt, aux_opt = make_optimizers(model, argparse.Namespace(lr=1e-4, aux_lr=1e-3))
    sampler = CropSampler(args.data, crop, seed=0)
    gen = torch.Generator().manual_seed(0)
    times = []
    for i in range(2 + args.steps):
        t0 = time.perf_counter()
        x = to_tensor_batch(sampler.batch(args.batch)).contiguous(memory_format=fmt)
        level = torch.randint(model.levels, (args.batch,), generator=gen)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
            out = model(x, level)
        out["x_hat"] = out["x_hat"].float()
        out["likelihoods"] = {k: v.float() for k, v in out["likelihoods"].items()}
        rd = rd_loss(out, x, model.lambdas[level])
        opt.zero_grad(set_to_none=True)
        rd["loss"].backward()
        torch.nn.utils.clip_grad_norm_(opt.param_groups[0]["params"], 1.0)
        opt.step()
        aux = model.entropy_bottleneck.aux_loss()
        aux_opt.zero_grad(set_to_none=True)
        aux.backward()
        aux_opt.step()
        if i >= 2:
            times.append(time.perf_counter() - t0)
    times.sort()
    sps = times[len(times) // 2]  # median: robust to a stray slow step
    return {"config": cfg, "transform": args.transform, "N": args.N, "M": args.M, "batch": args.batch,
            "crop": crop, "threads": threads, "bf16": amp, "channelsLast": "cl" in prec,
            "sPerStep": round(sps, 4), "pixelsPerS": round(args.batch * crop * crop / sps),
            "steps": args.steps, "torch": torch.__version__}


def main(argv=None):
    repo = os.path.abspath(os.path.join(os.path.dirname(HERE), "..", "..", ".."))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", nargs="+", default=["fp32-t2-c128"])
    p.add_argument("--transform", choices=("gdn", "wavelet"), default="gdn")
    p.add_argument("--N", type=int, default=96)
    p.add_argument("--M", type=int, default=160)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--data", nargs="+", default=[os.path.join(repo, "..", "shared", "datasets", "images-train", "bsd100")])
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one, args)), flush=True)
        return
    for cfg in args.configs:
        base = [a for a in (argv or sys.argv[1:])]
        i = base.index("--configs")
        j = i + 1
        while j < len(base) and not base[j].startswith("--"):
            j += 1
        cmd = [sys.executable, HERE] + base[:i] + base[j:] + ["--one", cfg]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
