"""Learn the starting point of the Cool-chic networks (upsampling, ARM, synthesis) for per-image fits.

    /usr/bin/python3 models/train/inr/coolchic_init.py --out models/.runs/coolchic-init [--minutes 40]

Cool-chic fits every network from scratch for each image; with the few hundred steps a CPU affords
in a minute, much of the budget goes into the networks taking shape. This script fits many training
images jointly (each with its own latent grids, the networks shared; crops of images-train, never the
validation split, never Kodak), each image at one of the codec's lambdas, so the shared networks
become a generic starting point. The codec then starts each fit from it (manifest `coolchic.init`)
and still fits, quantizes and transmits the networks per image: the decoder needs nothing from it.

Writes `<out>/init.json` (network name -> flat list, as the manifest takes it) every `--save-every`
steps, and a log line per 20 steps (loss, PSNR, bpp averaged over the batch).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common.data import list_images, load_rgb  # noqa: E402
from inr import coolchic as cc  # noqa: E402
from inr.levels import COOLCHIC_LEVELS  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "datasets", "images-train")


def crops(paths: list[str], size: int, count: int, rng: random.Random) -> list[torch.Tensor]:
    out = []
    for path in rng.sample(paths, count):
        img = load_rgb(path)
        h, w = img.shape[:2]
        if h < size or w < size:
            continue
        y, x = rng.randrange(h - size + 1), rng.randrange(w - size + 1)
        crop = np.ascontiguousarray(img[y:y + size, x:x + size], dtype=np.float32) / 255.0
        out.append(torch.from_numpy(crop).permute(2, 0, 1)[None].contiguous())
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--images", type=int, default=24)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--batch", type=int, default=6)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--minutes", type=float, default=40.0)
    p.add_argument("--lr", type=float, default=0.1, help="latents")
    p.add_argument("--lr-net", type=float, default=0.01)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--save-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    paths = list_images([os.path.join(ROOT, d) for d in ("urban100", "sunhays80", "bsd100")], exclude_validation=True)
    images = crops(paths, args.crop, args.images, rng)
    lambdas = [lv["lambda"] for lv in COOLCHIC_LEVELS]
    h = w = args.crop
    net0 = cc.init_params(h, w, args.seed)
    net = {k: net0[k].clone().requires_grad_(True) for k in cc.NETWORK}
    latents = [{f"y{l}": torch.zeros(1, 1, *s, requires_grad=True) for l, s in enumerate(cc.level_sizes(h, w))}
               for _ in images]
    opt_net = torch.optim.Adam(list(net.values()), lr=args.lr_net)
    opt_lat = torch.optim.Adam([t for lat in latents for t in lat.values()], lr=args.lr)
    started = time.time()
    order = list(range(len(images)))
    log = open(os.path.join(args.out, "log.txt"), "a")
    stats = []
    for step in range(1, args.steps + 1):
        progress = max(step / args.steps, (time.time() - started) / (60 * args.minutes))
        if progress >= 1:
            break
        decay = 0.05 + 0.475 * (1 + math.cos(math.pi * progress))
        for g in opt_net.param_groups:
            g["lr"] = args.lr_net * decay
        for g in opt_lat.param_groups:
            g["lr"] = args.lr * decay
        rng.shuffle(order)
        opt_net.zero_grad()
        opt_lat.zero_grad()
        for i in order[:args.batch]:
            params = {**net, **latents[i]}
            noise = [torch.rand(params[f"y{l}"].shape) - 0.5 for l in range(cc.LEVELS)]
            lam = lambdas[i % len(lambdas)]
            loss, mse, bits, _ = cc.loss_terms(params, noise, images[i], torch.tensor(lam))
            (loss / lam).backward()  # every image weighs the same whatever its lambda
            stats.append((10 * math.log10(1 / max(mse.item(), 1e-10)), bits.item() / (h * w)))
        opt_net.step()
        opt_lat.step()
        if step % 20 == 0:
            psnr = sum(s[0] for s in stats) / len(stats)
            bpp = sum(s[1] for s in stats) / len(stats)
            stats = []
            line = f"step {step} {time.time() - started:.0f}s psnr {psnr:.2f} bpp {bpp:.3f}"
            print(line, flush=True)
            log.write(line + "\n")
            log.flush()
        if step % args.save_every == 0:
            save(net, args.out, step)
    save(net, args.out, step)


def save(net, out: str, step: int) -> None:
    data = {k: [float(v) for v in net[k].detach().reshape(-1)] for k in cc.NETWORK}
    tmp = os.path.join(out, "init.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"step": step, "init": data}, f)
    os.replace(tmp, os.path.join(out, "init.json"))


if __name__ == "__main__":
    main()
