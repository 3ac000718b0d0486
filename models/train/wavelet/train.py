"""Train the variable-rate wavelet-packet autoencoder (see model.py) — resumable, CPU or CUDA.

    nice /usr/bin/python3 models/train/wavelet/train.py --run wavelet-vr-cpu \
        --data ../shared/datasets/images-train/urban100 ../shared/datasets/images-train/sunhays80 \
               ../shared/datasets/images-train/bsd100
    ... --resume          # continue from the newest latest.pt (run folder or its mirror)
    ... --device cuda --amp --batch 32 --crop 256   # on a GPU (bf16 autocast for the decoder)

Every training image gets a random rate level l and the loss lambda_l * 255^2 * MSE + bpp.
Checkpoints (``latest.pt`` every --save-every seconds and on SIGTERM/SIGINT, ``best.pt`` when
the smoothed loss improved) live in models/.runs/wavelet/<run>/ and are mirrored to
/root/.ncodec-runs/wavelet/<run>/.  The log (stdout) has one line per --log-every steps;
metrics.jsonl in the run folder has the same numbers as JSON.  The training loop's helpers
(Stopper, Meter, lr schedule, hardware line) are shared with hyperprior/train.py.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from common import checkpoint  # noqa: E402
from common.data import CropSampler, to_tensor_batch  # noqa: E402
from hyperprior.train import Meter, Stopper, hardware, lr_at, make_optimizers  # noqa: E402
from wavelet.model import DEFAULT_LAMBDAS, build, rd_loss  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DEFAULT_DATA = [os.path.join(REPO, "..", "shared", "datasets", "images-train", d)
                for d in ("urban100", "sunhays80", "bsd100")]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="wavelet-vr-cpu", help="run name (folder under --runs-root)")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "wavelet"))
    p.add_argument("--mirror-root", default="/root/.ncodec-runs/wavelet",
                   help="folder that receives a copy of latest.pt ('' to disable)")
    p.add_argument("--data", nargs="+", default=DEFAULT_DATA, help="training image folders")
    p.add_argument("--resume", action="store_true", help="continue from the newest latest.pt")
    p.add_argument("--latent", type=int, default=48, help="latent channels C")
    p.add_argument("--width", type=int, default=192, help="decoder width at 1/8 resolution")
    p.add_argument("--blocks", type=int, default=3, help="decoder residual blocks")
    p.add_argument("--levels", type=int, default=3, help="wavelet packet levels")
    p.add_argument("--wavelet", default="cdf97", choices=["cdf97", "haar"])
    p.add_argument("--lambdas", type=float, nargs="+", default=list(DEFAULT_LAMBDAS))
    p.add_argument("--crop", type=int, default=192)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--aux-lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=200, help="linear lr warm-up steps")
    p.add_argument("--lr-drops", type=int, nargs="*", default=[],
                   help="steps after which the lr is multiplied by 0.3 (cumulative)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (0 = off)")
    p.add_argument("--steps", type=int, default=1_000_000, help="stop at this step")
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    p.add_argument("--amp", action="store_true", help="bf16 autocast for the decoder convs (CUDA); encoder, bottleneck, wavelet stay float32")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--save-every", type=float, default=300.0, help="seconds between checkpoints")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    run_dir = os.path.join(args.runs_root, args.run)
    mirror = os.path.join(args.mirror_root, args.run) if args.mirror_root else None
    os.makedirs(run_dir, exist_ok=True)

    state = None
    if args.resume:
        path = checkpoint.find_latest(run_dir, mirror)
        if path is None:
            print(f"--resume: no latest.pt in {run_dir} or {mirror}; starting fresh", flush=True)
        else:
            state = checkpoint.load(path)
            print(f"resuming from {path} at step {state['step']}", flush=True)
    config = state["config"] if state else {"latent": args.latent, "width": args.width, "blocks": args.blocks,
                                            "levels": args.levels, "wavelet": args.wavelet,
                                            "lambdas": args.lambdas}
    model = build(config).to(device)
    opt, aux_opt = make_optimizers(model, args)
    step, wall, best = 0, 0.0, math.inf
    history = {"ema_loss": None}
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        aux_opt.load_state_dict(state["aux_optimizer"])
        for g in aux_opt.param_groups:  # --aux-lr may change between sessions
            g["lr"] = args.aux_lr
        step, wall, best = state["step"], state["wall_s"], state.get("best_loss", math.inf)
        history = state.get("history", history)

    sampler = CropSampler(args.data, args.crop, seed=args.seed + step)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"config {json.dumps(config)} params {n_params} images {len(sampler)} "
          f"crop {args.crop} batch {args.batch} device {device} torch {torch.__version__}", flush=True)
    stopper = Stopper()
    meter = Meter(model.levels)
    metrics = open(os.path.join(run_dir, "metrics.jsonl"), "a")
    gen = torch.Generator().manual_seed(args.seed * 1000003 + step)
    last_save, t_report, steps_report = time.time(), time.time(), 0
    amp = args.amp and device.type == "cuda"

    def snapshot():
        return {"model": model.state_dict(), "optimizer": opt.state_dict(),
                "aux_optimizer": aux_opt.state_dict(), "step": step, "wall_s": wall,
                "best_loss": best, "history": history, "config": config,
                "train": {"data": [os.path.abspath(d) for d in args.data], "crop": args.crop,
                          "batch": args.batch, "lr": args.lr, "device": str(device),
                          "torch": torch.__version__, "threads": args.threads,
                          "hardware": hardware(device, args.threads)}}

    def save():
        nonlocal best, last_save
        ema = history["ema_loss"]
        is_best = ema is not None and ema < best
        if is_best:
            best = ema
        checkpoint.save(snapshot(), run_dir, mirror, is_best)
        last_save = time.time()
        print(f"saved step {step} (best={is_best})", flush=True)

    model.train()
    while step < args.steps and not stopper.stop:
        t0 = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        x = to_tensor_batch(sampler.batch(args.batch)).to(device, non_blocking=True)
        level = torch.randint(model.levels, (args.batch,), generator=gen).to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            out = model(x, level)
        out["x_hat"] = out["x_hat"].float()
        out["likelihoods"] = {k: v.float() for k, v in out["likelihoods"].items()}
        rd = rd_loss(out, x, model.lambdas[level])
        if not torch.isfinite(rd["loss"]):
            print(f"step {step}: non-finite loss, batch skipped", flush=True)
            opt.zero_grad(set_to_none=True)
            continue
        opt.zero_grad(set_to_none=True)
        rd["loss"].backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(opt.param_groups[0]["params"], args.clip)
        opt.step()
        aux = model.entropy_bottleneck.aux_loss()
        aux_opt.zero_grad(set_to_none=True)
        aux.backward()
        aux_opt.step()

        step += 1
        steps_report += 1
        wall += time.time() - t0
        loss = float(rd["loss"])
        history["ema_loss"] = loss if history["ema_loss"] is None else 0.99 * history["ema_loss"] + 0.01 * loss
        meter.add(loss, float(aux), level.cpu(), rd["bpp"].cpu(), rd["mse"].cpu())
        if step % args.log_every == 0:
            r = meter.report()
            sps = (time.time() - t_report) / steps_report
            print(f"step {step} loss {r['loss']:.4f} ema {history['ema_loss']:.4f} bpp {r['bpp']:.4f} "
                  f"psnr {r['psnr']:.2f} aux {r['aux']:.1f} lr {lr_at(step, args):.2e} "
                  f"s/step {sps:.3f} wall {wall / 3600:.2f}h", flush=True)
            if step % (args.log_every * 8) == 0:
                print("  level bpp  " + " ".join(f"{v:.3f}" for v in r["level_bpp"]), flush=True)
                print("  level psnr " + " ".join(f"{v:.2f}" for v in r["level_psnr"]), flush=True)
            history["last_report"] = {"step": step, "s_per_step": sps, **r}
            metrics.write(json.dumps({"step": step, "lr": lr_at(step, args), "s_per_step": sps,
                                      "wall_s": wall, "ema_loss": history["ema_loss"], **r}) + "\n")
            metrics.flush()
            meter.reset()
            t_report, steps_report = time.time(), 0
        if time.time() - last_save >= args.save_every:
            save()
    save()
    print(f"stopped at step {step}", flush=True)


if __name__ == "__main__":
    main()
