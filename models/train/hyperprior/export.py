"""Export a trained hyperprior checkpoint as ONNX graphs + manifest.json, in one step.

    /usr/bin/python3 models/train/hyperprior/export.py \
        --checkpoint models/.runs/hyperprior/msh-vr/latest.pt --out models/hyperprior/msh-vr-cpu

Writes ``g_a.onnx``, ``h_a.onnx``, ``h_s.onnx``, ``g_s.onnx`` (opset 17, dynamic batch/height/
width; every graph takes its gain vector as a second input) and ``manifest.json`` (schema in
docs/MODELS.md: integer CDF tables, rate levels with gain vectors, provenance, Kodak RD
estimates).  Then it checks parity:

1. each ONNX graph, run by onnxruntime-node (common/onnx_run.mjs), against PyTorch on a real
   Kodak image (max abs difference per output) and the ONNX encode/decode time on 2 threads;
2. bits computed from the manifest's integer tables on the quantized Kodak symbols against the
   model's likelihood estimate, per quality level.
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
from common.entropy import (LIKELIHOOD_BOUND, SCALE_BOUND, default_scale_table,  # noqa: E402
                            gaussian_pmfs, scale_indexes, table_bits, table_set)
from common.export_utils import (export_onnx, export_parser, f32_list, graph_parity,  # noqa: E402,F401
                                 kodak_images, last_report, load_for_export, onnx_files, pad_to,
                                 print_rd_table, run_onnx, sha256, training_provenance)
from hyperprior.context import export_context, int_refine  # noqa: E402
from hyperprior.model import build  # noqa: E402

TAIL_MASS = 1e-9


def downsampling(model) -> int:
    """Padding multiple of the input: the stride of z (64 for the GDN transforms, 32 for the
    wavelet front end)."""
    return model.z_stride

INDEX_RULE = ("scale index = number of j in 0..L-2 with scaleTable[j] < max(s, scaleTable[0]), "
              "computed in float32 on the h_s 'scales' output s (CompressAI build_indexes); the "
              "result lies in 0..L-1")


# --------------------------------------------------------------------------- ONNX wrappers
class GA(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x, gain):
        return self.m.g_a(x) * gain.reshape(1, -1, 1, 1)


class HA(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, y, hyper_gain):
        return self.m.h_a(y) * hyper_gain.reshape(1, -1, 1, 1)


class HS(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, z_hat, hyper_inv_gain):
        scales, means = self.m.h_s(z_hat * hyper_inv_gain.reshape(1, -1, 1, 1)).chunk(2, 1)
        return scales, means


class GS(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, y_hat, inv_gain):
        return torch.clamp(self.m.g_s(y_hat * inv_gain.reshape(1, -1, 1, 1)), 0.0, 1.0)


GRAPHS = {  # name: (wrapper, input names, output names)
    "g_a": (GA, ["x", "gain"], ["y"]),
    "h_a": (HA, ["y", "hyper_gain"], ["z"]),
    "h_s": (HS, ["z_hat", "hyper_inv_gain"], ["scales", "means"]),
    "g_s": (GS, ["y_hat", "inv_gain"], ["x_hat"]),
}


def export_graphs(model, out_dir: str) -> None:
    M, N = model.M, model.N
    h, w = 128, 192
    ys, zs = model.y_stride, model.z_stride
    examples = {
        "g_a": (torch.rand(1, 3, h, w), torch.ones(M)),
        "h_a": (torch.randn(1, M, h // ys, w // ys), torch.ones(N)),
        "h_s": (torch.randn(1, N, h // zs, w // zs), torch.ones(N)),
        "g_s": (torch.randn(1, M, h // ys, w // ys), torch.ones(M)),
    }
    export_onnx(model, out_dir, GRAPHS, examples)


# --------------------------------------------------------------------------- tables
def build_tables(model):
    eb = model.entropy_bottleneck
    pmfs, tails, offsets = eb.pmfs()
    z_tables = table_set(pmfs, tails, offsets)
    scale_table = default_scale_table()
    g_pmfs, g_tails, g_offsets = gaussian_pmfs(scale_table, TAIL_MASS)
    y_tables = table_set(g_pmfs, g_tails, g_offsets)
    return z_tables, y_tables, scale_table


# --------------------------------------------------------------------------- evaluation
@torch.no_grad()
def evaluate(model, images, manifest_tables, scale_table, levels=None, context=None):
    """Per level: mean over images of likelihood bpp, table bpp, PSNR (8-bit output), escapes.
    ``context``: the integer layers of a checkerboard context (context.py); the table bits and the
    PSNR are then those of the two-pass coding (likelihood bpp stays the plain hyperprior's)."""
    z_tab, y_tab = manifest_tables
    levels = list(range(model.levels)) if levels is None else levels
    acc = {l: {"bpp": [], "bpp_tables": [], "psnr": [], "escapes": 0} for l in levels}
    for path in images:
        x = to_tensor_batch(load_rgb(path)[None])
        h, w = x.shape[2:]
        xp = pad_to(x, downsampling(model))
        for l in levels:
            out = model(xp, torch.tensor([l]))
            bits = sum(float(-torch.log2(v).sum()) for v in out["likelihoods"].values())
            y_idx = scale_indexes(out["scales"], scale_table)
            y_mu = out["means"]
            if context is not None:
                y0 = out["y"][0].numpy()
                mu0 = out["means"][0].numpy()
                mu1, k1 = int_refine(context, np.round(y0 - mu0).astype(np.int64), y_idx[0].numpy(), mu0)
                y_mu, y_idx = torch.from_numpy(mu1)[None], torch.from_numpy(k1)[None]
                y_hat = torch.round(out["y"] - y_mu) + y_mu
                out["x_hat"] = model.g_s(y_hat * model.inv_gain(torch.tensor([l]))).float()
            x_hat = torch.round(out["x_hat"][..., :h, :w].clamp(0, 1) * 255) / 255
            mse = float(F.mse_loss(x_hat, x))
            z_sym = torch.round(out["z"] - model.entropy_bottleneck.medians.reshape(1, -1, 1, 1))
            z_idx = np.broadcast_to(np.arange(model.N).reshape(1, -1, 1, 1), z_sym.shape)
            zb, ze = table_bits(z_tab, z_idx, z_sym.numpy())
            y_sym = torch.round(out["y"] - y_mu)
            yb, ye = table_bits(y_tab, y_idx.numpy(), y_sym.numpy())
            a = acc[l]
            a["bpp"].append(bits / (h * w))
            a["bpp_tables"].append((zb + yb) / (h * w))
            a["psnr"].append(10 * np.log10(1.0 / max(mse, 1e-12)))
            a["escapes"] += ze + ye
    points = []
    for l in levels:
        a = acc[l]
        points.append({"quality": l + 1, "lambda": round(float(model.lambdas[l]), 6),
                       "bpp": round(float(np.mean(a["bpp"])), 5),
                       "bppTables": round(float(np.mean(a["bpp_tables"])), 5),
                       "psnr": round(float(np.mean(a["psnr"])), 4), "escapes": a["escapes"]})
    return points


# --------------------------------------------------------------------------- ONNX parity
@torch.no_grad()
def onnx_parity(model, out_dir: str, image: str, level: int, pause_pid: int | None):
    """Max |ONNX - PyTorch| per graph output on a real image, and ONNX timings (ms)."""
    x = to_tensor_batch(load_rgb(image)[None])
    x = pad_to(x, downsampling(model))
    lv = torch.tensor([level])
    g = {k: u(lv).reshape(-1) for k, u in (("gain", model.gain), ("inv_gain", model.inv_gain),
                                           ("hyper_gain", model.hyper_gain),
                                           ("hyper_inv_gain", model.hyper_inv_gain))}
    out = model(x, lv)
    ref = {"g_a": ({"x": x, "gain": g["gain"]}, {"y": out["y"]}),
           "h_a": ({"y": out["y"], "hyper_gain": g["hyper_gain"]}, {"z": out["z"]}),
           "h_s": ({"z_hat": out["z_hat"], "hyper_inv_gain": g["hyper_inv_gain"]},
                   {"scales": out["scales"], "means": out["means"]}),
           "g_s": ({"y_hat": out["y_hat"], "inv_gain": g["inv_gain"]},
                   {"x_hat": out["x_hat"].clamp(0, 1)})}
    report = {"image": os.path.basename(image), "quality": level + 1, "size": list(x.shape[2:])}
    onnx_out = graph_parity(out_dir, ref, report, pause_pid, prefix="hp-parity-")
    # symbols the codec would code, from ONNX vs PyTorch h_s outputs
    y_sym_pt = torch.round(out["y"] - out["means"]).numpy()
    y_sym_ox = np.round(out["y"].numpy() - onnx_out["h_s"]["means"])
    report["ySymbolMismatches"] = int((y_sym_pt != y_sym_ox).sum())
    report["ySymbols"] = int(y_sym_pt.size)
    ms = report["ms"]
    report["encodeMs"] = round(ms["g_a"] + ms["h_a"] + ms["h_s"], 1)
    report["decodeMs"] = round(ms["h_s"] + ms["g_s"], 1)
    return report


# --------------------------------------------------------------------------- manifest
def provenance(ckpt_path: str, state: dict) -> dict:
    train = state.get("train", {})
    hw = train.get("hardware")
    if hw is None:  # checkpoints written before the field existed: trained on this machine's CPU
        from common.training import hardware
        hw = hardware(torch.device(train.get("device", "cpu")), train.get("threads", 2))
    return training_provenance(ckpt_path, state, "models/train/hyperprior/train.py", hw)


def make_manifest(model, model_id, z_tables, y_tables, scale_table, prov, rd, files):
    levels = []
    for l in range(model.levels):
        levels.append({"quality": l + 1, "lambda": round(float(model.lambdas[l]), 6),
                       "gain": f32_list(model.gain.vectors()[l]),
                       "invGain": f32_list(model.inv_gain.vectors()[l]),
                       "hyperGain": f32_list(model.hyper_gain.vectors()[l]),
                       "hyperInvGain": f32_list(model.hyper_inv_gain.vectors()[l])})
    wavelet = getattr(model, "g_a", None) is not None and hasattr(model.g_a, "wpt")
    return {
        "formatVersion": 1,
        "id": model_id,
        "family": "hyperprior",
        "variant": "mean-scale-gain-vr-wavelet" if wavelet else "mean-scale-gain-vr",
        "description": ("Mean-scale hyperprior (Minnen et al. 2018) with gain units for variable rate "
                        "(Cui et al. 2021) over a 3-level CDF 9/7 wavelet-packet front end: 1x1 "
                        "projection encoder" + (" with a nonlinear residual branch (two 3x3 convolutions)"
                                                if hasattr(model.g_a, "refine") else "") +
                        ", residual-block decoder at 1/8 resolution "
                        "(models/train/hyperprior/wavelet_front.py)." if wavelet else
                        "Mean-scale hyperprior (Minnen et al. 2018) with gain units for variable "
                        "rate (Cui et al. 2021); GDN transforms, conv+PixelShuffle upsampling."),
        "input": {"colorSpace": "RGB", "range": [0, 1], "layout": "NCHW", "dtype": "float32",
                  "normalisation": "x = uint8 / 255"},
        "output": {"range": [0, 1], "note": "x_hat is clamped to [0, 1] inside g_s; "
                   "to 8 bit: round-half-even(x_hat * 255)"},
        "downsamplingFactor": downsampling(model),
        "padding": "replicate the last row/column to a multiple of downsamplingFactor "
                   "(right/bottom), crop the decoded image back",
        "channels": {"y": model.M, "z": model.N, "N": model.N, "M": model.M},
        "latentStrides": {"y": model.y_stride, "z": model.z_stride},
        "graphs": {name: {"file": f"{name}.onnx", "inputs": ins, "outputs": outs}
                   for name, (_, ins, outs) in GRAPHS.items()},
        "gainInputs": "each graph's second input is a 1-D float32 gain vector taken from "
                      "rateLevels[q-1]: g_a <- gain (M), h_a <- hyperGain (N), "
                      "h_s <- hyperInvGain (N), g_s <- invGain (M). Intermediate rates: "
                      "g = g_l^(1-t) * g_(l+1)^t, element-wise.",
        "rateLevels": levels,
        "defaultQuality": 4,
        "entropyBottleneck": {
            "latent": "z",
            "tableIndex": "channel c of z uses table c",
            "medians": f32_list(model.entropy_bottleneck.medians),
            "subtractMedians": True,
            "symbols": "v = round_half_even(z - medians[c]); z_hat = float32(v + medians[c])",
            "tables": z_tables,
        },
        "gaussianConditional": {
            "latent": "y",
            "scaleTable": f32_list(scale_table),
            "scaleBound": SCALE_BOUND,
            "tailMass": TAIL_MASS,
            "likelihoodBound": LIKELIHOOD_BOUND,
            "indexRule": INDEX_RULE,
            "symbols": "v = round_half_even(y - means); y_hat = float32(v + means) "
                       "(scales and means from h_s on z_hat)",
            "tables": y_tables,
        },
        "cdfQuantization": "table with pmf p_0..p_(n-2) and escape mass p_(n-1) (tail): "
                           "freq_i = 1 + floor(p_i / sum(p) * (2^precision - n)) in float64, "
                           "then 2^precision - sum(freq) is added to the largest freq (first on "
                           "ties); cdf = [0, cumsum(freq)]",
        "provenance": prov,
        "rd": {"dataset": "kodak (24 images)",
               "method": "PyTorch model, rounded latents; bpp = likelihood estimate "
                         "(bppTables: from this manifest's integer tables), PSNR on 8-bit RGB",
               "points": rd},
        "files": files,
    }


def main(argv=None):
    parser = export_parser(__doc__, "models/hyperprior/msh-vr-cpu")
    parser.add_argument("--context", help="a checkerboard context trained on this checkpoint (context.py's "
                                          "context.pt): written as context.bin + the manifest's context section")
    args = parser.parse_args(argv)
    state, model, quantile_note, model_id = load_for_export(args, build)
    if getattr(model, "context", None) is not None:
        # a jointly trained context travels as context.pt's integer layers (--context): the graphs,
        # tables, parity and evaluation here are those of the plain hyperprior under it
        model.context = None
        if not args.context:
            raise SystemExit("this checkpoint was trained with a checkerboard context: export it with --context "
                             "(context.py --ckpt <it> --steps 0 quantizes the checkpoint's own context)")
    context = None
    if args.context:
        context_section = export_context(args.context, args.out, state.get("step"))
        context = torch.load(args.context, map_location="cpu")["int"]
    elif os.path.exists(os.path.join(args.out, "context.bin")):
        os.remove(os.path.join(args.out, "context.bin"))  # a stale context of an earlier export

    export_graphs(model, args.out)
    z_tables, y_tables, scale_table = build_tables(model)
    print(f"tables: z {len(z_tables['cdfLengths'])} ({len(z_tables['cdfs'])} entries), "
          f"y {len(y_tables['cdfLengths'])} ({len(y_tables['cdfs'])} entries)", flush=True)

    images, parity_image = kodak_images(args)
    parity = onnx_parity(model, args.out, parity_image, args.parity_quality - 1, args.pause_pid)
    print("onnx parity:", json.dumps(parity), flush=True)

    rd = evaluate(model, images, (z_tables, y_tables), scale_table, context=context)
    files = onnx_files(args.out, GRAPHS)
    prov = provenance(args.checkpoint, state)
    manifest = make_manifest(model, model_id, z_tables, y_tables, scale_table, prov, rd, files)
    manifest["rd"]["images"] = len(images)
    manifest["entropyBottleneck"]["quantiles"] = quantile_note
    manifest["parity"] = parity
    if context is not None:
        manifest["context"] = context_section
        files["context.bin"] = {"sha256": sha256(os.path.join(args.out, "context.bin")),
                                "bytes": os.path.getsize(os.path.join(args.out, "context.bin"))}
    path = os.path.join(args.out, "manifest.json")
    with open(path, "w") as f:
        json.dump(manifest, f, separators=(",", ":"))

    # the manifest must carry exactly the tables the bits above were computed with
    with open(path) as f:
        m = json.load(f)
    same = (m["entropyBottleneck"]["tables"] == z_tables and m["gaussianConditional"]["tables"] == y_tables
            and np.array_equal(np.asarray(m["gaussianConditional"]["scaleTable"], dtype=np.float32),
                               scale_table))
    print_rd_table(rd)
    print(f"manifest.json round trip keeps tables and scale table identical: {same}")
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v['bytes'] / 1e6:.1f} MB" for k, v in files.items())
          + f", manifest.json {os.path.getsize(path) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
