"""Fine-tunes an analysis transform for the video codec's motion-compensated residuals, jointly with
the residual hyperprior.

A P-frame residual r = clamp(C(x - pred) + 1/2, 0, 1) (C: the stream's chroma gain) is analysed by
g_a, its latent coded with the residual prior (residual_prior.py), and synthesised by the image
model's g_s. g_s and the y gains stay the image model's (frozen): decoders do not change. What trains
is the encoder side -- g_a (from the image model's weights) -- and the residual prior (from a
residual_prior.py run), with the rate-distortion loss of the codec:

    L = lambda_l * 255^2 * MSE(r_hat - r) + (bits of y and z) / pixels

lambda_l the image model's at the residual's level. The MSE is the coded residual's, as the image model's
own loss would see it (the chroma gain applied, so colour counts 1.5^2 times more); --distortion frame
takes the frame's error instead (the gain undone), which lost 5 dB of V on a validation clip (docs/MODELS.md);
--distortion yuv weighs the frame error's 4:2:0 planes as PSNR-YUV does (forward()), after the
residual's MSE (re-v3) also gave a clip's V plane away.
Quantization: noise for the rates, straight-through rounding for g_s (Minnen & Singh 2020's mixed
scheme), as the image model trained.

Data: residual images written by the encoder (models/train/video/residual_dump.sh --images; records:
int32 quality, 3, height, width, then float32 r), the validation clips' residuals apart (evaluation
only). Validation: every VALID_STRIDE-th validation residual, coded for real (integer tables,
rounding): bytes, PSNR of the frame error, and the RD cost J = mean over residuals of
lambda_l * 255^2 * MSE + bits / pixels, the figure best.pt is kept by.

  residual_encoder.py train --train r-train.bin --valid r-val.bin --prior rp-lite48 --run re-v1 [--steps N]
  residual_encoder.py baseline --valid r-val.bin --prior rp-lite48      # the frozen g_a with that prior
  residual_encoder.py export --run re-v1 [--fp32]                          # -> models/video/cond-msh-wf
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from common.entropy import default_scale_table, gaussian_pmfs, scale_indexes, table_bits, table_set  # noqa: E402
from common.rate import ste_round  # noqa: E402
from residual_prior import ResidualPrior  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
RUNS = os.path.join(REPO, "models", ".runs", "video")
IMAGE_MODEL = os.path.join(REPO, "models", "hyperprior", "msh-wf-cpu")
# the image model's flags (models/train/campaign.json, run msh-wfc)
IMAGE_CONFIG = {"N": 96, "M": 48, "lambdas": [0.0018, 0.0035, 0.0067, 0.013, 0.025, 0.0483, 0.0932, 0.18],
                "transform": "wavelet", "encoderRefine": 96, "contextWidth": 64}
CHROMA_GAIN = 1.5  # codecs/video/index.ts RESIDUAL_CHROMA_GAIN16 / 16
LUMA = torch.tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)
VALID_STRIDE = 4


def read_images(path):
    """[(level index, r[3, H, W] float16)] of a residual image dump."""
    out = []
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        off = 0
        while off + 16 <= size:
            q, c, h, w = np.frombuffer(f.read(16), np.int32)
            n = int(c * h * w)
            if off + 16 + 4 * n > size:
                break  # cut short while it was written
            out.append((int(q) - 1, np.frombuffer(f.read(4 * n), np.float32).reshape(c, h, w).astype(np.float16)))
            off += 16 + 4 * n
    return out


YUV_WEIGHTS = torch.tensor([6.0, 1.0, 1.0]) / 8  # PSNR-YUV = (6 PSNR_Y + PSNR_U + PSNR_V) / 8
EPS = 1e-10


def yuv_plane_mse(e):
    """(B, 3) mean squared errors of Y, Cb and Cr (BT.601, full scale) of a frame error e (B, 3, H, W), the
    chroma on 2x2 means as in 4:2:0."""
    r, g, b = e[:, 0:1], e[:, 1:2], e[:, 2:3]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = torch.nn.functional.avg_pool2d((b - y) / 1.772, 2)
    v = torch.nn.functional.avg_pool2d((r - y) / 1.402, 2)
    return torch.stack([y.pow(2).mean((1, 2, 3)), u.pow(2).mean((1, 2, 3)), v.pow(2).mean((1, 2, 3))], 1)


def log_yuv(m):
    """(B,) 6/8 ln MSE_Y + 1/8 ln MSE_U + 1/8 ln MSE_V: -ln(10)/10 times PSNR-YUV (peak 1)."""
    return (torch.log(m + EPS) * YUV_WEIGHTS).sum(1)


def frame_error(d):
    """C^-1 of a residual difference: luma kept, the colour difference from it divided by the gain."""
    y = (d * LUMA).sum(1, keepdim=True)
    return y + (d - y) / CHROMA_GAIN


def load_models(prior_run, runs_root):
    from common.warm_start import init_from_export
    from hyperprior.model import build
    image = build(IMAGE_CONFIG)
    init_from_export(image, IMAGE_MODEL, IMAGE_CONFIG, table_fit_steps=50)
    st = torch.load(os.path.join(runs_root, prior_run, "best.pt"))
    cfg = st["config"]
    prior = ResidualPrior(cfg["M"], cfg["N"], cfg["levels"], cfg.get("arch", "full"))
    prior.load_state_dict(st["model"])
    return image, prior


def forward(image, prior, r, level, training=True, distortion="residual"):
    """(loss terms) of residuals r (B, 3, H, W) at level indices `level`; `distortion`: the MSE of
    r_hat - r ("residual": what the image model's own loss would see), of the frame's error ("frame":
    the chroma gain undone), or ("yuv") the frame error's MSE (detached) times log_yuv of its 4:2:0
    planes: near the operating point each plane then weighs as PSNR-YUV weighs it, so a plane coded
    almost losslessly (tiny MSE) is not given away for a small share of the RGB MSE."""
    y = image.g_a(r).float() * image.gain(level)
    by, bz, _, scales, means = prior(y, level, training)
    y_hat = (ste_round(y - means) if training else torch.round(y - means)) + means
    r_hat = torch.clamp(image.g_s(y_hat * image.inv_gain(level)).float(), 0.0, 1.0)
    err = r_hat - r
    if distortion == "yuv":
        e = frame_error(err)
        mse = e.pow(2).mean(dim=(1, 2, 3)).detach() * log_yuv(yuv_plane_mse(e))
    else:
        mse = (frame_error(err) if distortion == "frame" else err).pow(2).mean(dim=(1, 2, 3))
    return by, bz, mse, y, scales, means


def crops(records, rng, size, crop):
    xs, levels = [], []
    while len(xs) < size:
        lv, r = records[rng.integers(0, len(records))]
        h, w = r.shape[1:]
        if h < crop or w < crop:
            continue
        a, b = rng.integers(0, h - crop + 1), rng.integers(0, w - crop + 1)
        xs.append(r[:, a:a + crop, b:b + crop].astype(np.float32))
        levels.append(lv)
    return torch.from_numpy(np.stack(xs)), torch.tensor(levels)


@torch.no_grad()
def evaluate(image, prior, records, distortion="residual", ref=None):
    """Mean bytes per residual (integer tables, rounding), mean PSNR and PSNR-YUV of the frame error, J
    (with the training's `distortion`; for "yuv", lambda * 255^2 * ref_i * log_yuv + bpp, ref_i the
    residual's frame MSE under the frozen encoder: PSNR-YUV priced at the frozen operating point) and
    the frame MSE of each residual ("mses")."""
    image.eval()
    prior.eval()
    scale_table = default_scale_table()
    y_tables = table_set(*gaussian_pmfs(scale_table, 1e-9))
    z_tables = table_set(*prior.entropy_bottleneck.pmfs())
    med = prior.entropy_bottleneck.medians.reshape(1, -1, 1, 1)
    lambdas = image.lambdas
    total_bytes = total_j = total_psnr = total_yuv = 0.0
    mses = []
    for i, (lv, r16) in enumerate(records):
        h, w = r16.shape[1:]
        h, w = h // 64 * 64, w // 64 * 64  # whole multiples of the z stride (the codec pads instead)
        r = torch.from_numpy(r16[:, :h, :w].astype(np.float32))[None]
        level = torch.tensor([lv])
        y = image.g_a(r).float() * image.gain(level)
        z = prior.h_a(y) * prior.hyper_gain(level)
        sym = torch.round(z - med)
        z_hat = sym + med
        scales, means = prior.h_s(z_hat * prior.hyper_inv_gain(level)).chunk(2, 1)
        v = torch.round(y - means)
        bits = table_bits(y_tables, scale_indexes(scales, scale_table).numpy(), v.numpy().astype(np.int64))[0]
        cidx = np.broadcast_to(np.arange(prior.N)[None, :, None, None], sym.shape)
        bits += table_bits(z_tables, cidx, sym.numpy().astype(np.int64))[0]
        r_hat = torch.clamp(image.g_s((v + means) * image.inv_gain(level)).float(), 0.0, 1.0)
        e = frame_error(r_hat - r)
        frame_mse = float(e.pow(2).mean())
        mses.append(frame_mse)
        ly = float(log_yuv(yuv_plane_mse(e))[0])
        if distortion == "yuv":
            d = (ref[i] if ref is not None else frame_mse) * ly
        else:
            d = frame_mse if distortion == "frame" else float((r_hat - r).pow(2).mean())
        total_bytes += bits / 8
        total_psnr += 10 * np.log10(1.0 / max(frame_mse, 1e-10))
        total_yuv += -10 / np.log(10) * ly
        total_j += float(lambdas[lv]) * 255 ** 2 * d + bits / (h * w)
    image.train()
    prior.train()
    n = len(records)
    return {"bytes": total_bytes / n, "psnr": total_psnr / n, "psnrYuv": total_yuv / n, "J": total_j / n, "mses": mses}


@torch.no_grad()
def prune_decoder(g_s, hidden, sample=None):
    """Narrows the hidden layer of each of g_s's residual blocks (body.0's outputs, body.2's inputs) to
    `hidden` channels, in place: a cheaper residual decoder (the six 3x3 convolutions at 1/8 resolution
    are most of g_s's time). The channels kept are those that contribute most: mean |activation| on
    `sample` (residual latents after the inverse gain) times the L2 norm of body.2's weights reading the
    channel (the weights alone without a sample). Without trained weights to choose from (a resumed run)
    any choice does: the checkpoint overwrites them."""
    x = None if sample is None else g_s.inp(sample)
    for block in g_s.blocks:
        conv0, conv2 = block.body[0], block.body[2]
        if conv0.out_channels <= hidden:
            x = None if x is None else block(x)
            continue
        score = conv2.weight.pow(2).sum((0, 2, 3)).sqrt()
        if x is not None:
            score = score * torch.nn.functional.leaky_relu(conv0(x), 0.1).abs().mean((0, 2, 3))
        keep = torch.sort(torch.topk(score, hidden).indices).values
        new0 = torch.nn.Conv2d(conv0.in_channels, hidden, 3, padding=1)
        new0.weight.copy_(conv0.weight[keep])
        new0.bias.copy_(conv0.bias[keep])
        new2 = torch.nn.Conv2d(hidden, conv2.out_channels, 3, padding=1)
        new2.weight.copy_(conv2.weight[:, keep])
        new2.bias.copy_(conv2.bias)
        block.body[0], block.body[2] = new0, new2
        x = None if x is None else block(x)


def decoder_sample(image, prior, records, rng, crop, n=16):
    """Latents (after the inverse gain) of n training residuals, as g_s sees them."""
    r, level = crops(records, rng, n, crop)
    with torch.no_grad():
        y = image.g_a(r).float() * image.gain(level)
        _, _, _, _, means = prior(y, level, False)
        return (torch.round(y - means) + means) * image.inv_gain(level)


def freeze_decoder_side(image, train_decoder=False):
    """Only g_a trains (and g_s with `train_decoder`): the y gains (the decoder's inv_gain and, with it,
    the encoder's gain), the image model's own hyperprior and context, and g_s without `train_decoder`,
    stay as exported. Returns (g_a's parameters, g_s's trained parameters)."""
    for name, p in image.named_parameters():
        p.requires_grad = name.startswith("g_a.") or (train_decoder and name.startswith("g_s."))
    return ([p for n, p in image.named_parameters() if n.startswith("g_a.")],
            [p for n, p in image.named_parameters() if n.startswith("g_s.") and p.requires_grad])


def cmd_baseline(args):
    torch.set_num_threads(args.threads)
    image, prior = load_models(args.prior, args.prior_root)
    valid = [r for path in args.valid for r in read_images(path)][::VALID_STRIDE]
    e = evaluate(image, prior, valid, args.distortion)
    print(f"{len(valid)} validation residuals: frozen g_a + {args.prior}: {e['bytes']:.1f} bytes, "
          f"{e['psnr']:.2f} dB (YUV {e['psnrYuv']:.2f}), J {e['J']:.4f}")


def cmd_train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    train = [r for path in args.train for r in read_images(path)]
    valid = [r for path in args.valid for r in read_images(path)][::VALID_STRIDE]
    print(f"{len(train)} training and {len(valid)} validation residuals", flush=True)
    run_dir = os.path.join(args.runs_root, args.run)
    os.makedirs(run_dir, exist_ok=True)
    ckpt = os.path.join(run_dir, "latest.pt")  # the campaign's name (models/train/campaign.py)
    image, prior = load_models(args.prior, args.prior_root)
    ref = None
    if args.distortion == "yuv":  # J prices PSNR-YUV at the frozen encoder's operating point
        ref = evaluate(image, prior, valid, "frame")["mses"]
    hidden = args.decoder_hidden
    if hidden and not args.train_decoder:
        sys.exit("--decoder-hidden needs --train-decoder")
    resuming = os.path.exists(ckpt)
    if not resuming and args.init_from:  # g_a (and g_s, the prior) of another run's best checkpoint; this run counts from 0
        init = args.init_from if os.path.isfile(args.init_from) else os.path.join(args.runs_root, args.init_from, "best.pt")
        st = torch.load(init)
        if st["priorFrom"] != args.prior:
            sys.exit(f"--init-from {args.init_from} trained with prior {st['priorFrom']}, not {args.prior}")
        if st.get("decoderHidden"):
            prune_decoder(image.g_s, st["decoderHidden"])
        image.g_a.load_state_dict(st["g_a"])
        if "g_s" in st:
            image.g_s.load_state_dict(st["g_s"])
        prior.load_state_dict(st["prior"])
        start = f"{args.init_from} step {st['step']}"
    else:
        start = "the image model's g_a"
    if hidden:  # before the optimizer: it holds the narrowed layers' parameters
        prune_decoder(image.g_s, hidden, None if resuming else decoder_sample(image, prior, train, rng, args.crop))
        if not resuming:
            start += f", g_s's blocks narrowed to {hidden} hidden channels"
    g_a, g_s = freeze_decoder_side(image, args.train_decoder)
    eb = [p for n, p in prior.named_parameters() if n.startswith("entropy_bottleneck.")]
    rest = [p for n, p in prior.named_parameters() if not n.startswith("entropy_bottleneck.")]
    groups = [{"params": g_a, "scale": 1.0}, {"params": rest, "scale": args.prior_lr_scale},
              {"params": eb, "scale": 10 * args.prior_lr_scale}]
    if g_s:
        groups.append({"params": g_s, "scale": args.decoder_lr_scale})
    opt = torch.optim.Adam(groups, lr=args.lr)
    step, wall, best = 0, 0.0, None
    if resuming:
        st = torch.load(ckpt)
        image.g_a.load_state_dict(st["g_a"])
        if "g_s" in st:
            image.g_s.load_state_dict(st["g_s"])
        prior.load_state_dict(st["prior"])
        opt.load_state_dict(st["opt"])
        step, wall, best = st["step"], st["wall"], st.get("best")
        print(f"resumed at step {step}", flush=True)
    else:
        best = {"step": 0, **evaluate(image, prior, valid, args.distortion, ref)}
        best.pop("mses")
        print(f"step 0 ({start}): validation {best['bytes']:.1f} bytes, {best['psnr']:.2f} dB "
              f"(YUV {best['psnrYuv']:.2f}), J {best['J']:.4f}", flush=True)
    pixels = args.crop * args.crop
    lambdas = image.lambdas
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))  # the campaign ends a slice: save, then exit

    def save(record=None, improved=False):
        state = {"g_a": image.g_a.state_dict(), "prior": prior.state_dict(), "opt": opt.state_dict(),
                 **({"g_s": image.g_s.state_dict(), "decoderHidden": hidden} if g_s else {}),
                 "step": step, "wall": wall, "wall_s": wall, "valid": record or best, "best": best,
                 "priorFrom": args.prior,
                 "priorConfig": {"M": prior.M, "N": prior.N, "levels": prior.L, "arch": prior.arch}}
        if improved:
            torch.save(state, os.path.join(run_dir, "best.pt"))
        torch.save(state, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)

    t0 = time.time()
    while step < args.steps and not stop:
        for g in opt.param_groups:
            g["lr"] = args.lr * g["scale"] * (0.1 if step >= 0.85 * args.steps else 1.0)
        r, level = crops(train, rng, args.batch, args.crop)
        by, bz, mse, *_ = forward(image, prior, r, level, distortion=args.distortion)
        bpp = (by + bz) / (args.batch * pixels)
        rd = (lambdas[level] * 255 ** 2 * mse).mean() + bpp
        loss = rd + prior.entropy_bottleneck.aux_loss()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 20 == 0:
            print(f"step {step} ({wall + time.time() - t0:.0f} s): RD loss {float(rd):.4f} bpp {float(bpp):.4f} "
                  f"mse {float(mse.mean()):.6f}", flush=True)
        if step % args.eval_every == 0 or step == args.steps:
            wall += time.time() - t0
            e = evaluate(image, prior, valid, args.distortion, ref)
            e.pop("mses")
            t0 = time.time()
            record = {"step": step, **e}
            print(f"step {step} ({wall:.0f} s): validation {e['bytes']:.1f} bytes, {e['psnr']:.2f} dB "
                  f"(YUV {e['psnrYuv']:.2f}), J {e['J']:.4f} (best {best['J']:.4f} at {best['step']})", flush=True)
            improved = record["J"] < best["J"]
            if improved:
                best = record
            save(record, improved)
    if stop:
        wall += time.time() - t0
        save()
        print(f"stopped at step {step}: saved", flush=True)


def cmd_export(args):
    """residual_g_a.onnx (the fine-tuned g_a times the level's gain: the image g_a graph's interface),
    float16 weights where that changes nothing measurable, and the residual prior (residual_prior.py's
    export), into the video model folder."""
    from common.export_utils import export_onnx
    from common.fp16_weights import to_fp16
    from hyperprior.export import GA, GS
    from residual_prior import export_prior
    torch.set_num_threads(args.threads)
    path = args.checkpoint if os.path.isfile(args.checkpoint) else os.path.join(args.runs_root, args.run or "", args.checkpoint)
    st = torch.load(path)
    image, prior = load_models(st["priorFrom"], args.prior_root)
    image.g_a.load_state_dict(st["g_a"])
    prior.load_state_dict(st["prior"])
    image.eval()
    graphs = {"residual_g_a": (GA, ["x", "gain"], ["y"])}
    examples = {"residual_g_a": (torch.rand(1, 3, 128, 192), torch.ones(IMAGE_CONFIG["M"]))}
    manifest_graphs = {"g_a": {"file": "residual_g_a.onnx", "inputs": ["x", "gain"], "outputs": ["y"]}}
    decoder = "g_s" in st
    if decoder:
        if st.get("decoderHidden"):
            prune_decoder(image.g_s, st["decoderHidden"])
        image.g_s.load_state_dict(st["g_s"])
        graphs["residual_g_s"] = (GS, ["y_hat", "inv_gain"], ["x_hat"])
        examples["residual_g_s"] = (torch.randn(1, IMAGE_CONFIG["M"], 16, 24), torch.ones(IMAGE_CONFIG["M"]))
        manifest_graphs["g_s"] = {"file": "residual_g_s.onnx", "inputs": ["y_hat", "inv_gain"], "outputs": ["x_hat"]}
    else:
        stale = os.path.join(args.out, "residual_g_s.onnx")
        if os.path.exists(stale):
            os.remove(stale)
    export_onnx(image, args.out, graphs, examples)
    if args.fp16:
        for name in graphs:
            to_fp16(os.path.join(args.out, f"{name}.onnx"))
    v = st["valid"]
    export_prior(prior, args.out,
                 {"recipe": "models/train/video/residual_encoder.py (g_a and the prior, jointly; the prior from "
                            f"residual_prior.py run {st['priorFrom']})", "steps": st["step"],
                  "wallTimeSeconds": round(st["wall"], 1)},
                 {"bytesPerResidual": round(v["bytes"], 2), "psnrFrameError": round(v["psnr"], 3), "J": round(v["J"], 5),
                  "note": "validation clips' residuals (every 4th, all levels), coded for real: bytes, PSNR of the "
                          "frame error, J = mean of lambda * 255^2 * MSE + bpp"},
                 {"graphs": manifest_graphs,
                  "graphFiles": list(graphs),
                  "note": "the encoder's transform and hyperprior of motion-compensated residuals: y = residual_g_a(r, "
                          "the image model's gain at the residual's level), r = clamp(C(x - pred) + 1/2, 0, 1); "
                          "z = residual_h_a(y, hyperGain), (scales, means) = residual_h_s(z_hat, hyperInvGain) (the "
                          "deterministic session, as the image model's h_s); y is coded with the image model's "
                          "Gaussian tables and decoded by " + ("residual_g_s(y_hat, the image model's inv_gain at the "
                          "residual's level) (layout 3 on)" if decoder else "the image model's g_s") + "; trained by "
                          "models/train/video/residual_encoder.py"})
    print(f"wrote {args.out}: residual g_a + prior step {st['step']}, validation {v['bytes']:.1f} bytes, "
          f"{v['psnr']:.2f} dB, J {v['J']:.4f}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--train", required=True, nargs="+")
    t.add_argument("--valid", required=True, nargs="+")
    t.add_argument("--prior", required=True, help="the residual_prior.py run to start the prior from")
    t.add_argument("--run", required=True)
    t.add_argument("--runs-root", default=RUNS)
    t.add_argument("--prior-root", default=RUNS, help="where the residual_prior.py runs are")
    t.add_argument("--steps", type=int, default=3000)
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--crop", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-4)
    t.add_argument("--prior-lr-scale", type=float, default=3.0)
    t.add_argument("--eval-every", type=int, default=250)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--distortion", choices=("residual", "frame", "yuv"), default="residual",
                   help="the training distortion: the coded residual's MSE (chroma gain applied, the default), the "
                        "frame's MSE, or 'yuv': the frame's planes weighed as PSNR-YUV weighs them (forward())")
    t.add_argument("--train-decoder", action="store_true",
                   help="g_s trains too (a residual decoder of its own, exported as residual_g_s.onnx; the y gains stay)")
    t.add_argument("--decoder-lr-scale", type=float, default=1.0, help="g_s's learning rate over --lr")
    t.add_argument("--decoder-hidden", type=int, default=0,
                   help="narrow g_s's residual blocks to this many hidden channels (prune_decoder; 0: keep the image model's)")
    t.add_argument("--init-from", help="a run of this script (or a checkpoint's path) whose best.pt starts this run (g_a, the prior, g_s if it has one)")
    t.add_argument("--resume", action="store_true", help="accepted for the campaign; a run always resumes")
    b = sub.add_parser("baseline")
    b.add_argument("--valid", required=True, nargs="+")
    b.add_argument("--prior", required=True)
    b.add_argument("--prior-root", default=RUNS)
    b.add_argument("--distortion", choices=("residual", "frame", "yuv"), default="residual")
    b.add_argument("--threads", type=int, default=2)
    e = sub.add_parser("export")
    e.add_argument("--run", help="the run whose --checkpoint to export (or give --checkpoint as a path)")
    e.add_argument("--runs-root", default=RUNS)
    e.add_argument("--prior-root", default=RUNS)
    e.add_argument("--checkpoint", default="best.pt")
    e.add_argument("--out", default=os.path.join(REPO, "models", "video", "cond-msh-wf"))
    e.add_argument("--fp32", dest="fp16", action="store_false", help="keep residual_g_a's weights in float32")
    e.add_argument("--threads", type=int, default=2)
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--checkpoint":
        argv = ["export", *argv]  # the campaign's export form: --checkpoint PATH --out FOLDER
    elif argv and argv[0].startswith("--"):
        argv = ["train", *argv]  # the campaign's training form: --run ID --resume FLAGS...
    args = p.parse_args(argv)
    {"train": cmd_train, "baseline": cmd_baseline, "export": cmd_export}[args.cmd](args)


if __name__ == "__main__":
    main()
