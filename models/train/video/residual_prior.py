#!/usr/bin/env python3
"""Trains and exports the residual hyperprior of the video codec's motion-compensated P-frames.

A P-frame residual r = x - pred + 1/2 is analysed by the image model's g_a and synthesised by its g_s
(both frozen), but its latent y is not a natural image's: a flat residual (no change) still costs the
image model's hyperprior about 150 bytes at 176x144, because g_a maps flat grey to a structured latent
that h_s does not predict. This script fits a hyperprior of its own to residual latents -- h_a, h_s,
the factorized z density and per-level hyper gains (Minnen et al. 2018's mean-scale hyperprior with Cui
et al. 2021's gain units), the same graph interfaces as the image model's -- with the rate alone as the
loss (g_a and g_s are frozen, so the distortion does not depend on it).

Data: residual latents y (after the level's gain) written by the encoder with NC_YDUMP=<file>
(records: int32 quality, channels, height, width, then float32 y), made by
models/train/video/residual_dump.sh from video-train clips; the validation clips (validation-clips.txt)
are dumped separately and only evaluated.

  residual_prior.py train --train y-train.bin --valid y-val.bin --run rp-v1 [--steps 6000]
  residual_prior.py export --run rp-v1 --out models/video/cond-msh-wf
"""
import argparse
import datetime
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common.entropy import (EntropyBottleneck, default_scale_table, gaussian_likelihood,  # noqa: E402
                            scale_indexes, table_bits, table_set)
from common.rate import GainUnits  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
RUNS = os.path.join(REPO, "models", ".runs", "video")
VALID_STRIDE = 4  # every 4th validation residual is evaluated (all clips, levels and frame positions)
CROP = 16  # latent positions per side of a training crop (128 pixels at y stride 8)


def conv(cin, cout, k=5, stride=2):
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


def up(cin, cout):
    """2x upsampling: 3x3 conv to 4*cout channels, then PixelShuffle(2)."""
    return nn.Sequential(nn.Conv2d(cin, cout * 4, 3, padding=1), nn.PixelShuffle(2))


def up_nearest(cin, cout):
    """2x upsampling: nearest neighbour, then a 3x3 conv (a quarter of the sub-pixel conv's weights)."""
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(cin, cout, 3, padding=1))


class ResidualPrior(nn.Module):
    """arch "full": h_a: y (M) -> conv3 N, LReLU, conv5s2 N, LReLU, conv5s2 N -> z; h_s: z (N) -> up N,
    LReLU, up 3M/2, LReLU, conv3 2M -> (scales, means) (the image model's layout, sub-pixel ups).
    arch "lite": the same with 3x3 kernels throughout and nearest-neighbour + conv3 upsampling, for a
    fifth of the weights. Gains per level on z."""

    def __init__(self, M=48, N=64, levels=8, arch="full"):
        super().__init__()
        self.M, self.N, self.L, self.arch = M, N, levels, arch
        k = 5 if arch == "full" else 3
        upsample = up if arch == "full" else up_nearest
        self.h_a = nn.Sequential(conv(M, N, 3, 1), nn.LeakyReLU(inplace=True), conv(N, N, k),
                                 nn.LeakyReLU(inplace=True), conv(N, N, k))
        self.h_s = nn.Sequential(upsample(N, N), nn.LeakyReLU(inplace=True), upsample(N, M * 3 // 2),
                                 nn.LeakyReLU(inplace=True), conv(M * 3 // 2, M * 2, 3, 1))
        self.hyper_gain = GainUnits(levels, N)
        self.hyper_inv_gain = GainUnits(levels, N)
        self.entropy_bottleneck = EntropyBottleneck(N)

    def forward(self, y, level, training=True):
        """Bits of y and z (ideal code lengths: noise while training, rounding otherwise)."""
        z = self.h_a(y) * self.hyper_gain(level)
        z_hat, z_lik = self.entropy_bottleneck.mixed_quantize(z, training)
        scales, means = self.h_s(z_hat * self.hyper_inv_gain(level)).chunk(2, 1)
        if training:
            y_lik = gaussian_likelihood(y + torch.empty_like(y).uniform_(-0.5, 0.5), scales, means)
        else:
            y_lik = gaussian_likelihood(torch.round(y - means) + means, scales, means)
        bits = lambda lik: -torch.log2(lik).sum()  # noqa: E731
        return bits(y_lik), bits(z_lik), z_hat, scales, means


def read_dump(path):
    """[(level index, y[C, H, W])] of a y dump."""
    raw = np.fromfile(path, np.uint8)
    out, off = [], 0
    while off + 16 <= len(raw):
        q, c, h, w = np.frombuffer(raw, np.int32, 4, off)
        off += 16
        n = int(c * h * w)
        if off + 4 * n > len(raw):
            break  # a dump cut short while it was written
        out.append((int(q) - 1, np.frombuffer(raw, np.float32, n, off).reshape(c, h, w)))
        off += 4 * n
    return out


def batch(records, rng, size):
    ys, levels = [], []
    for i in rng.integers(0, len(records), size):
        lv, y = records[i]
        h, w = y.shape[1:]
        r, c = rng.integers(0, h - CROP + 1), rng.integers(0, w - CROP + 1)
        ys.append(y[:, r:r + CROP, c:c + CROP])
        levels.append(lv)
    return torch.from_numpy(np.stack(ys)), torch.tensor(levels)


@torch.no_grad()
def evaluate(model, records, z_tables=None, med=None):
    """Codec bytes per residual of the validation records (integer tables, real rounding); the z
    tables and medians are the model's own unless given."""
    model.eval()
    z_tables = z_tables or table_set(*model.entropy_bottleneck.pmfs())
    scale_table = default_scale_table()
    from common.entropy import gaussian_pmfs
    y_tables = table_set(*gaussian_pmfs(scale_table, 1e-9))
    med = model.entropy_bottleneck.medians if med is None else med
    total_y = total_z = 0.0
    for lv, y in records:
        yt = torch.from_numpy(y)[None]
        level = torch.tensor([lv])
        z = model.h_a(yt) * model.hyper_gain(level)
        sym = torch.round(z - med.reshape(1, -1, 1, 1))
        z_hat = sym + med.reshape(1, -1, 1, 1)
        scales, means = model.h_s(z_hat * model.hyper_inv_gain(level)).chunk(2, 1)
        v = torch.round(yt - means)
        idx = scale_indexes(scales, scale_table).numpy()
        total_y += table_bits(y_tables, idx, v.numpy().astype(np.int64))[0]
        cidx = np.broadcast_to(np.arange(model.N)[None, :, None, None], sym.shape)
        total_z += table_bits(z_tables, cidx, sym.numpy().astype(np.int64))[0]
    model.train()
    n = len(records)
    return total_y / 8 / n, total_z / 8 / n


def cmd_baseline(args):
    """The image model's own hyperprior on the validation residuals (what the codec spends today)."""
    from common.warm_start import load_onnx_weights
    torch.set_num_threads(args.threads)
    folder = os.path.join(REPO, "models", "hyperprior", args.image_model)
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    model = ResidualPrior(manifest["yChannels"] if "yChannels" in manifest else 48, 96)
    files = [os.path.join(folder, f) for f in ("h_a.onnx", "h_s.onnx")]
    loaded, missing, _ = load_onnx_weights(model, files)
    with torch.no_grad():
        for i, lv in enumerate(manifest["rateLevels"]):
            model.hyper_gain.log_gain[i] = torch.log(torch.tensor(lv["hyperGain"]))
            model.hyper_inv_gain.log_gain[i] = torch.log(torch.tensor(lv["hyperInvGain"]))
    eb = manifest["entropyBottleneck"]
    valid = [r for path in args.valid for r in read_dump(path)][::VALID_STRIDE]
    vy, vz = evaluate(model, valid, eb["tables"], torch.tensor(eb["medians"], dtype=torch.float32))
    print(f"{len(loaded)} tensors loaded, missing {[m for m in missing if 'entropy' not in m]}")
    print(f"image model's hyperprior: validation bytes per residual y {vy:.1f} z {vz:.1f} total {vy + vz:.1f}")


def cmd_train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train = [r for path in args.train for r in read_dump(path) if min(r[1].shape[1:]) >= CROP]
    valid = [r for path in args.valid for r in read_dump(path)][::VALID_STRIDE]
    print(f"{len(train)} training and {len(valid)} validation residual latents", flush=True)
    run_dir = os.path.join(args.runs_root, args.run)
    os.makedirs(run_dir, exist_ok=True)
    ckpt = os.path.join(run_dir, "last.pt")
    model = ResidualPrior(train[0][1].shape[0], args.N, arch=args.arch)
    eb = [p for n, p in model.named_parameters() if n.startswith("entropy_bottleneck.")]
    rest = [p for n, p in model.named_parameters() if not n.startswith("entropy_bottleneck.")]
    opt = torch.optim.Adam([{"params": rest, "scale": 1.0}, {"params": eb, "scale": args.bottleneck_lr_scale}], lr=args.lr)
    step, wall, best = 0, 0.0, None
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, wall, best = st["step"], st["wall"], st.get("best")
        print(f"resumed at step {step}", flush=True)
    positions = CROP * CROP * 64  # pixels of a crop (y stride 8)
    t0 = time.time()
    while step < args.steps:
        for g in opt.param_groups:
            g["lr"] = args.lr * g["scale"] * (0.1 if step >= 0.8 * args.steps else 1.0)
        y, level = batch(train, rng, args.batch)
        by, bz, *_ = model(y, level)
        loss = (by + bz) / (args.batch * positions) + model.entropy_bottleneck.aux_loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % args.eval_every == 0 or step == args.steps:
            wall += time.time() - t0
            t0 = time.time()
            vy, vz = evaluate(model, valid)
            record = {"step": step, "y": vy, "z": vz, "total": vy + vz}
            print(f"step {step} ({wall:.0f} s): train bpp {float((by + bz) / (args.batch * positions)):.4f} | "
                  f"validation bytes per residual y {vy:.1f} z {vz:.1f} total {vy + vz:.1f}", flush=True)
            state = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "wall": wall,
                     "config": {"M": model.M, "N": model.N, "levels": model.L, "arch": model.arch}, "valid": record}
            if best is None or record["total"] < best["total"]:
                best = record
                torch.save(state, os.path.join(run_dir, "best.pt"))
            state["best"] = best
            torch.save(state, ckpt)


@torch.no_grad()
def parity_vector(model, level=2, h=3, w=4, seed=5):
    """h_s's outputs for a fixed z_hat, computed with the weights the float16 graphs store (tensors of
    at least fp16_weights.MIN_ELEMENTS elements rounded to float16): the TypeScript tests run the
    graph on the same input and compare the table indices and means."""
    from common.fp16_weights import MIN_ELEMENTS
    ref = ResidualPrior(model.M, model.N, model.L, model.arch)
    ref.load_state_dict(model.state_dict())
    for p in ref.h_s.parameters():
        if p.numel() >= MIN_ELEMENTS:
            p.copy_(p.half().float())
    ref.eval()
    g = torch.Generator().manual_seed(seed)
    med = ref.entropy_bottleneck.medians.reshape(1, -1, 1, 1)
    z_hat = torch.randint(-2, 3, (1, ref.N, h, w), generator=g).float() + med
    scales, means = ref.h_s(z_hat * ref.hyper_inv_gain(torch.tensor([level]))).chunk(2, 1)
    index = scale_indexes(scales, default_scale_table())
    return {"level": level + 1, "height": h, "width": w,
            "zHat": [float(v) for v in z_hat.flatten()],
            "scaleIndex": [int(v) for v in index.flatten()],
            "means": [round(float(v), 5) for v in means.flatten()]}


def cmd_export(args):
    st = torch.load(os.path.join(args.runs_root, args.run, args.checkpoint))
    cfg = st["config"]
    model = ResidualPrior(cfg["M"], cfg["N"], cfg["levels"], cfg.get("arch", "full"))
    model.load_state_dict(st["model"])
    export_prior(model, args.out, {"recipe": "models/train/video/residual_prior.py", "steps": st["step"],
                                   "wallTimeSeconds": round(st["wall"], 1)},
                 {"bytesPerResidual": {"y": round(st["valid"]["y"], 2), "z": round(st["valid"]["z"], 2)},
                  "note": "mean over the validation clips' residuals (all levels), integer tables"})
    print(f"wrote {args.out}: residual prior step {st['step']}, validation {st['valid']['total']:.1f} bytes per residual")


def export_prior(model, out, provenance, validation, extra=None):
    """Writes residual_h_a.onnx, residual_h_s.onnx (float16 weights) and the manifest's `residual`
    section (with `extra` merged in, e.g. the graph of a residual g_a) into the video model `out`."""
    from common.export_utils import export_onnx, sha256
    from common.fp16_weights import to_fp16
    from hyperprior.export import HA, HS  # the image model's h_a/h_s wrappers: same interface
    model.eval()
    cfg = {"M": model.M, "N": model.N, "levels": model.L}
    M, N = cfg["M"], cfg["N"]
    graphs = {"residual_h_a": (HA, ["y", "hyper_gain"], ["z"]),
              "residual_h_s": (HS, ["z_hat", "hyper_inv_gain"], ["scales", "means"])}
    examples = {"residual_h_a": (torch.randn(1, M, 16, 24), torch.ones(N)),
                "residual_h_s": (torch.randn(1, N, 4, 6), torch.ones(N))}
    export_onnx(model, out, graphs, examples)
    for name in graphs:
        to_fp16(os.path.join(out, f"{name}.onnx"))
    parity = parity_vector(model)
    eb = model.entropy_bottleneck
    pmfs, tails, offsets = eb.pmfs()
    gains = model.hyper_gain.vectors().numpy()
    inv = model.hyper_inv_gain.vectors().numpy()
    path = os.path.join(out, "manifest.json")
    video = json.load(open(path))
    files = video.setdefault("files", {})
    for name in [n for n in files if not os.path.exists(os.path.join(out, n))]:
        del files[name]  # a graph an earlier export wrote and this one removed
    for name in [*graphs, *(extra or {}).get("graphFiles", [])]:
        f = os.path.join(out, f"{name}.onnx")
        files[f"{name}.onnx"] = {"sha256": sha256(f), "bytes": os.path.getsize(f)}
    video["residual"] = {
        "kind": "mean-scale-hyperprior",
        "note": "the hyperprior of motion-compensated residuals: y = the image model's g_a(x - pred + 1/2) at the "
                "residual's level, z = residual_h_a(y, hyperGain), (scales, means) = residual_h_s(z_hat, hyperInvGain) "
                "(the deterministic session, as the image model's h_s); y is coded with the image model's Gaussian "
                "tables and scale table; trained by models/train/video/residual_prior.py with the rate as the loss",
        "zChannels": N,
        "graphs": {"h_a": {"file": "residual_h_a.onnx", "inputs": ["y", "hyper_gain"], "outputs": ["z"]},
                   "h_s": {"file": "residual_h_s.onnx", "inputs": ["z_hat", "hyper_inv_gain"], "outputs": ["scales", "means"]}},
        "zMedians": [float(v) for v in eb.medians.numpy()],
        "zTables": table_set(pmfs, tails, offsets),
        "levels": [{"hyperGain": [float(v) for v in gains[i]], "hyperInvGain": [float(v) for v in inv[i]]}
                   for i in range(cfg["levels"])],
        "provenance": {**provenance, "torch": torch.__version__,
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")},
        "validation": validation,
        "parity": parity,
    }
    if extra:
        video["residual"]["graphs"].update(extra.get("graphs", {}))
        video["residual"]["note"] = extra.get("note", video["residual"]["note"])
    with open(path, "w") as f:
        json.dump(video, f, indent=1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--train", required=True, nargs="+", help="y dumps of the training clips")
    t.add_argument("--valid", required=True, nargs="+", help="y dumps of the validation clips")
    t.add_argument("--run", required=True)
    t.add_argument("--runs-root", default=RUNS)
    t.add_argument("--N", type=int, default=64)
    t.add_argument("--arch", choices=("full", "lite"), default="lite")
    t.add_argument("--steps", type=int, default=6000)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--bottleneck-lr-scale", type=float, default=10.0)
    t.add_argument("--eval-every", type=int, default=500)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=1)
    b = sub.add_parser("baseline")
    b.add_argument("--valid", required=True, nargs="+")
    b.add_argument("--image-model", default="msh-wf-cpu")
    b.add_argument("--threads", type=int, default=2)
    e = sub.add_parser("export")
    e.add_argument("--run", required=True)
    e.add_argument("--runs-root", default=RUNS)
    e.add_argument("--checkpoint", default="best.pt")
    e.add_argument("--out", default=os.path.join(REPO, "models", "video", "cond-msh-wf"))
    args = p.parse_args(argv)
    {"train": cmd_train, "baseline": cmd_baseline, "export": cmd_export}[args.cmd](args)


if __name__ == "__main__":
    main()
