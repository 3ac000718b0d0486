"""Spatial prediction of the low-pass latent channels, fitted at export.

The factorized prior codes every latent symbol independently, but the channels that carry the
low-pass image (the first-level low/low packet, which the encoder's projection starts from) are
a small, smooth picture at 1/8 resolution: neighbouring symbols are alike.  Like JPEG's DC
coefficients, such a channel is cheaper to code as prediction residuals.  The predictor is
LOCO-I's median edge detector (MED) over the channel's symbol plane v in raster order, exactly
``signedResiduals`` in src/entropy/med.ts:

    pred(0, 0) = 0;  first row: the left neighbour;  first column: the one above;
    else with a = left, b = above, c = above-left:
        min(a, b) if c >= max(a, b);  max(a, b) if c <= min(a, b);  a + b - c otherwise
    d = v - pred   (lossless: the decoder rebuilds v in raster order)

Which channels are predicted, and the residual tables, are fitted per rate level on training
images (not Kodak): residual histograms on one half of the images, the decision on the other
half (a channel is predicted when its residuals cost at most ``keep`` of its plain symbols'
bits under the learned table), then the chosen channels' tables refitted on all images.
"""
from __future__ import annotations

import numpy as np
import torch

from common.data import list_images, load_rgb, to_tensor_batch
from common.entropy import concat_table_sets, quantize_cdf, table_bits
from common.export_utils import pad_to

TAIL = 1e-4  # escape mass of a residual table (values never seen in training)


def med_residuals(v: np.ndarray) -> np.ndarray:
    """MED residuals of integer planes ``v`` (..., H, W)."""
    a = np.zeros_like(v)
    b = np.zeros_like(v)
    c = np.zeros_like(v)
    a[..., :, 1:] = v[..., :, :-1]
    b[..., 1:, :] = v[..., :-1, :]
    c[..., 1:, 1:] = v[..., :-1, :-1]
    mx, mn = np.maximum(a, b), np.minimum(a, b)
    pred = np.where(c >= mx, mn, np.where(c <= mn, mx, a + b - c))
    pred[..., 0, 1:] = v[..., 0, :-1]
    pred[..., 1:, 0] = v[..., :-1, 0]
    pred[..., 0, 0] = 0
    return v - pred


def residual_table(values: np.ndarray, precision: int = 16) -> dict:
    """A one-table set for residuals: the histogram over [min - 2, max + 2] with 0.5 added to
    every count, escape mass TAIL."""
    lo, hi = int(values.min()) - 2, int(values.max()) + 2
    counts = np.bincount(values - lo, minlength=hi - lo + 1).astype(np.float64) + 0.5
    cdf = quantize_cdf(counts / counts.sum(), TAIL, precision)
    return {"precision": precision, "cdfs": [int(x) for x in cdf], "cdfLengths": [len(cdf)], "offsets": [lo]}


def one_table(tables: dict, k: int) -> dict:
    """Table k of a set, as a one-table set."""
    lengths = tables["cdfLengths"]
    start = sum(lengths[:k])
    return {"precision": tables["precision"], "cdfs": tables["cdfs"][start:start + lengths[k]],
            "cdfLengths": [lengths[k]], "offsets": [tables["offsets"][k]]}


def channel_bits(tables: dict, v: np.ndarray, prediction: dict | None = None) -> np.ndarray:
    """Bits per channel of symbols ``v`` (C, H, W) coded as the codec does: table c, or for a
    predicted channel its MED residuals with the matching residual table."""
    predicted = {} if prediction is None else {c: k for k, c in enumerate(prediction["channels"])}
    out = np.zeros(v.shape[0])
    for c in range(v.shape[0]):
        if c in predicted:
            table, values = one_table(prediction["tables"], predicted[c]), med_residuals(v[c])
        else:
            table, values = one_table(tables, c), v[c]
        out[c] = table_bits(table, np.zeros(values.size, dtype=np.int64), values)[0]
    return out


@torch.no_grad()
def level_symbols(model, x: torch.Tensor, levels) -> list[np.ndarray]:
    """v = round(y_l - medians_l) (C, H/8, W/8) of one image at every rate level."""
    y0 = model.encoder(pad_to(x, model.factor))
    out = []
    for l, (medians, _) in enumerate(levels):
        y = y0 * model.gain(torch.tensor([l]))
        out.append(torch.round(y - torch.tensor(medians).reshape(1, -1, 1, 1))[0].numpy().astype(np.int64))
    return out


def fit_prediction(model, levels, folders, images: int = 160, keep: float = 0.97, seed: int = 0,
                   log=print) -> tuple[list, list]:
    """Per rate level: the prediction entry for the manifest ({predictor, channels, tables}) or
    None, and a report (bits saved on the held-out half).  ``levels`` are the (medians, tables)
    pairs of export.level_tables."""
    paths = list_images(folders)
    rng = np.random.default_rng(seed)
    paths = [paths[i] for i in rng.choice(len(paths), min(images, len(paths)), replace=False)]
    half = len(paths) // 2
    L, C = len(levels), model.latent
    res = [[[[], []] for _ in range(C)] for _ in range(L)]   # [level][channel][split] residual arrays
    plain = np.zeros((L, C))                                   # held-out bits of v under table c
    for i, path in enumerate(paths):
        split = 0 if i < half else 1
        for l, v in enumerate(level_symbols(model, to_tensor_batch(load_rgb(path)[None]), levels)):
            r = med_residuals(v)
            for c in range(C):
                res[l][c][split].append(r[c].ravel())
            if split:
                plain[l] += channel_bits(levels[l][1], v)
    entries, report = [], []
    for l in range(L):
        chosen, saved = [], 0.0
        for c in range(C):
            fit, held = np.concatenate(res[l][c][0]), np.concatenate(res[l][c][1])
            bits = table_bits(residual_table(fit), np.zeros(held.size, dtype=np.int64), held)[0]
            if bits <= keep * plain[l, c]:
                chosen.append(c)
                saved += plain[l, c] - bits
        tables = [residual_table(np.concatenate(res[l][c][0] + res[l][c][1])) for c in chosen]
        entries.append({"predictor": "med", "channels": chosen, "tables": concat_table_sets(tables)} if chosen else None)
        report.append({"quality": l + 1, "channels": chosen,
                       "heldOutSaving": round(saved / max(plain[l].sum(), 1.0), 4)})
        log(f"prediction q{l + 1}: channels {chosen}, held-out bits saved {100 * report[-1]['heldOutSaving']:.1f} %")
    return entries, report
