"""Train the video codec's inter model (model.py) on latent sequences from latents.py.

    /usr/bin/python3 models/train/video/train.py [--latents models/.runs/video/latents] \
        [--run cond-msh-wf] [--steps 4000] [--max-seconds S] [--threads 2]

Each step draws (ŷ_{t-1}, y_t) pairs from the training runs: a random rate level l scales the
gain-free latents by the intra model's gain vector, the context gets uniform noise in
[-0.5, 0.5) (what quantization leaves), and the loss is the rate of y_t + U(-0.5, 0.5) under
N(μ, σ(s)) in bits per pixel.  Only the inter model trains; the intra transforms are frozen.

Every ``--eval-every`` steps the validation runs (clips of validation-clips.txt) are coded for
real: v = round(y - μ), bits from the Gaussian at the rounded table index, per level, for the
float network, and at the end for the integer network (IntNet) too.  Beside them stands the
non-learned baseline: μ = ŷ_{t-1} with one static table per channel and level (fitted on the
training runs).  ``best.pt`` keeps the lowest validation rate; ``latest.pt`` resumes.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

from common.entropy import gaussian_likelihood  # noqa: E402
from model import ConditionalPrior, IntNet, quantize, table_step, LOG_SCALE_MIN  # noqa: E402


def load_manifest(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def bits_of(y, mu, index, log_step):
    """Bits of v = round(y - μ) under the Gaussian at integer table ``index`` (no CDF quantization)."""
    v = torch.round(y - mu)
    sigma = torch.exp(LOG_SCALE_MIN + index.float() * log_step)
    return -torch.log2(gaussian_likelihood(v, sigma, torch.zeros_like(v))).sum()


def static_tables(train: np.ndarray, gains: np.ndarray, log_step: float, table_size: int) -> np.ndarray:
    """The non-learned baseline's tables: per level and channel, the table index that codes
    y_t - ŷ_{t-1} of the training runs in the fewest bits.  Returns (levels, M) int."""
    rng = np.random.default_rng(0)
    pick = train[rng.choice(len(train), size=min(200, len(train)), replace=False)].astype(np.float32)
    out = np.zeros((len(gains), train.shape[2]), np.int64)
    idx = torch.arange(table_size).float()
    sig = torch.exp(LOG_SCALE_MIN + idx * log_step)
    for l, g in enumerate(gains):
        y = torch.from_numpy(pick) * torch.from_numpy(g)[None, None, :, None, None]
        ctx = torch.round(y[:, :-1])
        d = torch.round(y[:, 1:] - ctx)            # (R, T-1, M, H, W)
        d = d.permute(2, 0, 1, 3, 4).reshape(d.shape[2], -1)
        for c in range(d.shape[0]):
            vals, counts = torch.unique(d[c], return_counts=True)
            lik = gaussian_likelihood(vals[None, :], sig[:, None], torch.zeros(1))
            bits = -(torch.log2(lik) * counts[None, :]).sum(1)
            out[l, c] = int(torch.argmin(bits))
    return out


def evaluate(model, valid, gains, log_step, tables, intnet=None):
    """Real-rounding bits per pixel of the validation runs' inter frames, per level: the float
    network, the static-table baseline and (optionally) the integer network."""
    res = {"float": [], "delta": [], "int": []}
    pixels = 0
    v = torch.from_numpy(valid.astype(np.float32))
    R, T, M, H, W = v.shape
    pixels = R * (T - 1) * H * W * 64
    model.eval()
    with torch.no_grad():
        for l, g in enumerate(gains):
            y = v * torch.from_numpy(g)[None, None, :, None, None]
            ctx = torch.round(y[:, :-1]).reshape(-1, M, H, W)   # ŷ_{t-1}: the rounded previous latent
            tgt = y[:, 1:].reshape(-1, M, H, W)
            lev = torch.full((ctx.shape[0],), l, dtype=torch.long)
            mu, s = model(ctx, lev)
            res["float"].append(float(bits_of(tgt, mu, torch.round(s), log_step)) / pixels)
            tab = torch.from_numpy(tables[l])[None, :, None, None].expand_as(tgt)
            res["delta"].append(float(bits_of(tgt, ctx, tab, log_step)) / pixels)
            if intnet is not None:
                total = 0.0
                for i in range(ctx.shape[0]):
                    mu16, index = intnet.run(np.round(ctx[i].numpy() * 16).astype(np.int64), l)
                    total += float(bits_of(tgt[i], torch.from_numpy(mu16 / 16.0).float(),
                                           torch.from_numpy(index), log_step))
                res["int"].append(total / pixels)
    model.train()
    if intnet is None:
        del res["int"]
    res["mean"] = {k: float(np.mean(x)) for k, x in res.items()}
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--latents", default=os.path.join(REPO, "models", ".runs", "video", "latents"))
    p.add_argument("--run", default="cond-msh-wf")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "video"))
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--max-seconds", type=float, default=None)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(os.path.join(args.latents, "meta.json")) as f:
        meta = json.load(f)
    intra = os.path.join(REPO, meta["intra"]["folder"])
    manifest = load_manifest(intra)
    gains = np.array([l["gain"] for l in manifest["rateLevels"]], np.float32)
    table = manifest["gaussianConditional"]["scaleTable"]
    log_step = table_step(table)
    train = np.load(os.path.join(args.latents, "train.npy"))
    valid = np.load(os.path.join(args.latents, "valid.npy"))
    R, T, M, H, W = train.shape
    print(f"train runs {train.shape}, valid runs {valid.shape}; intra {meta['intra']['id']}", flush=True)
    run_dir = os.path.join(args.runs_root, args.run)
    os.makedirs(run_dir, exist_ok=True)
    model = ConditionalPrior(M, args.hidden, len(gains), len(table), log_step)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, wall, best = 0, 0.0, math.inf
    latest = os.path.join(run_dir, "latest.pt")
    if os.path.exists(latest):
        st = torch.load(latest)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, wall, best = st["step"], st["wall"], st["best"]
        print(f"resumed at step {step}", flush=True)
    tables_path = os.path.join(run_dir, "static_tables.npy")
    if os.path.exists(tables_path):
        tables = np.load(tables_path)
    else:
        tables = static_tables(train, gains, log_step, len(table))
        np.save(tables_path, tables)
    g = torch.from_numpy(gains)
    t0 = time.time() - wall
    ema = None
    rng = np.random.default_rng(args.seed + step)
    def save(name, extra=None):
        st = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "wall": time.time() - t0,
              "best": best, "config": {"M": M, "hidden": args.hidden, "levels": len(gains), "tableSize": len(table),
                                       "logStep": log_step}, "meta": meta, **(extra or {})}
        torch.save(st, os.path.join(run_dir, name + ".tmp"))
        os.replace(os.path.join(run_dir, name + ".tmp"), os.path.join(run_dir, name))
    started, first_step = time.time(), step
    while step < args.steps:
        lr = args.lr * (0.1 if step > 0.8 * args.steps else 1.0) * min(1.0, (step + 1) / 100)
        for pg in opt.param_groups:
            pg["lr"] = lr
        ri = rng.integers(0, R, args.batch)
        ti = rng.integers(1, T, args.batch)
        lev = torch.from_numpy(rng.integers(0, len(gains), args.batch))
        y = torch.from_numpy(train[ri, ti].astype(np.float32)) * g[lev][:, :, None, None]
        prev = torch.from_numpy(train[ri, ti - 1].astype(np.float32)) * g[lev][:, :, None, None]
        # random flips: the prior should not care about orientation
        if rng.random() < 0.5:
            y, prev = y.flip(3), prev.flip(3)
        ctx = prev + torch.empty_like(prev).uniform_(-0.5, 0.5)
        mu, s = model(ctx, lev)
        lik = gaussian_likelihood(y + torch.empty_like(y).uniform_(-0.5, 0.5), model.scales(s), mu)
        bpp = -torch.log2(lik).sum() / (args.batch * H * W * 64)
        opt.zero_grad()
        bpp.backward()
        opt.step()
        step += 1
        ema = float(bpp) if ema is None else 0.98 * ema + 0.02 * float(bpp)
        if step % 50 == 0:
            print(f"step {step} bpp {float(bpp):.4f} ema {ema:.4f} lr {lr:.1e} s/step "
                  f"{(time.time() - started) / (step - first_step):.3f}", flush=True)
        if step % args.eval_every == 0 or step == args.steps:
            res = evaluate(model, valid, gains, log_step, tables)
            line = " ".join(f"{v:.4f}" for v in res["float"])
            print(f"valid step {step}: inter bpp {res['mean']['float']:.4f} (per level {line}); "
                  f"static-table delta {res['mean']['delta']:.4f}", flush=True)
            improved = res["mean"]["float"] < best
            if improved:
                best = res["mean"]["float"]
            save("latest.pt", {"valid": res})
            if improved:
                save("best.pt", {"valid": res})
        if args.max_seconds and time.time() - started >= args.max_seconds:
            save("latest.pt")
            break
    print(f"done at step {step}, {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
