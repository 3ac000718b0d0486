"""Export a trained RVQ codec checkpoint as ONNX graphs + quantizer tables + manifest.json.

    /usr/bin/python3 models/train/rvq/export.py \
        --checkpoint models/.runs/rvq/rvq-cpu/latest.pt --out models/rvq/rvq-cpu

Writes (schema in docs/MODELS.md, section "rvq"):
- ``encoder.onnx``: audio [1, 1, T] float32 (24 kHz mono, T a multiple of hop=320, dynamic)
  -> latents [1, D, F] (F = T / 320, continuous, before quantization);
- ``decoder.onnx``: latents [1, D, F] (quantized: sum of the codebooks' out-projected codes)
  -> audio [1, 1, F * 320] in [-1, 1];
- ``quantizer.f32``: little-endian float32 tables of the residual vector quantizer, one block
  per codebook (in-projection, raw and L2-normalised codebook, out-projection), offsets in the
  manifest; the codec does the nearest-neighbour search and the dequantization itself;
- ``manifest.json``.
Then it checks parity on a real clip: each ONNX graph run by onnxruntime-node
(common/onnx_run.mjs) against PyTorch (max abs diff), and the quantizer re-implemented in numpy
from quantizer.f32 exactly as the codec must do it against the PyTorch codes (index mismatches,
max abs diff of the dequantized latents), per bitrate.
"""
from __future__ import annotations

import argparse
import datetime
import inspect
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from common import checkpoint  # noqa: E402
from common.audio_data import load_audio  # noqa: E402
from common.export_utils import run_onnx, sha256  # noqa: E402
from common.audio_losses import SpectralLosses, si_snr  # noqa: E402
from rvq.model import build, pad_to_hop  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DEFAULT_CLIP = os.path.join(REPO, "..", "shared", "datasets", "audio", "train", "speech-22k", "LJ001-0001.wav")
OPSET = 17

QUANT_ALGORITHM = [
    "r = latents (the encoder output, [D, F]); for codebook k = 0 .. nq-1, per frame f:",
    "  e = inProjWeight_k (d x D) . r[:, f] + inProjBias_k            (d-dim)",
    "  i = argmax_j  codebookNormalized_k[j] . (e / max(||e||, 1e-12)) (first index on ties)",
    "  v = outProjWeight_k (D x d) . codebook_k[i] + outProjBias_k   (D-dim; note: RAW codebook row)",
    "  r[:, f] -= v;  zq[:, f] += v;  code[k][f] = i",
    "decoder input = zq (the sum over the nq codebooks used). Dequantization from codes alone is "
    "the same sum of v. Codes are 10-bit integers (0..codebookSize-1), frame-major or "
    "codebook-major as the bitstream decides.",
]


class Enc(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, audio):
        return self.m.encoder(audio)


class Dec(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, latents):
        return self.m.decoder(latents)


GRAPHS = {"encoder": (Enc, ["audio"], ["latents"], {2: "samples"}, {2: "frames"}),
          "decoder": (Dec, ["latents"], ["audio"], {2: "frames"}, {2: "samples"})}


def export_graphs(model, out_dir):
    D, hop = model.config["latent_dim"], model.hop
    examples = {"encoder": torch.randn(1, 1, hop * 10) * 0.1, "decoder": torch.randn(1, D, 10)}
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    for name, (wrap, ins, outs, din, dout) in GRAPHS.items():
        torch.onnx.export(wrap(model).eval(), (examples[name],), os.path.join(out_dir, f"{name}.onnx"),
                          input_names=ins, output_names=outs,
                          dynamic_axes={ins[0]: din, outs[0]: dout},
                          opset_version=OPSET, do_constant_folding=True, **extra)
    import onnx
    for name in GRAPHS:
        onnx.checker.check_model(onnx.load(os.path.join(out_dir, f"{name}.onnx")))


# --------------------------------------------------------------------------- quantizer tables
@torch.no_grad()
def quantizer_tables(model):
    """Ordered (name, array) list: per codebook k the six tensors the codec needs."""
    out = []
    for k, l in enumerate(model.quantizer.layers):
        cb = l.codebook.detach().float()
        out += [(f"{k}.inProjWeight", l.in_proj.weight[:, :, 0].numpy()),  # [d, D]
                (f"{k}.inProjBias", l.in_proj.bias.numpy()),  # [d]
                (f"{k}.codebook", cb.numpy()),  # [K, d]
                (f"{k}.codebookNormalized", torch.nn.functional.normalize(cb, dim=-1).numpy()),  # [K, d]
                (f"{k}.outProjWeight", l.out_proj.weight[:, :, 0].numpy()),  # [D, d]
                (f"{k}.outProjBias", l.out_proj.bias.numpy())]  # [D]
    return [(n, np.ascontiguousarray(a, dtype="<f4")) for n, a in out]


def write_tables(tables, path):
    index, offset = {}, 0
    with open(path, "wb") as f:
        for name, a in tables:
            f.write(a.tobytes())
            index[name] = {"offset": offset, "shape": list(a.shape)}
            offset += a.size
    return index  # offsets in float32 elements


def read_tables(path, index):
    blob = np.fromfile(path, dtype="<f4")
    return {n: blob[v["offset"]:v["offset"] + int(np.prod(v["shape"]))].reshape(v["shape"])
            for n, v in index.items()}


def np_quantize(latents, t, nq):
    """The codec's quantizer in float32 numpy from the exported tables. latents [D, F]."""
    r = latents.astype(np.float32).copy()
    zq = np.zeros_like(r)
    codes = []
    for k in range(nq):
        e = t[f"{k}.inProjWeight"] @ r + t[f"{k}.inProjBias"][:, None]  # [d, F]
        en = e / np.maximum(np.linalg.norm(e, axis=0, keepdims=True), 1e-12)
        i = np.argmax(t[f"{k}.codebookNormalized"] @ en, axis=0)  # [F]
        v = t[f"{k}.outProjWeight"] @ t[f"{k}.codebook"][i].T + t[f"{k}.outProjBias"][:, None]
        r -= v
        zq += v
        codes.append(i)
    return np.stack(codes), zq


@torch.no_grad()
def parity(model, out_dir, clip, tables, seconds):
    sr, hop = model.config["sample_rate"], model.hop
    a = load_audio(clip, sr)[: int(seconds * sr)]
    x = pad_to_hop(torch.from_numpy(a)[None, None], hop)
    z = model.encoder(x)
    spec = SpectralLosses(sr)
    rep = {"clip": os.path.basename(clip), "samples": int(x.shape[-1]), "frames": int(z.shape[-1]),
           "maxAbsDiff": {}, "ms": {}, "bitrates": []}
    work = tempfile.mkdtemp(prefix="rvq-parity-")
    try:
        res, ms = run_onnx(os.path.join(out_dir, "encoder.onnx"), {"audio": x.numpy()}, work, repeat=3)
        rep["maxAbsDiff"]["encoder.latents"] = float(np.abs(res["latents"] - z.numpy()).max())
        rep["ms"]["encoder"] = round(float(np.median(ms[1:])), 1)
        z_onnx = res["latents"][0]
        for nq in sorted(set(model.config["bitrate_nq"])):
            codes_pt = model.quantizer.encode(z, nq)[0].numpy()
            zq_pt = model.quantizer.decode(torch.from_numpy(codes_pt)[None])
            codes_np, zq_np = np_quantize(z[0].numpy(), tables, nq)
            codes_ox, _ = np_quantize(z_onnx, tables, nq)  # what the codec gets from ONNX latents
            y_pt = model.decoder(zq_pt)
            res, ms = run_onnx(os.path.join(out_dir, "decoder.onnx"), {"latents": zq_pt.numpy()}, work,
                               repeat=3)
            y_ox = res["audio"]
            xs, ys = x[:, 0], y_pt[:, 0]
            rep["bitrates"].append({
                "nq": nq, "kbps": model.kbps(nq),
                "codeMismatchesNumpyVsTorch": int((codes_np != codes_pt).sum()),
                "codeMismatchesFromOnnxLatents": int((codes_ox != codes_pt).sum()),
                "codes": int(codes_pt.size),
                "dequantMaxAbsDiff": float(np.abs(zq_np - zq_pt[0].numpy()).max()),
                "decoderMaxAbsDiff": float(np.abs(y_ox - y_pt.numpy()).max()),
                "decoderMs": round(float(np.median(ms[1:])), 1),
                "mel": round(float(spec(xs, ys)["mel"]), 4), "sisnr": round(float(si_snr(xs, ys)), 2)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rep["maxAbsDiff"]["decoder.audio"] = max(b["decoderMaxAbsDiff"] for b in rep["bitrates"])
    return rep


# --------------------------------------------------------------------------- manifest
def provenance(state):
    tr = state.get("train", {})
    rep = state.get("history", {}).get("last_report")
    return {"recipe": "models/train/rvq/train.py",
            "data": [os.path.join(os.path.basename(os.path.dirname(d)), os.path.basename(d))
                     for d in tr.get("data", [])],
            "cropSeconds": tr.get("seconds"), "batch": tr.get("batch"), "learningRate": tr.get("lr"),
            "quantizerDropout": tr.get("qdrop"), "lossWeights": tr.get("weights"),
            "advStart": tr.get("adv_start"), "steps": state["step"],
            "wallTimeSeconds": round(state["wall_s"], 1), "hardware": tr.get("hardware"),
            "torch": tr.get("torch"), "exportTorch": torch.__version__,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "finalTraining": None if rep is None else {
                k: rep.get(k) for k in ("step", "loss", "mel", "stft", "sisnr", "val")}}


def make_manifest(model, model_id, index, files, prov, par):
    c = model.config
    bits = int(np.log2(c["codebook_size"]))
    return {
        "formatVersion": 1, "id": model_id, "family": "rvq", "variant": "seanet-factorized-rvq",
        "description": "SEANet-style 1-D conv autoencoder with a residual vector quantizer of "
                       "factorized, L2-normalised codebooks (DAC) and quantizer dropout "
                       "(SoundStream): one model for every listed bitrate.",
        "sampleRate": c["sample_rate"], "channels": 1, "hop": model.hop, "frameRate": model.frame_rate(),
        "latentDim": c["latent_dim"], "nCodebooks": c["n_codebooks"], "codebookSize": c["codebook_size"],
        "codebookDim": c["codebook_dim"], "bitsPerCode": bits,
        "bitrates": [{"nq": nq, "kbps": model.kbps(nq)} for nq in sorted(set(c["bitrate_nq"]))],
        "defaultNq": 8,
        "input": {"layout": "[1, 1, T] float32", "range": [-1, 1],
                  "normalisation": "s16 / 32768, mono (mean of channels), resampled to sampleRate"},
        "padding": "zero-pad the end to a multiple of hop; decode F = T_padded / hop frames and cut "
                   "the output back to the original length",
        "graphs": {n: {"file": f"{n}.onnx", "inputs": ins, "outputs": outs}
                   for n, (_, ins, outs, _, _) in GRAPHS.items()},
        "quantizer": {"file": "quantizer.f32", "dtype": "float32 little-endian",
                      "tensors": index, "offsetUnit": "float32 elements from the start of the file",
                      "shapes": "inProjWeight [d, D], inProjBias [d], codebook [K, d], codebookNormalized "
                                "[K, d], outProjWeight [D, d], outProjBias [D]; row-major",
                      "algorithm": QUANT_ALGORITHM},
        "architecture": {k: c[k] for k in ("channels", "strides", "res_dilations", "activation")},
        "files": files, "provenance": prov, "parity": par,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--id", help="model id (default: the output folder's name)")
    p.add_argument("--clip", default=DEFAULT_CLIP, help="real clip for the parity check")
    p.add_argument("--seconds", type=float, default=6.0, help="seconds of the clip to check")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    state = checkpoint.load(args.checkpoint)
    model = build(state["config"]).eval()
    model.load_state_dict(state["model"])
    os.makedirs(args.out, exist_ok=True)
    model_id = args.id or os.path.basename(os.path.normpath(args.out))

    export_graphs(model, args.out)
    tables = quantizer_tables(model)
    qpath = os.path.join(args.out, "quantizer.f32")
    index = write_tables(tables, qpath)
    par = parity(model, args.out, args.clip, read_tables(qpath, index), args.seconds)
    files = {f: {"sha256": sha256(os.path.join(args.out, f)), "bytes": os.path.getsize(os.path.join(args.out, f))}
             for f in ("encoder.onnx", "decoder.onnx", "quantizer.f32")}
    manifest = make_manifest(model, model_id, index, files, provenance(state), par)
    path = os.path.join(args.out, "manifest.json")
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(par, indent=1))
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v['bytes'] / 1e6:.2f} MB" for k, v in files.items())
          + f", manifest.json {os.path.getsize(path) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
