"""Train the learned lossless model (model.py) by likelihood on images-train (validation split held out).

    /usr/bin/python3 models/train/lossless/train.py --run NAME [--steps N] [--threads T] [--resume]
                                                    [--init-from models/lossless/mlp-v1]

Batches are random pixels of random training images (each with its causal context), so a step costs
the same whatever the image sizes. Checkpoints: models/.runs/lossless/NAME/{latest,best}.pt (mirrored,
common/checkpoint.py), written every --eval-every steps and on SIGTERM (the campaign's slice end);
best.pt by validation bits per pixel (the 10 images of models/train/validation-images.txt); the
validation figures go to metrics.jsonl. --resume continues from the newest latest.pt; without one,
--init-from starts from a committed export (model.bin dequantized).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from common import checkpoint  # noqa: E402
from common.data import list_images, load_rgb, validation_images  # noqa: E402
from common.training import Stopper, hardware  # noqa: E402
from lossless.model import Context, FlatImages, LosslessMLP  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TRAIN = os.path.join(ROOT, "..", "shared", "datasets", "images-train")
FOLDERS = [os.path.join(TRAIN, f) for f in ("urban100", "sunhays80", "bsd100")]


def evaluate(model, ctx, images, chunk=65536):
    """Mean bits per pixel (RGB) over whole images, teacher-forced (the coded cost up to integerisation)."""
    model.eval()
    bits, pixels = 0.0, 0
    with torch.no_grad():
        for im in images:
            flat = FlatImages(ctx, [im])
            h, w, _ = im.shape
            ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
            ys, xs = ys.reshape(-1), xs.reshape(-1)
            for s in range(0, ys.numel(), chunk):
                n = min(chunk, ys.numel() - s)
                bits += model.nll_bits(*flat.gather(torch.zeros(n, dtype=torch.long), ys[s:s + n], xs[s:s + n])).sum().item()
            pixels += h * w
    model.train()
    return bits / pixels


def init_from_export(model, folder):
    """Loads a committed model.bin into the float model (weights dequantized exactly)."""
    from lossless import intmodel
    layers = intmodel.read_model(os.path.join(folder, "model.bin"))
    linears = list(model.body) + [model.head]
    if len(layers) != len(linears):
        raise SystemExit(f"--init-from {folder}: {len(layers)} layers, the model has {len(linears)}")
    with torch.no_grad():
        for idx, (lin, (w, b, shift)) in enumerate(zip(linears, layers)):
            in_frac = intmodel.IN_FRAC if idx == 0 else intmodel.HIDDEN_FRAC
            out_frac = intmodel.HEAD_FRAC if idx == len(linears) - 1 else intmodel.HIDDEN_FRAC
            fw = shift - in_frac + out_frac
            lin.weight.copy_(torch.from_numpy(w.astype(np.float64) / 2.0 ** fw))
            lin.bias.copy_(torch.from_numpy(b.astype(np.float64) / 2.0 ** (fw + in_frac)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--steps", type=int, default=40000, help="length of the cosine learning-rate schedule")
    ap.add_argument("--batch", type=int, default=16384, help="pixels per step")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--radius", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=96)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--mixtures", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=2000)
    ap.add_argument("--val-count", type=int, default=10)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init-from", default=None, help="a committed export folder (models/lossless/...)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    run_dir = os.path.join(ROOT, "models", ".runs", "lossless", args.run)
    mroot = checkpoint.mirror_root("lossless")
    mirror = os.path.join(mroot, args.run) if mroot else None
    os.makedirs(run_dir, exist_ok=True)
    stopper = Stopper()

    config = dict(radius=args.radius, hidden=args.hidden, layers=args.layers, mixtures=args.mixtures)
    model = LosslessMLP(**config)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, best, wall = 0, float("inf"), 0.0
    history = {}
    latest = checkpoint.find_latest(run_dir, mirror) if args.resume else None
    if latest:
        ck = checkpoint.load(latest)
        if ck["config"] != config:
            raise SystemExit(f"{latest} has config {ck['config']}, the flags ask for {config}: use another --run")
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"])
        step, best, wall, history = ck["step"], ck["best"], ck["wall_s"], ck.get("history", {})
        rng = np.random.default_rng(args.seed + step)
        print(f"resumed from {latest} at step {step} (best {best:.4f} bpp)", flush=True)
    elif args.init_from:
        folder = os.path.join(ROOT, args.init_from)
        if os.path.exists(os.path.join(folder, "model.bin")):
            init_from_export(model, folder)
            print(f"initialised from {args.init_from}", flush=True)
        else:
            print(f"--init-from {args.init_from}: no model.bin there yet; starting from random weights", flush=True)

    ctx = Context(args.radius)
    files = list_images(FOLDERS, exclude_validation=True)
    train = FlatImages(ctx, [load_rgb(f) for f in files])
    val = [load_rgb(p) for p in validation_images(TRAIN)][:args.val_count]
    print(f"{len(files)} training images, {len(val)} validation images; {hardware(torch.device('cpu'), args.threads)}",
          flush=True)

    def save(validation=None):
        nonlocal best
        is_best = validation is not None and validation < best
        if is_best:
            best = validation
        checkpoint.save(dict(model=model.state_dict(), opt=opt.state_dict(), step=step, best=best, wall_s=wall,
                             config=config, history=history), run_dir, mirror, is_best)

    t_last, ema, window = time.time(), None, []
    while step < args.steps and not stopper.stop:
        lr = args.lr * 0.5 * (1 + np.cos(np.pi * step / args.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        t0 = time.time()
        loss = model.nll_bits(*train.sample(rng, args.batch)).mean()
        opt.zero_grad(); loss.backward(); opt.step()
        step += 1
        window.append(time.time() - t0)
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 100 == 0:
            wall += time.time() - t_last
            t_last = time.time()
            history["last_report"] = {"step": step, "bpp": ema, "s_per_step": float(np.median(window))}
            print(f"step {step} bpp {ema:.4f} lr {lr:.2e} {np.median(window):.3f} s/step", flush=True)
            window = []
        if step % args.eval_every == 0 or step == args.steps:
            v = evaluate(model, ctx, val)
            wall += time.time() - t_last
            t_last = time.time()
            save(v)
            with open(os.path.join(run_dir, "metrics.jsonl"), "a") as f:
                f.write(json.dumps(dict(step=step, trainBpp=ema, valBpp=v, wall_s=wall)) + "\n")
            print(f"step {step} validation {v:.4f} bpp (best {best:.4f})", flush=True)
    wall += time.time() - t_last
    save()
    print(f"saved step {step}", flush=True)


if __name__ == "__main__":
    main()
