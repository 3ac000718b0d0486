"""Export a trained audio wavelet-autoencoder checkpoint (audio_model.py) as ONNX graphs +
manifest.json, in one step.

    /usr/bin/python3 models/train/wavelet/export_audio.py \
        --checkpoint models/.runs/wavelet/wavelet-audio-vr/latest.pt --out models/wavelet/wavelet-audio-cpu

Writes ``encoder.onnx`` (x [1, 1, T], gain [C] -> y [1, C, T / 2^L]: packet analysis + 1x1
projection, times the gain) and ``decoder.onnx`` (y_hat [1, C, F], inv_gain [C] -> x_hat
[1, 1, F * 2^L], clamped to [-1, 1]), opset 17 with dynamic batch/time, and ``manifest.json`` (the
image model's schema with ``media: "audio"``, ``sampleRate`` and ``channels: 1``).  Then it checks
parity on a real clip (ONNX via onnxruntime-node against PyTorch: max abs difference, symbol
mismatches) and evaluates every rate level on ``datasets/audio/eval`` (mono, 24 kHz): kbps from the
likelihoods and from the manifest's integer tables, log-mel distance (training's SpectralLosses)
and SI-SNR.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from common.audio_data import list_audio, load_audio  # noqa: E402
from common.entropy import table_bits, table_set  # noqa: E402
from common.export_utils import (SIGNAL_AXES, export_onnx, f32_list, graph_parity,  # noqa: E402
                                 load_for_export, onnx_files, training_provenance)
from common.audio_losses import SpectralLosses, si_snr  # noqa: E402
from wavelet.audio_model import SAMPLE_RATE, build_audio  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
EVAL = os.path.join(REPO, "..", "shared", "datasets", "audio", "eval")


class Enc(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x, gain):
        return self.m.encoder(x) * gain.reshape(1, -1, 1)


class Dec(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, y_hat, inv_gain):
        return torch.clamp(self.m.decoder(y_hat * inv_gain.reshape(1, -1, 1)), -1.0, 1.0)


GRAPHS = {"encoder": (Enc, ["x", "gain"], ["y"]), "decoder": (Dec, ["y_hat", "inv_gain"], ["x_hat"])}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--id", help="model id (default: the output folder's name)")
    p.add_argument("--eval", default=EVAL, help="evaluation clips (never used for training)")
    p.add_argument("--eval-limit", type=int, default=0, help="evaluate only the first N clips")
    p.add_argument("--eval-seconds", type=float, default=0, help="cut clips to this length (0 = whole)")
    p.add_argument("--parity-quality", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--keep-quantiles", action="store_true")
    return p.parse_args(argv)


def pad_signal(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Zero-pad [B, 1, T] at the end to a multiple of ``multiple`` (the codec must do the same)."""
    p = (-x.shape[-1]) % multiple
    return torch.nn.functional.pad(x, (0, p)) if p else x


@torch.no_grad()
def evaluate(model, clips, tables):
    spec = SpectralLosses(SAMPLE_RATE)
    med = model.entropy_bottleneck.medians.reshape(1, -1, 1)
    acc = {l: {"kbps": [], "kbpsTables": [], "mel": [], "sisnr": [], "escapes": 0} for l in range(model.levels)}
    for a in clips:
        x = torch.from_numpy(a)[None, None]
        n = x.shape[-1]
        xp = pad_signal(x, model.factor)
        for l in range(model.levels):
            out = model(xp, torch.tensor([l]))
            seconds = n / SAMPLE_RATE
            bits = float(-torch.log2(out["likelihoods"]["y"]).sum())
            sym = torch.round(out["y"] - med)
            idx = np.broadcast_to(np.arange(model.latent).reshape(1, -1, 1), sym.shape)
            tb, esc = table_bits(tables, idx, sym.numpy())
            x_hat = out["x_hat"][..., :n].clamp(-1, 1)[:, 0]
            r = acc[l]
            r["kbps"].append(bits / seconds / 1000)
            r["kbpsTables"].append(tb / seconds / 1000)
            r["mel"].append(float(spec(x[:, 0], x_hat)["mel"].mean()))
            r["sisnr"].append(float(si_snr(x[:, 0], x_hat).mean()))
            r["escapes"] += esc
    return [{"quality": l + 1, "lambda": round(float(model.lambdas[l]), 6),
             **{k: round(float(np.mean(v)), 4) for k, v in r.items() if k != "escapes"},
             "escapes": r["escapes"]} for l, r in acc.items()]


@torch.no_grad()
def onnx_parity(model, out_dir, clip, level):
    x = pad_signal(torch.from_numpy(clip)[None, None], model.factor)
    lv = torch.tensor([level])
    gain, inv_gain = model.gain(lv).reshape(-1), model.inv_gain(lv).reshape(-1)
    out = model(x, lv)
    ref = {"encoder": ({"x": x, "gain": gain}, {"y": out["y"]}),
           "decoder": ({"y_hat": out["y_hat"], "inv_gain": inv_gain}, {"x_hat": out["x_hat"].clamp(-1, 1)})}
    report = {"samples": int(x.shape[-1]), "quality": level + 1}
    res_all = graph_parity(out_dir, ref, report, prefix="wavelet-audio-parity-", repeat=3)
    med = model.entropy_bottleneck.medians.reshape(1, -1, 1).numpy()
    report["ySymbolMismatches"] = int((np.round(out["y"].numpy() - med) != np.round(res_all["encoder"]["y"] - med)).sum())
    report["ySymbols"] = int(out["y"].numel())
    return report


def make_manifest(model, model_id, tables, prov, rd, files, config, parity, clips):
    levels = [{"quality": l + 1, "lambda": round(float(model.lambdas[l]), 6),
               "gain": f32_list(model.gain.vectors()[l]), "invGain": f32_list(model.inv_gain.vectors()[l])}
              for l in range(model.levels)]
    return {
        "formatVersion": 1, "id": model_id, "family": "wavelet", "media": "audio",
        "variant": "wavelet-packet-ae-1d-factorized-gain-vr",
        "description": f"WaLLoC-style audio codec: fixed {config['levels']}-level {config['wavelet']} 1-D wavelet "
                       f"packet ({model.factor} sub-bands at {SAMPLE_RATE // model.factor} Hz), linear 1x1 "
                       f"projection to {model.latent} latents, decoder with {config['blocks']} residual blocks "
                       f"(width {config['width']}), factorized entropy bottleneck, gain units for variable rate.",
        "sampleRate": SAMPLE_RATE, "channels": 1,
        "input": {"layout": "[1, 1, T] float32", "range": [-1, 1],
                  "normalisation": "one channel of the input, resampled to sampleRate"},
        "output": {"range": [-1, 1], "note": "x_hat is clamped to [-1, 1] inside the decoder"},
        "downsamplingFactor": model.factor,
        "padding": "zero-pad the end to a multiple of downsamplingFactor, cut the output back",
        "channelsLatent": model.latent,
        "latentStrides": {"y": model.factor},
        "wavelet": {"name": config["wavelet"], "levels": config["levels"], "packet": True,
                    "extension": "whole-sample symmetric" if config["wavelet"] == "cdf97" else "none"},
        "graphs": {name: {"file": f"{name}.onnx", "inputs": ins, "outputs": outs}
                   for name, (_, ins, outs) in GRAPHS.items()},
        "gainInputs": "each graph's second input is a 1-D float32 vector from rateLevels[q-1]: "
                      "encoder <- gain (C), decoder <- invGain (C)",
        "rateLevels": levels, "defaultQuality": 4,
        "entropyBottleneck": {
            "latent": "y", "tableIndex": "channel c of y uses table c",
            "medians": f32_list(model.entropy_bottleneck.medians), "subtractMedians": True,
            "symbols": "v = round_half_even(y - medians[c]); y_hat = float32(v + medians[c])",
            "tables": tables},
        "provenance": prov,
        "rd": {"dataset": "audio/eval", "clips": [os.path.basename(c) for c in clips],
               "method": "PyTorch model, rounded latents, mono 24 kHz; kbps = likelihood estimate "
                         "(kbpsTables: from this manifest's integer tables); mel = training's 6-scale "
                         "log-mel L1 (not the benchmark's metric)",
               "points": rd},
        "parity": parity, "files": files,
    }


def main(argv=None):
    args = parse_args(argv)
    state, model, quantile_note, model_id = load_for_export(args, build_audio)
    C = model.latent
    export_onnx(model, args.out, GRAPHS, {"encoder": (torch.randn(1, 1, 64 * model.factor) * 0.1, torch.ones(C)),
                                          "decoder": (torch.randn(1, C, 64), torch.ones(C))}, axes=SIGNAL_AXES)
    pmfs, tails, offsets = model.entropy_bottleneck.pmfs()
    tables = table_set(pmfs, tails, offsets)
    paths = list_audio(args.eval)
    if args.eval_limit:
        paths = paths[: args.eval_limit]
    clips = [load_audio(p, SAMPLE_RATE) for p in paths]
    if args.eval_seconds:
        clips = [c[: int(args.eval_seconds * SAMPLE_RATE)] for c in clips]
    parity = onnx_parity(model, args.out, clips[0], args.parity_quality - 1)
    print("onnx parity:", json.dumps(parity), flush=True)
    rd = evaluate(model, clips, tables)
    files = onnx_files(args.out, GRAPHS)
    prov = training_provenance(args.checkpoint, state, "models/train/wavelet/train_audio.py",
                               state.get("train", {}).get("hardware"))
    manifest = make_manifest(model, model_id, tables, prov, rd, files, state["config"], parity, paths)
    manifest["entropyBottleneck"]["quantiles"] = quantile_note
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, separators=(",", ":"))
    print(f"{'q':>2} {'lambda':>7} {'kbps':>8} {'kbps(tab)':>9} {'mel':>7} {'sisnr':>7} esc")
    for r in rd:
        print(f"{r['quality']:>2} {r['lambda']:>7.3f} {r['kbps']:>8.3f} {r['kbpsTables']:>9.3f} {r['mel']:>7.3f} "
              f"{r['sisnr']:>7.2f} {r['escapes']}")
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v['bytes'] / 1e3:.0f} kB" for k, v in files.items()))


if __name__ == "__main__":
    main()
