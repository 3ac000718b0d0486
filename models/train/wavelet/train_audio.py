"""Train the variable-rate audio wavelet autoencoder (audio_model.py) — resumable, CPU or CUDA.

    nice /usr/bin/python3 models/train/wavelet/train_audio.py --run wavelet-audio-vr
    ... --resume          # continue from the newest latest.pt (run folder or its mirror)

Data: every folder of ``datasets/audio/train`` (never ``audio/eval``): 1 s crops at 24 kHz, random
gain and mixing (common/audio_data.py).  Every crop gets a random rate level l and the loss
kbps + lambda_l * (log-mel L1 + MR-STFT) (SpectralLosses of the RVQ recipe, so both audio codecs
are trained towards the same metric).  Checkpoints as in the image recipes: models/.runs/wavelet/
<run>/latest.pt every --save-every seconds and on SIGTERM/SIGINT, mirrored to
$NCODEC_RUNS_MIRROR/wavelet/<run>/ (default ~/.ncodec-runs); one log line per --log-every steps and metrics.jsonl.
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

from common.audio_data import AudioCropSampler  # noqa: E402
from common.training import (StepClock, Stopper, hardware, lr_at, make_optimizers, mirror_root,  # noqa: E402
                             save_checkpoint, setup_run)
from common.audio_losses import SpectralLosses, si_snr  # noqa: E402
from wavelet.audio_model import DEFAULT_AUDIO_LAMBDAS, SAMPLE_RATE, build_audio, kbps_of  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
TRAIN_ROOT = os.path.join(REPO, "..", "shared", "datasets", "audio", "train")
DEFAULT_DATA = [os.path.join(TRAIN_ROOT, d) for d in ("speech-22k", "digits-8k", "mixed-44k", "music")]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="wavelet-audio-vr")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "wavelet"))
    p.add_argument("--mirror-root", default=mirror_root("wavelet"), help="'' to disable")
    p.add_argument("--data", nargs="+", default=DEFAULT_DATA)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--latent", type=int, default=16)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--blocks", type=int, default=4)
    p.add_argument("--levels", type=int, default=5)
    p.add_argument("--wavelet", default="cdf97", choices=["cdf97", "haar"])
    p.add_argument("--gain-base", type=float, default=8.0, help="initial gain of the middle level")
    p.add_argument("--lambdas", type=float, nargs="+", default=list(DEFAULT_AUDIO_LAMBDAS))
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--aux-lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--lr-drops", type=int, nargs="*", default=[], help="steps where lr *= 0.3")
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--device", default="cpu")
    p.add_argument("--amp", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--save-every", type=float, default=300.0)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    device, run_dir, mirror, state = setup_run(args)
    config = state["config"] if state else {
        "sample_rate": SAMPLE_RATE, "latent": args.latent, "width": args.width, "blocks": args.blocks,
        "levels": args.levels, "wavelet": args.wavelet, "lambdas": args.lambdas,
        "gain_base": args.gain_base}
    model = build_audio(config).to(device)
    spec = SpectralLosses(SAMPLE_RATE).to(device)
    opt, aux_opt = make_optimizers(model, args)
    step, wall, best = 0, 0.0, math.inf
    history = {"ema_loss": None}
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        aux_opt.load_state_dict(state["aux_optimizer"])
        step, wall, best = state["step"], state["wall_s"], state.get("best_loss", math.inf)
        history = state.get("history", history)
    length = int(round(args.seconds * SAMPLE_RATE / model.factor)) * model.factor
    sampler = AudioCropSampler(args.data, length, SAMPLE_RATE, seed=args.seed + step)
    print(f"config {json.dumps(config)} params {sum(p.numel() for p in model.parameters())} "
          f"(enc {sum(p.numel() for p in model.encoder.parameters())}) audio {sampler.seconds() / 60:.1f} min "
          f"crop {length} batch {args.batch} device {device} torch {torch.__version__}", flush=True)
    stopper = Stopper()
    metrics = open(os.path.join(run_dir, "metrics.jsonl"), "a")
    gen = torch.Generator().manual_seed(args.seed * 1000003 + step)
    L = model.levels
    acc = np.zeros((L, 4))  # count, kbps, mel, si-snr
    last_save, t_report, steps_report = time.time(), time.time(), 0

    def snapshot(best):
        return {"model": model.state_dict(), "optimizer": opt.state_dict(),
                "aux_optimizer": aux_opt.state_dict(), "step": step, "wall_s": wall,
                "best_loss": best, "history": history, "config": config,
                "train": {"data": [os.path.abspath(d) for d in args.data], "seconds": args.seconds,
                          "batch": args.batch, "lr": args.lr, "device": str(device),
                          "torch": torch.__version__, "threads": args.threads,
                          "hardware": hardware(device, args.threads)}}

    def save():
        nonlocal best, last_save
        best = save_checkpoint(snapshot, history["ema_loss"], best, step, run_dir, mirror)
        last_save = time.time()

    model.train()
    clock = StepClock()
    while step < args.steps and not stopper.stop:
        t0 = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        x = torch.from_numpy(sampler.batch(args.batch)).to(device)
        level = torch.randint(L, (args.batch,), generator=gen).to(device)
        out = model(x[:, None], level)
        x_hat = out["x_hat"][:, 0]
        sl = spec(x, x_hat)
        kbps = kbps_of(out["likelihoods"]["y"], length)
        dist = sl["mel"] + sl["stft"]
        loss = (kbps + model.lambdas[level] * dist).mean()
        if not torch.isfinite(loss):
            print(f"step {step}: non-finite loss, batch skipped", flush=True)
            opt.zero_grad(set_to_none=True)
            continue
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(opt.param_groups[0]["params"], args.clip)
        opt.step()
        aux = model.entropy_bottleneck.aux_loss()
        aux_opt.zero_grad(set_to_none=True)
        aux.backward()
        aux_opt.step()

        step += 1
        steps_report += 1
        wall += clock.count(time.time() - t0)
        lv = float(loss)
        history["ema_loss"] = lv if history["ema_loss"] is None else 0.99 * history["ema_loss"] + 0.01 * lv
        with torch.no_grad():
            snr = si_snr(x, x_hat.detach())
        for l, k, m, s in zip(level.tolist(), kbps.tolist(), sl["mel"].tolist(), snr.tolist()):
            acc[l] += (1, k, m, s)
        if step % args.log_every == 0:
            sps = (time.time() - t_report) / steps_report
            n = np.maximum(acc[:, :1], 1)
            per = acc[:, 1:] / n
            print(f"step {step} loss {lv:.4f} ema {history['ema_loss']:.4f} aux {float(aux):.1f} "
                  f"lr {lr_at(step, args):.2e} s/step {sps:.3f} wall {wall / 3600:.2f}h", flush=True)
            print("  level kbps  " + " ".join(f"{v:6.2f}" for v in per[:, 0]), flush=True)
            print("  level mel   " + " ".join(f"{v:6.3f}" for v in per[:, 1]), flush=True)
            print("  level sisnr " + " ".join(f"{v:6.2f}" for v in per[:, 2]), flush=True)
            rec = {"step": step, "lr": lr_at(step, args), "s_per_step": sps, "wall_s": wall,
                   "ema_loss": history["ema_loss"], "level_kbps": per[:, 0].round(3).tolist(),
                   "level_mel": per[:, 1].round(4).tolist(), "level_sisnr": per[:, 2].round(2).tolist()}
            history["last_report"] = rec
            metrics.write(json.dumps(rec) + "\n")
            metrics.flush()
            acc[:] = 0
            t_report, steps_report = time.time(), 0
        if time.time() - last_save >= args.save_every:
            save()
    save()
    print(f"stopped at step {step}", flush=True)


if __name__ == "__main__":
    main()
