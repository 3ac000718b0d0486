"""Export a trained inter model (train.py) as a video model folder: ``manifest.json`` plus
``inter.bin`` (the integer network's int8 weights).

    /usr/bin/python3 models/train/video/export.py [--run cond-msh-wf] [--checkpoint best.pt] \
        [--out models/video/cond-msh-wf]

The float network is quantized (model.quantize: int8 weights per output channel, int16
activations with calibrated power-of-two exponents) on training latents, and the validation rate
of the integer network (IntNet, the numpy twin of native/src/int_conv.cc) is measured beside the
float one and the static-table baseline; the manifest records all three.  A parity vector (a
small context, its means and table indices from IntNet) goes into the manifest so the TypeScript
side can check its integer network bit for bit (tests/codecs/video).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

from model import ACT_MAX, FRAC_BITS, OUT_MAX, SHIFT, ConditionalPrior, quantize  # noqa: E402
from train import evaluate, load_manifest  # noqa: E402
from latents import model_hash  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="cond-msh-wf")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "video"))
    p.add_argument("--checkpoint", default="best.pt")
    p.add_argument("--latents", default=os.path.join(REPO, "models", ".runs", "video", "latents"))
    p.add_argument("--out", default=os.path.join(REPO, "models", "video", "cond-msh-wf"))
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    run_dir = os.path.join(args.runs_root, args.run)
    st = torch.load(os.path.join(run_dir, args.checkpoint))
    cfg, meta = st["config"], st["meta"]
    intra_dir = os.path.join(REPO, meta["intra"]["folder"])
    intra_hash = model_hash(intra_dir)
    if intra_hash != meta["intra"]["hash"]:
        raise SystemExit(f"the intra model {intra_dir} changed since the latents were made "
                         f"({intra_hash[:16]} vs {meta['intra']['hash'][:16]}): rerun latents.py and train.py")
    manifest = load_manifest(intra_dir)
    gains = np.array([l["gain"] for l in manifest["rateLevels"]], np.float32)
    frames = cfg.get("frames", 1)
    model = ConditionalPrior(cfg["M"], cfg["hidden"], cfg["levels"], cfg["tableSize"], cfg["logStep"], frames=frames)
    model.load_state_dict(st["model"])
    model.eval()
    train = np.load(os.path.join(args.latents, "train.npy"), mmap_mode="r")
    valid = np.load(os.path.join(args.latents, "valid.npy"))
    rng = np.random.default_rng(0)
    ri = rng.choice(len(train), 64, replace=False)
    lev = torch.from_numpy(rng.integers(0, len(gains), 64))
    g = torch.from_numpy(gains)[lev][:, :, None, None]
    ctx = torch.round(torch.from_numpy(train[ri, 0].astype(np.float32)) * g)
    if frames == 2:  # calibrate on real pairs (ŷ_{t-1}, ŷ_{t-2})
        ctx = torch.cat([torch.round(torch.from_numpy(train[ri, 1].astype(np.float32)) * g), ctx], 1)
    intnet, qinfo = quantize(model, ctx, lev)
    tables = np.load(os.path.join(run_dir, "static_tables.npy"))
    res = evaluate(model, valid, gains, cfg["logStep"], tables, intnet)
    print(json.dumps(res["mean"]), flush=True)
    os.makedirs(args.out, exist_ok=True)
    blobs, layers, offset = [], [], 0
    for i, layer in enumerate(intnet.layers):
        w = layer["weight"]
        blobs.append(w.astype(np.int8).tobytes())
        bias = layer["bias"]
        if np.abs(bias).max() >= 2 ** 52:
            raise SystemExit(f"layer {i + 1}: a bias does not fit 52 bits")
        entry = {"inChannels": int(w.shape[1]), "outChannels": int(w.shape[0]), "weightOffset": offset,
                 "mult": [int(m) for m in layer["mult"]], "shift": int(layer["shift"])}
        if i == 0:
            entry["levelBias"] = [[int(b) for b in row] for row in bias]
        else:
            entry["bias"] = [int(b) for b in bias]
        layers.append(entry)
        offset += w.size
    with open(os.path.join(args.out, "inter.bin"), "wb") as f:
        for b in blobs:
            f.write(b)
    # parity vector: a small context with values across the whole range
    H, W, level = 3, 5, 3
    pctx = np.round(rng.normal(0, 40, (cfg["M"], H, W)) * 16).astype(np.int64)
    pctx[0, 0, 0], pctx[1, 0, 1] = 20000, -20000   # beyond the clamp on purpose
    pctx_b = np.round(rng.normal(0, 40, (cfg["M"], H, W)) * 16).astype(np.int64)
    pctx_b[2, 1, 1] = -30000                        # beyond the clamp on purpose
    mu16, index = intnet.run(pctx, level, pctx_b if frames == 2 else None)
    import hashlib
    def sha(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    out = {
        "formatVersion": 1,
        "id": os.path.basename(os.path.normpath(args.out)),
        "family": "video",
        "description": "Low-delay learned video coding over the hyperprior image model: I-frames are the image model's "
                       "frames; P-frames code the image model's latent with means and scales predicted from the previous "
                       + ("two decoded latents" if frames == 2 else "decoded latent") +
                       " by an integer CNN (models/train/video/model.py).",
        "intra": {"family": "hyperprior", "id": meta["intra"]["id"], "hash": intra_hash},
        "inter": {
            "kind": "conditional-latent-cnn",
            "file": "inter.bin",
            "frames": frames,
            "channels": cfg["M"], "hidden": cfg["hidden"], "levels": cfg["levels"], "tableSize": cfg["tableSize"],
            "fracBits": FRAC_BITS, "activationMax": ACT_MAX, "outputMax": OUT_MAX, "shift": SHIFT,
            "exponents": qinfo["exponents"],
            "layers": layers,
            "rule": "x = clamp(ctx16, -activationMax, activationMax); a1 = clamp(conv(x, L1) with levelBias[q-1], 0, activationMax) "
                    "(frames 2: conv([x; clamp(ctx16b, -activationMax, activationMax)], L1), ctx16b = frame t-2, or ctx16 "
                    "for a GOP's first P-frame); "
                    "a2 = clamp(conv(a1, L2), 0, activationMax); o = clamp(conv(a2, L3), -outputMax, outputMax); "
                    "mu16 = clamp(x + o[0:M], -outputMax, outputMax); index = clamp((o[M:2M] + 8) >> 4, 0, tableSize-1); "
                    "conv(in, L)[c] = floor((sum_3x3 weight*in (zero padding) * mult[c] + bias[c] + 2^(shift-1)) / 2^shift), "
                    "shift = the layer's own (the top-level shift for layers without one)",
        },
        "staticTables": {"note": "the non-learned baseline ('--inter delta'): mu = previous decoded latent, one table index per "
                                 "rate level and channel, fitted on the training latents",
                         "index": tables.astype(int).tolist()},
        "defaultGop": 32,
        "provenance": {
            "recipe": "models/train/video/train.py", "data": "video-train (" + ", ".join(meta["validation"]) + " held out for validation)",
            "latents": {k: meta[k] for k in ("length", "crop", "sequences", "runs")},
            "steps": st["step"], "wallTimeSeconds": round(st["wall"], 1), "hardware": "CPU AMD EPYC, 2 threads",
            "torch": torch.__version__, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        },
        "validation": {"bppPerLevel": {k: [round(v, 5) for v in res[k]] for k in ("float", "int", "delta")},
                       "mean": {k: round(v, 5) for k, v in res["mean"].items()},
                       "note": "inter-frame bits per pixel of the validation clips' latents (real rounding, ideal "
                               "Gaussian code lengths), context = the rounded previous latent"},
        "parity": {"level": level + 1, "height": H, "width": W, "ctx16": pctx.flatten().tolist(),
                   **({"ctx16b": pctx_b.flatten().tolist()} if frames == 2 else {}),
                   "mu16": mu16.flatten().tolist(), "index": index.flatten().tolist()},
        "files": {"inter.bin": {"sha256": sha(os.path.join(args.out, "inter.bin")),
                                "bytes": os.path.getsize(os.path.join(args.out, "inter.bin"))}},
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {args.out}: int-net validation {res['mean']['int']:.4f} bpp (float {res['mean']['float']:.4f}, "
          f"static-table delta {res['mean']['delta']:.4f})", flush=True)


if __name__ == "__main__":
    main()
