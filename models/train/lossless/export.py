"""Export a trained lossless checkpoint to the integer model file and its manifest.

Usage: /usr/bin/python3 models/train/lossless/export.py --run NAME [--out models/lossless/mlp-v1] [--check N]

Writes <out>/model.bin (native/src/lossless_mlp.h format) and <out>/manifest.json with the validation
bits per pixel of the float model and of the exact integer model (intmodel.py), which the native coder
reproduces bit for bit (tests: golden file; export: --check codes N validation images natively).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from common.data import load_rgb, validation_images  # noqa: E402
from lossless import intmodel  # noqa: E402
from lossless.model import Context, LosslessMLP  # noqa: E402
from lossless.train import TRAIN, ROOT, evaluate  # noqa: E402


def native_parity(model_path, image_path, python_bpp):
    """Codes one validation image with the native coder (build/Release) and checks its ideal bits and
    round trip against this reference: they must agree to the last bit."""
    script = (
        "const n=require('./build/Release/ncodec_native.node');const s=require('sharp');const fs=require('fs');"
        f"s({json.dumps(image_path)}).removeAlpha().raw().toBuffer({{resolveWithObject:true}}).then(({{data,info}})=>{{"
        f"const m=new Uint8Array(fs.readFileSync({json.dumps(model_path)}));const px=new Uint8Array(data);"
        "const w=info.width,h=info.height,t0=Date.now();const e=n.losslessMlpEncode(m,px,w,h,3,2);const t1=Date.now();"
        "const o=new Uint8Array(px.length);n.losslessMlpDecode(m,e,w,h,3,o);const t2=Date.now();"
        "console.log(JSON.stringify({bits:n.losslessMlpBits(m,px,w,h,3,2),bytes:e.length,pixels:w*h,"
        "exact:Buffer.from(o).equals(Buffer.from(px)),encodeMs:t1-t0,decodeMs:t2-t1}))})")
    out = json.loads(subprocess.run(["node", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    native_bpp = out["bits"] / out["pixels"]
    ok = out["exact"] and abs(native_bpp - python_bpp) < 1e-4
    print(f"native parity on {os.path.basename(image_path)}: native {native_bpp:.4f} bpp, python {python_bpp:.4f}, "
          f"coded {out['bytes'] * 8 / out['pixels']:.4f} bpp, exact round trip {out['exact']}", flush=True)
    if not ok:
        raise SystemExit("native coder and intmodel.py disagree: do not ship this export")
    return {"image": os.path.basename(image_path), "nativeBpp": round(native_bpp, 4), "codedBpp": round(out["bytes"] * 8 / out["pixels"], 4),
            "exact": out["exact"], "encodeMs": out["encodeMs"], "decodeMs": out["decodeMs"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--checkpoint", default="best.pt")
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "lossless", "mlp-v1"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ck = torch.load(os.path.join(ROOT, "models", ".runs", "lossless", args.run, args.checkpoint))
    cfg = ck["config"]
    model = LosslessMLP(cfg["radius"], cfg["hidden"], cfg["layers"], cfg["mixtures"])
    model.load_state_dict(ck["model"])
    model.eval()
    layers = intmodel.quantize(model)
    os.makedirs(args.out, exist_ok=True)
    blob = intmodel.write_model(os.path.join(args.out, "model.bin"), model, layers)

    val_paths = validation_images(TRAIN)
    val = [load_rgb(p) for p in val_paths]
    float_bpp = evaluate(model, Context(cfg["radius"]), val)
    bits, pixels, per_image = 0.0, 0, []
    for path, im in zip(val_paths, val):
        b = intmodel.image_bits(layers, cfg["radius"], cfg["mixtures"], im)
        per_image.append({"image": "/".join(path.split(os.sep)[-2:]), "bpp": round(b / (im.shape[0] * im.shape[1]), 4)})
        bits += b
        pixels += im.shape[0] * im.shape[1]
    int_bpp = bits / pixels
    print(f"validation: float {float_bpp:.4f} bpp, integer {int_bpp:.4f} bpp", flush=True)
    parity = native_parity(os.path.join(args.out, "model.bin"), val_paths[0], per_image[0]["bpp"])
    macs = sum(w.shape[0] * w.shape[1] for w, _, _ in layers)
    manifest = {
        "formatVersion": 1,
        "id": os.path.basename(args.out.rstrip("/")),
        "family": "lossless",
        "variant": "causal-mlp-logistic-mixture",
        "description": "Causal per-pixel MLP predicting a discretized logistic mixture for R, G|R, B|R,G "
                       "(native/src/lossless_mlp.h), integer arithmetic end to end.",
        "file": "model.bin",
        "sha256": hashlib.sha256(blob).hexdigest(),
        "bytes": len(blob),
        "config": cfg,
        "macsPerPixel": macs,
        "shifts": [int(s) for _, _, s in layers],
        "parity": parity,
        "validation": {"images": "models/train/validation-images.txt (10 images of images-train, never trained on)",
                       "floatBpp": round(float_bpp, 4), "integerBpp": round(int_bpp, 4), "perImage": per_image},
        "provenance": {"recipe": "models/train/lossless/train.py", "run": args.run, "step": ck["step"],
                       "data": ["images-train/urban100", "images-train/sunhays80", "images-train/bsd100"],
                       "wallTimeSeconds": round(ck.get("wall_s", 0.0), 1), "history": ck.get("history", {}).get("note"), "torch": torch.__version__,
                       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")},
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out} ({len(blob)} bytes, {macs} MAC/pixel)")


if __name__ == "__main__":
    main()
