"""Export a trained wavelet-autoencoder checkpoint as ONNX graphs + manifest.json, in one step.

    /usr/bin/python3 models/train/wavelet/export.py \
        --checkpoint models/.runs/wavelet/wavelet-vr-cpu/latest.pt --out models/wavelet/wavelet-vr-cpu

Writes ``encoder.onnx`` (x, gain -> y: packet analysis + 1x1 projection, times the gain vector)
and ``decoder.onnx`` (y_hat, inv_gain -> x_hat: decoder + packet synthesis, clamped to [0, 1]),
opset 17 with dynamic batch/height/width, and ``manifest.json`` (the hyperprior's schema where
it applies: rate levels with gain vectors, one factorized entropy-bottleneck table per latent
channel with its median -- per rate level when the model has one density per (level, channel),
``--per-level-prior``, each level then with the channels coded as MED prediction residuals and
their tables (wavelet/prediction.py, fitted on training images) -- provenance, Kodak RD estimates).  Then it checks parity:

1. both ONNX graphs, run by onnxruntime-node (common/onnx_run.mjs), against PyTorch on a real
   Kodak image (max abs difference, symbol mismatches after rounding) and ONNX timings on 2 threads;
2. bits from the manifest's integer tables on the quantized Kodak symbols against the model's
   likelihood estimate, per quality level.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from common.data import load_rgb, to_tensor_batch  # noqa: E402
from common.entropy import LevelBottleneck, table_bits, table_set  # noqa: E402
from common.export_utils import (export_onnx, export_parser, f32_list, graph_parity,  # noqa: E402
                                 kodak_images, load_for_export, onnx_files, pad_to, print_rd_table,
                                 training_provenance)
from wavelet.model import build  # noqa: E402
from wavelet.prediction import channel_bits, fit_prediction  # noqa: E402


class Enc(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x, gain):
        return self.m.encoder(x) * gain.reshape(1, -1, 1, 1)


class Dec(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, y_hat, inv_gain):
        return torch.clamp(self.m.decoder(y_hat * inv_gain.reshape(1, -1, 1, 1)), 0.0, 1.0)


GRAPHS = {"encoder": (Enc, ["x", "gain"], ["y"]), "decoder": (Dec, ["y_hat", "inv_gain"], ["x_hat"])}


def export_graphs(model, out_dir: str) -> None:
    C, f = model.latent, model.factor
    examples = {"encoder": (torch.rand(1, 3, 8 * f, 12 * f), torch.ones(C)),
                "decoder": (torch.randn(1, C, 8, 12), torch.ones(C))}
    export_onnx(model, out_dir, GRAPHS, examples)


def level_tables(model) -> list[tuple[list, dict]]:
    """(medians, table set) of each rate level: the same shared pair for every level, or, for a
    LevelBottleneck, level l's C rows."""
    eb = model.entropy_bottleneck
    pmfs, tails, offsets = eb.pmfs()
    medians = f32_list(eb.medians)
    if not isinstance(eb, LevelBottleneck):
        shared = (medians, table_set(pmfs, tails, offsets))
        return [shared] * model.levels
    C = eb.per_level
    return [(medians[l * C:(l + 1) * C], table_set(pmfs[l * C:(l + 1) * C], tails[l * C:(l + 1) * C],
                                                   offsets[l * C:(l + 1) * C]))
            for l in range(model.levels)]


@torch.no_grad()
def evaluate(model, images, levels, predictions=None):
    """Per level: mean over images of likelihood bpp, table bpp, PSNR (8-bit output), escapes,
    and with ``predictions`` the bpp as the codec codes it (predicted channels as MED residuals)."""
    predictions = predictions or [None] * model.levels
    acc = {l: {"bpp": [], "bpp_tables": [], "bpp_coded": [], "psnr": [], "escapes": 0} for l in range(model.levels)}
    for path in images:
        x = to_tensor_batch(load_rgb(path)[None])
        h, w = x.shape[2:]
        xp = pad_to(x, model.factor)
        for l in range(model.levels):
            out = model(xp, torch.tensor([l]))
            bits = float(-torch.log2(out["likelihoods"]["y"]).sum())
            x_hat = torch.round(out["x_hat"][..., :h, :w].clamp(0, 1) * 255) / 255
            mse = float(F.mse_loss(x_hat, x))
            medians, tables = levels[l]
            sym = torch.round(out["y"] - torch.tensor(medians).reshape(1, -1, 1, 1))
            idx = np.broadcast_to(np.arange(model.latent).reshape(1, -1, 1, 1), sym.shape)
            tb, esc = table_bits(tables, idx, sym.numpy())
            a = acc[l]
            a["bpp_coded"].append(float(channel_bits(tables, sym[0].numpy().astype(np.int64),
                                                     predictions[l]).sum()) / (h * w))
            a["bpp"].append(bits / (h * w))
            a["bpp_tables"].append(tb / (h * w))
            a["psnr"].append(10 * np.log10(1.0 / max(mse, 1e-12)))
            a["escapes"] += esc
    return [{"quality": l + 1, "lambda": round(float(model.lambdas[l]), 6),
             "bpp": round(float(np.mean(a["bpp"])), 5), "bppTables": round(float(np.mean(a["bpp_tables"])), 5),
             "bppCoded": round(float(np.mean(a["bpp_coded"])), 5),
             "psnr": round(float(np.mean(a["psnr"])), 4), "escapes": a["escapes"]} for l, a in acc.items()]


@torch.no_grad()
def onnx_parity(model, out_dir: str, image: str, level: int, pause_pid: int | None):
    x = pad_to(to_tensor_batch(load_rgb(image)[None]), model.factor)
    lv = torch.tensor([level])
    gain, inv_gain = model.gain(lv).reshape(-1), model.inv_gain(lv).reshape(-1)
    out = model(x, lv)
    ref = {"encoder": ({"x": x, "gain": gain}, {"y": out["y"]}),
           "decoder": ({"y_hat": out["y_hat"], "inv_gain": inv_gain}, {"x_hat": out["x_hat"].clamp(0, 1)})}
    report = {"image": os.path.basename(image), "quality": level + 1, "size": list(x.shape[2:])}
    onnx_out = graph_parity(out_dir, ref, report, pause_pid, prefix="wavelet-parity-")
    med = model.entropy_bottleneck.medians_at(lv, 4).numpy()
    sym_pt = np.round(out["y"].numpy() - med)
    sym_ox = np.round(onnx_out["encoder"]["y"] - med)
    report["ySymbolMismatches"] = int((sym_pt != sym_ox).sum())
    report["ySymbols"] = int(sym_pt.size)
    x8_pt = np.round(out["x_hat"].clamp(0, 1).numpy() * 255)
    x8_ox = np.round(onnx_out["decoder"]["x_hat"] * 255)
    report["pixelMismatches8bit"] = int((x8_pt != x8_ox).sum())
    report["encodeMs"], report["decodeMs"] = report["ms"]["encoder"], report["ms"]["decoder"]
    return report


def provenance(ckpt_path: str, state: dict) -> dict:
    hw = state.get("train", {}).get("hardware")
    return training_provenance(ckpt_path, state, "models/train/wavelet/train.py", hw)


def bottleneck_entry(model, levels, predictions=None) -> dict:
    """The manifest's entropyBottleneck: medians + tables, or per rate level when they differ
    (each level with its ``prediction`` when one was fitted)."""
    entry = {"latent": "y", "subtractMedians": True,
             "symbols": "v = round_half_even(y - medians[c]); y_hat = float32(v + medians[c])"}
    if not isinstance(model.entropy_bottleneck, LevelBottleneck):
        medians, tables = levels[0]
        return {**entry, "tableIndex": "channel c of y uses table c", "medians": medians, "tables": tables}
    return {**entry, "tableIndex": "at quality q, channel c of y uses table c of levels[] entry q "
                                   "(and its medians[c])",
            "prediction": "levels[].prediction, where present: those channels' symbol planes v are coded "
                          "as MED (LOCO-I) residuals d = v - pred (pred(0,0) = 0, first row: left, first "
                          "column: above, else the median edge detector of left, above, above-left) with "
                          "prediction.tables[k] for prediction.channels[k]; fitted on training images",
            "levels": [{"quality": l + 1, "medians": m, "tables": t,
                        **({"prediction": predictions[l]} if predictions and predictions[l] else {})}
                       for l, (m, t) in enumerate(levels)]}


def make_manifest(model, model_id, levels_tables, prov, rd, files, config, predictions=None):
    levels = [{"quality": l + 1, "lambda": round(float(model.lambdas[l]), 6),
               "gain": f32_list(model.gain.vectors()[l]), "invGain": f32_list(model.inv_gain.vectors()[l])}
              for l in range(model.levels)]
    return {
        "formatVersion": 1,
        "id": model_id,
        "family": "wavelet",
        "media": "image",
        "variant": "wavelet-packet-ae-factorized-" + ("per-level-" if config.get("perLevelPrior") else "") + "gain-vr",
        "description": f"WaLLoC-style codec: fixed {config['levels']}-level {config['wavelet']} wavelet "
                       f"packet ({model.wpt.channels(3)} sub-bands), linear 1x1 projection to "
                       f"{model.latent} latents, decoder with {config['blocks']} residual blocks "
                       f"(width {config['width']}) at 1/{model.factor} resolution, factorized entropy "
                       + ("bottleneck per rate level" if config.get("perLevelPrior") else "bottleneck")
                       + ", gain units for variable rate.",
        "input": {"colorSpace": "RGB", "range": [0, 1], "layout": "NCHW", "dtype": "float32",
                  "normalisation": "x = uint8 / 255"},
        "output": {"range": [0, 1], "note": "x_hat is clamped to [0, 1] inside the decoder; "
                   "to 8 bit: round-half-even(x_hat * 255)"},
        "downsamplingFactor": model.factor,
        "padding": "replicate the last row/column to a multiple of downsamplingFactor "
                   "(right/bottom), crop the decoded image back",
        "channels": {"y": model.latent},
        "latentStrides": {"y": model.factor},
        "wavelet": {"name": config["wavelet"], "levels": config["levels"], "packet": True,
                    "extension": "whole-sample symmetric" if config["wavelet"] == "cdf97" else "none"},
        "graphs": {name: {"file": f"{name}.onnx", "inputs": ins, "outputs": outs}
                   for name, (_, ins, outs) in GRAPHS.items()},
        "gainInputs": "each graph's second input is a 1-D float32 vector from rateLevels[q-1]: "
                      "encoder <- gain (C), decoder <- invGain (C). Intermediate rates: "
                      "g = g_l^(1-t) * g_(l+1)^t, element-wise.",
        "rateLevels": levels,
        "defaultQuality": 4,
        "entropyBottleneck": bottleneck_entry(model, levels_tables, predictions),
        "cdfQuantization": "table with pmf p_0..p_(n-2) and escape mass p_(n-1) (tail): "
                           "freq_i = 1 + floor(p_i / sum(p) * (2^precision - n)) in float64, "
                           "then 2^precision - sum(freq) is added to the largest freq (first on "
                           "ties); cdf = [0, cumsum(freq)]",
        "provenance": prov,
        "rd": {"dataset": "kodak",
               "method": "PyTorch model, rounded latents; bpp = likelihood estimate "
                         "(bppTables: from this manifest's integer tables), PSNR on 8-bit RGB",
               "points": rd},
        "files": files,
    }


def main(argv=None):
    parser = export_parser(__doc__, "models/wavelet/wavelet-vr-cpu")
    parser.add_argument("--prediction-images", type=int, default=160,
                        help="training images to fit the low-pass channels' MED prediction on "
                             "(per-level models; 0 = no prediction)")
    args = parser.parse_args(argv)
    state, model, quantile_note, model_id = load_for_export(args, build)
    export_graphs(model, args.out)
    levels = level_tables(model)
    distinct = levels if isinstance(model.entropy_bottleneck, LevelBottleneck) else levels[:1]
    print(f"tables: {len(distinct)} set(s) of {len(levels[0][1]['cdfLengths'])} "
          f"({sum(len(t['cdfs']) for _, t in distinct)} entries, "
          f"longest {max(max(t['cdfLengths']) for _, t in distinct)})", flush=True)

    predictions, prediction_report = None, None
    if isinstance(model.entropy_bottleneck, LevelBottleneck) and args.prediction_images > 0:
        folders = state.get("train", {}).get("data") or []
        predictions, prediction_report = fit_prediction(model, levels, folders, images=args.prediction_images)

    images, parity_image = kodak_images(args)
    parity = onnx_parity(model, args.out, parity_image, args.parity_quality - 1, args.pause_pid)
    print("onnx parity:", json.dumps(parity), flush=True)

    rd = evaluate(model, images, levels, predictions)
    files = onnx_files(args.out, GRAPHS)
    manifest = make_manifest(model, model_id, levels, provenance(args.checkpoint, state), rd, files,
                             state["config"], predictions)
    if prediction_report:
        manifest["entropyBottleneck"]["predictionFit"] = {
            "images": args.prediction_images, "data": [os.path.basename(d) for d in state["train"]["data"]],
            "rule": "predict a channel when its MED residuals cost <= 97 % of its symbols' bits on the "
                    "held-out half of the images", "levels": prediction_report}
    manifest["rd"]["images"] = len(images)
    manifest["rd"]["imageNames"] = [os.path.basename(i) for i in images]
    manifest["entropyBottleneck"]["quantiles"] = quantile_note
    manifest["parity"] = parity
    path = os.path.join(args.out, "manifest.json")
    with open(path, "w") as f:
        json.dump(manifest, f, separators=(",", ":"))

    with open(path) as f:
        same = json.load(f)["entropyBottleneck"] == manifest["entropyBottleneck"]
    print_rd_table(rd)
    if predictions:
        print("bpp as coded (with prediction): " + " ".join(f"q{r['quality']} {r['bppCoded']:.4f}" for r in rd))
    print(f"manifest.json round trip keeps the tables identical: {same}")
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v['bytes'] / 1e6:.2f} MB" for k, v in files.items())
          + f", manifest.json {os.path.getsize(path) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
