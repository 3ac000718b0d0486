"""Writes the tiny test model fixtures/models/lossless/tiny-test (300 steps on 8 training images, fixed seed): it pins the
model-file format and the integer arithmetic in the golden-file tests independently of the shipped,
retrained model. Usage: /usr/bin/python3 models/train/lossless/make_fixture.py
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from lossless import intmodel  # noqa: E402
from lossless.model import LosslessMLP  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def main():
    import numpy as np
    from common.data import list_images, load_rgb
    from lossless.model import Context, FlatImages
    from lossless.train import FOLDERS
    torch.manual_seed(7)
    torch.set_num_threads(1)
    model = LosslessMLP(radius=1, hidden=8, layers=1, mixtures=2)
    # 300 steps on 8 training images: enough to beat MED on photos, so the golden files hold learned tiles
    images = FlatImages(Context(1), [load_rgb(f) for f in list_images(FOLDERS[2:], exclude_validation=True)[:8]])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(7)
    for _ in range(300):
        loss = model.nll_bits(*images.sample(rng, 4096)).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    print(f"tiny model: {loss.item():.3f} bpp on its last batch")
    out = os.path.join(ROOT, "fixtures", "models", "lossless", "tiny-test")
    os.makedirs(out, exist_ok=True)
    layers = intmodel.quantize(model)
    blob = intmodel.write_model(os.path.join(out, "model.bin"), model, layers)
    manifest = {"formatVersion": 1, "id": "tiny-test", "family": "lossless", "variant": "causal-mlp-logistic-mixture",
                "description": "Test model (models/train/lossless/make_fixture.py): 300 steps on 8 images, pins the format in golden tests.",
                "file": "model.bin", "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob),
                "config": {"radius": 1, "hidden": 8, "layers": 1, "mixtures": 2},
                "macsPerPixel": sum(w.shape[0] * w.shape[1] for w, _, _ in layers)}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {out} ({len(blob)} bytes)")


if __name__ == "__main__":
    main()
