"""Validation of image rd models on the fixed split ``models/train/validation-images.txt``.

The split (10 images of ``images-train``) is never trained on (common/data.py leaves it out) and
is what the campaign (campaign.py) picks checkpoints with; Kodak stays evaluation-only.

* :func:`evaluate_model` runs a model (``model(x, level)`` returning ``x_hat`` and
  ``likelihoods``) on every validation image at every rate level, in eval mode (rounded
  latents): bpp is the likelihood estimate of the bits (what the integer tables code within
  ~0.1 %), PSNR is measured on the 8-bit RGB output.
* The figure of merit is one number: the **BD-rate against a fixed anchor curve**, Pillow's
  baseline JPEG (libjpeg, 4:2:0, qualities 5..95) on the same images (:func:`jpeg_anchor`),
  piecewise-cubic (PCHIP) in log-rate over the PSNR range both curves cover.  Lower is better;
  it compares any two checkpoints or models of any family on the same scale.
"""
from __future__ import annotations

import io
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from common.data import load_rgb, to_tensor_batch, validation_images

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
TRAIN_ROOT = os.path.join(REPO, "..", "shared", "datasets", "images-train")
ANCHOR_QUALITIES = (5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 95)


def psnr8(x_hat: torch.Tensor, x: torch.Tensor) -> float:
    """PSNR of the 8-bit rounding of ``x_hat`` against ``x`` (both in [0, 1])."""
    q = torch.round(x_hat.clamp(0, 1) * 255) / 255
    mse = float(F.mse_loss(q, x))
    return 10 * math.log10(1.0 / max(mse, 1e-12))


def _pad(x: torch.Tensor, multiple: int) -> torch.Tensor:
    h, w = x.shape[2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    return F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x


def padding_multiple(model) -> int:
    """What the model's input sides must be multiples of."""
    for attr in ("z_stride", "factor"):
        if hasattr(model, attr):
            return int(getattr(model, attr))
    return 64


@torch.no_grad()
def evaluate_model(model, images: list[str] | None = None) -> list[dict]:
    """Per rate level: mean bpp (likelihood bits / pixels) and mean 8-bit PSNR over the images."""
    images = images or validation_images(TRAIN_ROOT)
    model.eval()
    multiple = padding_multiple(model)
    acc = np.zeros((model.levels, 2))
    for path in images:
        x = to_tensor_batch(load_rgb(path)[None])
        h, w = x.shape[2:]
        xp = _pad(x, multiple)
        for l in range(model.levels):
            out = model(xp, torch.tensor([l]))
            bits = sum(float(-torch.log2(v.float()).sum()) for v in out["likelihoods"].values())
            acc[l] += (bits / (h * w), psnr8(out["x_hat"][..., :h, :w].float(), x))
    acc /= len(images)
    return [{"quality": l + 1, "bpp": round(float(b), 5), "psnr": round(float(p), 4)} for l, (b, p) in enumerate(acc)]


def jpeg_anchor(images: list[str] | None = None) -> list[dict]:
    """Pillow baseline JPEG on the validation images: mean bpp (file bytes) and PSNR per quality."""
    from PIL import Image
    images = images or validation_images(TRAIN_ROOT)
    points = []
    for q in ANCHOR_QUALITIES:
        bpp, psnr = [], []
        for path in images:
            rgb = load_rgb(path)
            buf = io.BytesIO()
            Image.fromarray(rgb).save(buf, format="JPEG", quality=q)
            dec = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
            bpp.append(8 * buf.tell() / (rgb.shape[0] * rgb.shape[1]))
            mse = np.mean((dec.astype(np.float64) - rgb) ** 2)
            psnr.append(10 * math.log10(255 ** 2 / max(mse, 1e-12)))
        points.append({"quality": q, "bpp": round(float(np.mean(bpp)), 5), "psnr": round(float(np.mean(psnr)), 4)})
    return points


def _monotone(points: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """(log bpp, psnr) sorted by rate, keeping only points that raise the PSNR."""
    pts = sorted((p["bpp"], p["psnr"]) for p in points if p["bpp"] > 0)
    r, d = [], []
    for b, p in pts:
        if not d or p > d[-1] + 1e-9:
            r.append(math.log(b))
            d.append(p)
    return np.asarray(r), np.asarray(d)


def bd_rate(test: list[dict], anchor: list[dict]) -> float | None:
    """Bjøntegaard delta rate (%) of ``test`` against ``anchor``: PCHIP of log-rate over PSNR,
    integrated over the common PSNR range.  None when the curves do not overlap."""
    from scipy.interpolate import PchipInterpolator
    rt, dt = _monotone(test)
    ra, da = _monotone(anchor)
    if len(dt) < 2 or len(da) < 2:
        return None
    lo, hi = max(dt.min(), da.min()), min(dt.max(), da.max())
    if hi - lo < 0.1:
        return None
    grid = np.linspace(lo, hi, 200)
    it = PchipInterpolator(dt, rt)(grid)
    ia = PchipInterpolator(da, ra)(grid)
    avg = np.trapz(it - ia, grid) / (hi - lo)
    return round(float((math.exp(avg) - 1) * 100), 3)
