"""Train the RVQ audio codec (see model.py) — resumable, CPU or CUDA.

    nice /usr/bin/python3 models/train/rvq/train.py --run rvq-cpu --preset cpu
    ... --resume                       # continue from the newest latest.pt (run folder or mirror)
    python models/train/rvq/train.py --run rvq-gpu --preset gpu --device cuda --amp --batch 32 \
        --adv-start 20000              # GPU session, MS-STFT discriminator from step 20k

Data: every folder of ``datasets/audio/train`` (never ``audio/eval``), 1 s crops at 24 kHz with
random gain and mixing (common/audio_data.py).  Each example gets n_q codebooks: all of them,
or with probability --qdrop one of --bitrate-nq (quantizer dropout).  Loss:
  w_mel * multi-scale log-mel L1 + w_stft * MR-STFT + w_wave * |x - x_hat| * 1/rms(x)
  + w_commit * commitment + w_cb * codebook  [+ w_adv * hinge + w_fm * feature matching after
  --adv-start].
Checkpoints (``latest.pt`` every --save-every seconds and on SIGTERM/SIGINT; ``best.pt`` when
the smoothed loss improved) live in models/.runs/rvq/<run>/ and are mirrored to
$NCODEC_RUNS_MIRROR/rvq/<run>/ (default ~/.ncodec-runs).  One log line per --log-every steps (loss, mel, stft, SI-SNR,
codebook use, s/step); every --eval-every steps the fixed validation crops (training folders,
seed 12345) are coded at each --bitrate-nq and mel/SI-SNR reported per kbps.  metrics.jsonl in
the run folder has the same numbers.
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
from common.training import StepClock, Stopper, hardware, mirror_root, save_checkpoint, setup_run  # noqa: E402
from common.audio_losses import (MSSTFTDiscriminator, SpectralLosses, disc_loss,  # noqa: E402
                                 gen_adv_loss, si_snr)
from rvq.model import DEFAULT_CONFIG, PRESETS, build  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
TRAIN_ROOT = os.path.join(REPO, "..", "shared", "datasets", "audio", "train")
DEFAULT_DATA = [os.path.join(TRAIN_ROOT, d) for d in ("speech-22k", "digits-8k", "mixed-44k", "music")]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="rvq-cpu")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "rvq"))
    p.add_argument("--mirror-root", default=mirror_root("rvq"), help="'' to disable")
    p.add_argument("--data", nargs="+", default=DEFAULT_DATA, help="training audio folders")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--preset", default="cpu", choices=sorted(PRESETS))
    p.add_argument("--channels", type=int, help="override the preset's encoder base width C")
    p.add_argument("--n-codebooks", type=int, default=DEFAULT_CONFIG["n_codebooks"])
    p.add_argument("--bitrate-nq", type=int, nargs="+", default=DEFAULT_CONFIG["bitrate_nq"])
    p.add_argument("--qdrop", type=float, default=0.5, help="quantizer dropout probability")
    p.add_argument("--seconds", type=float, default=1.0, help="crop length")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--betas", type=float, nargs=2, default=[0.8, 0.99])
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--lr-decay", type=float, default=0.999996, help="per-step exponential decay")
    p.add_argument("--clip", type=float, default=1.0, help="grad-norm clip (0 = off)")
    p.add_argument("--w-mel", type=float, default=1.0)
    p.add_argument("--w-stft", type=float, default=1.0)
    p.add_argument("--w-wave", type=float, default=0.1, help="waveform L1 / rms(x)")
    p.add_argument("--w-commit", type=float, default=0.25)
    p.add_argument("--w-cb", type=float, default=1.0)
    p.add_argument("--restart-every", type=int, default=100,
                   help="steps between dead-code restarts (0 = off); codes unused in the window")
    p.add_argument("--adv-start", type=int, default=-1, help="step that turns the MS-STFT "
                   "discriminator on (-1 = never)")
    p.add_argument("--w-adv", type=float, default=1.0)
    p.add_argument("--w-fm", type=float, default=2.0)
    p.add_argument("--disc-lr", type=float, default=1e-4)
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--device", default="cpu")
    p.add_argument("--amp", action="store_true", help="bf16 autocast for the networks (CUDA)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--save-every", type=float, default=300.0)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def lr_at(step, args):
    return args.lr * min(1.0, (step + 1) / max(1, args.warmup)) * args.lr_decay ** step


def sample_nq(batch, args, gen):
    full = torch.full((batch,), args.n_codebooks, dtype=torch.long)
    pick = torch.tensor(args.bitrate_nq)[torch.randint(len(args.bitrate_nq), (batch,), generator=gen)]
    drop = torch.rand(batch, generator=gen) < args.qdrop
    return torch.where(drop, pick, full)


@torch.no_grad()
def evaluate(model, spec, x, nqs, device):
    """Mean log-mel distance and SI-SNR of the fixed validation crops at each n_q."""
    model.eval()
    out = {}
    for nq in nqs:
        mel, snr = [], []
        for i in range(0, x.shape[0], 8):
            xb = x[i:i + 8].to(device)
            xh = model(xb[:, None], nq)["x_hat"][:, 0].float()
            mel.append(spec(xb, xh)["mel"].cpu())
            snr.append(si_snr(xb, xh).cpu())
        out[f"{model.kbps(nq):g}"] = {"nq": nq, "mel": round(float(torch.cat(mel).mean()), 4),
                                      "sisnr": round(float(torch.cat(snr).mean()), 2)}
    model.train()
    return out


def main(argv=None):
    args = parse_args(argv)
    device, run_dir, mirror, state = setup_run(args)
    if state:
        config = state["config"]
    else:
        config = dict(DEFAULT_CONFIG, **PRESETS[args.preset])
        config.update(n_codebooks=args.n_codebooks, bitrate_nq=args.bitrate_nq)
        if args.channels:
            config["channels"] = args.channels
    args.n_codebooks, args.bitrate_nq = config["n_codebooks"], config["bitrate_nq"]
    model = build(config).to(device)
    spec = SpectralLosses(config["sample_rate"]).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=tuple(args.betas))
    disc = MSSTFTDiscriminator().to(device) if args.adv_start >= 0 else None
    dopt = torch.optim.Adam(disc.parameters(), lr=args.disc_lr, betas=(0.5, 0.9)) if disc else None
    step, wall, best = 0, 0.0, math.inf
    history = {"ema_loss": None}
    if state:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if disc is not None and state.get("disc"):
            disc.load_state_dict(state["disc"])
            dopt.load_state_dict(state["disc_optimizer"])
        step, wall, best = state["step"], state["wall_s"], state.get("best_loss", math.inf)
        history = state.get("history", history)

    length = int(round(args.seconds * config["sample_rate"] / model.hop)) * model.hop
    sampler = AudioCropSampler(args.data, length, config["sample_rate"], seed=args.seed + step)
    val = torch.from_numpy(AudioCropSampler(args.data, length, config["sample_rate"], seed=12345,
                                            verbose=False).batch(16))
    n_params = sum(p.numel() for p in model.parameters())
    print(f"config {json.dumps(config)} params {n_params} (enc {sum(p.numel() for p in model.encoder.parameters())}, "
          f"dec {sum(p.numel() for p in model.decoder.parameters())}) audio {sampler.seconds() / 60:.1f} min "
          f"crop {length} batch {args.batch} device {device} torch {torch.__version__}", flush=True)
    stopper = Stopper()
    metrics = open(os.path.join(run_dir, "metrics.jsonl"), "a")
    gen = torch.Generator().manual_seed(args.seed * 1000003 + step)
    amp = args.amp and device.type == "cuda"
    sums, n_sum = {}, 0
    last_save, t_report, steps_report = time.time(), time.time(), 0

    def snapshot(best):
        return {"model": model.state_dict(), "optimizer": opt.state_dict(),
                "disc": disc.state_dict() if disc else None,
                "disc_optimizer": dopt.state_dict() if dopt else None,
                "step": step, "wall_s": wall, "best_loss": best, "history": history, "config": config,
                "train": {"data": [os.path.abspath(d) for d in args.data], "seconds": args.seconds,
                          "batch": args.batch, "lr": args.lr, "qdrop": args.qdrop,
                          "weights": {k: getattr(args, k) for k in ("w_mel", "w_stft", "w_wave", "w_commit",
                                                                     "w_cb", "w_adv", "w_fm")},
                          "adv_start": args.adv_start, "device": str(device), "torch": torch.__version__,
                          "threads": args.threads, "hardware": hardware(device, args.threads)}}

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
        x = torch.from_numpy(sampler.batch(args.batch)).to(device, non_blocking=True)
        nq = sample_nq(args.batch, args, gen).to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            out = model(x[:, None], nq)
        x_hat = out["x_hat"][:, 0].float()
        sl = spec(x, x_hat)
        rms = x.pow(2).mean(-1).sqrt().clamp(min=1e-4)
        wave = (x - x_hat).abs().mean(-1) / rms
        loss = (args.w_mel * sl["mel"] + args.w_stft * sl["stft"] + args.w_wave * wave
                + args.w_commit * out["commit"].float() + args.w_cb * out["codebook"].float()).mean()
        adv_on = disc is not None and step >= args.adv_start
        adv = fm = dl = torch.zeros(())
        if adv_on:
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                adv, fm = gen_adv_loss(disc, x, x_hat)
            loss = loss + args.w_adv * adv.float() + args.w_fm * fm.float()
        if not torch.isfinite(loss):
            print(f"step {step}: non-finite loss, batch skipped", flush=True)
            opt.zero_grad(set_to_none=True)
            continue
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        if adv_on:
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                dl = disc_loss(disc, x, x_hat.detach())
            dopt.zero_grad(set_to_none=True)
            dl.backward()
            dopt.step()

        step += 1
        steps_report += 1
        wall += clock.count(time.time() - t0)
        restarted = None
        if args.restart_every and step % args.restart_every == 0:
            restarted = model.quantizer.restart_dead(min_usage=1.0)
        lv = float(loss)
        history["ema_loss"] = lv if history["ema_loss"] is None else 0.99 * history["ema_loss"] + 0.01 * lv
        with torch.no_grad():
            snr = si_snr(x, x_hat.detach())
        for k, v in (("loss", lv), ("mel", float(sl["mel"].mean())), ("stft", float(sl["stft"].mean())),
                     ("wave", float(wave.mean())), ("commit", float(out["commit"].mean())),
                     ("sisnr", float(snr.mean())), ("adv", float(adv)), ("fm", float(fm)),
                     ("disc", float(dl))):
            sums[k] = sums.get(k, 0.0) + v
        n_sum += 1
        if step % args.log_every == 0:
            r = {k: v / n_sum for k, v in sums.items()}
            sps = (time.time() - t_report) / steps_report
            line = (f"step {step} loss {r['loss']:.4f} ema {history['ema_loss']:.4f} mel {r['mel']:.4f} "
                    f"stft {r['stft']:.4f} wave {r['wave']:.3f} commit {r['commit']:.4f} "
                    f"sisnr {r['sisnr']:.2f} lr {lr_at(step, args):.2e} s/step {sps:.3f} "
                    f"wall {wall / 3600:.2f}h")
            if adv_on:
                line += f" adv {r['adv']:.3f} fm {r['fm']:.3f} disc {r['disc']:.3f}"
            if restarted is not None:
                line += f" dead-restart {sum(restarted)}/{len(restarted) * config['codebook_size']}"
            print(line, flush=True)
            rec = {"step": step, "lr": lr_at(step, args), "s_per_step": sps, "wall_s": wall,
                   "ema_loss": history["ema_loss"], **r}
            if restarted is not None:
                rec["dead_restarted"] = restarted
            if args.eval_every and step % args.eval_every == 0:
                rec["val"] = evaluate(model, spec, val, sorted(set(args.bitrate_nq)), device)
                print("  val " + "  ".join(f"{k} kbps mel {v['mel']:.3f} sisnr {v['sisnr']:.1f}"
                                           for k, v in rec["val"].items()), flush=True)
            history["last_report"] = rec
            metrics.write(json.dumps(rec) + "\n")
            metrics.flush()
            sums, n_sum = {}, 0
            t_report, steps_report = time.time(), 0
        if time.time() - last_save >= args.save_every:
            save()
    save()
    print(f"stopped at step {step}", flush=True)


if __name__ == "__main__":
    main()
