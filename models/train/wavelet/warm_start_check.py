"""Check that a wavelet export loads back into PyTorch (common/warm_start.py) and reproduces it.

    OMP_NUM_THREADS=1 /usr/bin/python3 models/train/wavelet/warm_start_check.py \
        --export models/wavelet/wavelet-vr-cpu --image ../shared/datasets/kodak/kodim01.png --crop 256

Builds the model from the flags (train.py's defaults), loads the export, then per quality:
the ONNX pipeline (encoder.onnx run by onnxruntime-node, y_hat = round(y - median) + median,
decoder.onnx) against the PyTorch forward pass in eval mode; prints max |x_hat difference|,
symbol mismatches and the 8-bit PSNR of both, and the bpp from the manifest's tables.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from common.data import load_rgb, to_tensor_batch  # noqa: E402
from common.entropy import table_bits  # noqa: E402
from common.export_utils import pad_to, run_onnx  # noqa: E402
from common.warm_start import init_from_export, read_manifest  # noqa: E402
from wavelet.model import DEFAULT_LAMBDAS, build  # noqa: E402


def psnr8(a: np.ndarray, x: np.ndarray) -> float:
    a8 = np.round(np.clip(a, 0, 1) * 255) / 255
    return float(10 * np.log10(1.0 / max(float(np.mean((a8 - x) ** 2)), 1e-12)))


@torch.no_grad()
def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--export", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--crop", type=int, default=256, help="center crop (0 = whole image)")
    p.add_argument("--qualities", type=int, nargs="*", default=None, help="default: all")
    p.add_argument("--latent", type=int, default=48)
    p.add_argument("--width", type=int, default=192)
    p.add_argument("--blocks", type=int, default=3)
    p.add_argument("--levels", type=int, default=3)
    p.add_argument("--wavelet", default="cdf97")
    p.add_argument("--lambdas", type=float, nargs="+", default=list(DEFAULT_LAMBDAS))
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = {"latent": args.latent, "width": args.width, "blocks": args.blocks, "levels": args.levels,
              "wavelet": args.wavelet, "lambdas": args.lambdas}
    model = build(config)
    init_from_export(model, args.export, config, table_fit_steps=0)
    model.eval()
    manifest = read_manifest(args.export)
    eb_m = manifest["entropyBottleneck"]
    med = np.asarray(eb_m["medians"], dtype=np.float32).reshape(1, -1, 1, 1)

    img = load_rgb(args.image)
    if args.crop:
        h, w = img.shape[:2]
        t, l = (h - args.crop) // 2, (w - args.crop) // 2
        img = img[t: t + args.crop, l: l + args.crop]
    x = to_tensor_batch(img[None])
    h, w = x.shape[2:]
    xp = pad_to(x, model.factor)
    xn = x.numpy()
    work = tempfile.mkdtemp(prefix="warm-start-check-")
    qualities = args.qualities or [l["quality"] for l in manifest["rateLevels"]]
    worst = 0.0
    print(f"{'q':>2} {'|x_hat| pt-onnx':>15} {'|y| pt-onnx':>11} {'sym diff':>8} {'psnr pt':>8} "
          f"{'psnr onnx':>9} {'bpp tables':>10}")
    try:
        for q in qualities:
            lv = manifest["rateLevels"][q - 1]
            gain = np.asarray(lv["gain"], dtype=np.float32)
            inv_gain = np.asarray(lv["invGain"], dtype=np.float32)
            enc, _ = run_onnx(os.path.join(args.export, "encoder.onnx"), {"x": xp.numpy(), "gain": gain}, work, threads=1)
            y_hat_ox = (np.round(enc["y"] - med) + med).astype(np.float32)
            dec, _ = run_onnx(os.path.join(args.export, "decoder.onnx"),
                              {"y_hat": y_hat_ox, "inv_gain": inv_gain}, work, threads=1)
            x_ox = dec["x_hat"][..., :h, :w]
            out = model(xp, torch.tensor([q - 1]))
            x_pt = out["x_hat"].clamp(0, 1).numpy()[..., :h, :w]
            sym = int((np.round(out["y"].numpy() - med) != np.round(enc["y"] - med)).sum())
            diff = float(np.abs(x_pt - x_ox).max())
            worst = max(worst, diff)
            idx = np.broadcast_to(np.arange(med.shape[1]).reshape(1, -1, 1, 1), y_hat_ox.shape)
            bits, _ = table_bits(eb_m["tables"], idx, np.round(enc["y"] - med))
            print(f"{q:>2} {diff:>15.3e} {float(np.abs(out['y'].numpy() - enc['y']).max()):>11.3e} {sym:>8d} "
                  f"{psnr8(x_pt, xn):>8.4f} {psnr8(x_ox, xn):>9.4f} {bits / (h * w):>10.4f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"max |x_hat(pytorch) - x_hat(onnx)| over the qualities: {worst:.3e}")


if __name__ == "__main__":
    main()
