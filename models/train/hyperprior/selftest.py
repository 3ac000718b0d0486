"""Quick checks of the jointly trained checkerboard context (no data, a few seconds):

    /usr/bin/python3 models/train/hyperprior/selftest.py

* a model built with ``contextWidth`` starts as the plain hyperprior: its context outputs zero, so in
  eval mode the means and ŷ equal the plain model's and only the scales become the tables' (what the
  codec codes);
* in training the non-anchors' rate reaches h_s's scales through the straight-through table index,
  and the context itself gets gradients;
* ``load_export_extras`` inverts ``export_context``: a context quantized into ``context.bin`` comes
  back into the PyTorch model within the int8 rounding, and the integer network of the reloaded
  weights re-quantizes to the same integers.
"""
from __future__ import annotations

import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import torch  # noqa: E402

from common.entropy import scale_indexes  # noqa: E402
from hyperprior.context import TABLE, anchor_mask, export_context, quantize, table_scale  # noqa: E402
from hyperprior.model import build, rd_loss  # noqa: E402

CONFIG = {"N": 16, "M": 8, "lambdas": [0.002, 0.02], "transform": "wavelet", "width": 16, "blocks": 1}


def check_starts_plain():
    torch.manual_seed(0)
    plain = build(CONFIG).eval()
    joint = build({**CONFIG, "contextWidth": 8}).eval()
    joint.load_state_dict(plain.state_dict(), strict=False)
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        a, b = plain(x, torch.tensor([1])), joint(x, torch.tensor([1]))
    assert torch.equal(a["means"], b["means"]) and torch.equal(a["y_hat"], b["y_hat"]) and torch.equal(a["x_hat"], b["x_hat"])
    assert torch.equal(b["scales"], table_scale(scale_indexes(a["scales"], TABLE).float()))


def check_gradients():
    torch.manual_seed(1)
    model = build({**CONFIG, "contextWidth": 8}).train()
    with torch.no_grad():  # a context that does something
        for p in model.context.parameters():
            p.normal_(0, 0.05)
    x = torch.rand(2, 3, 64, 64)
    level = torch.tensor([0, 1])
    rd_loss(model(x, level), x, model.lambdas[level])["loss"].backward()
    assert float(model.context.c3.weight.grad.abs().sum()) > 0
    assert float(model.h_s[-1].weight.grad.abs().sum()) > 0


def check_export_roundtrip():
    torch.manual_seed(2)
    model = build({**CONFIG, "contextWidth": 8})
    with torch.no_grad():
        for p in model.context.parameters():
            p.normal_(0, 0.05)
    h = w = 6
    v = torch.randint(-4, 5, (4, 8, h, w)).float()
    k = torch.randint(0, len(TABLE), (4, 8, h, w))
    mu = torch.randn(4, 8, h, w) * 3
    q = quantize(model.context, (v, k, anchor_mask(h, w), mu))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "context.pt")
        torch.save({"state": model.context.state_dict(), "int": q, "source": {"step": 7}}, path)
        spec = export_context(path, d, 7)
        back = build({**CONFIG, "contextWidth": 8})
        assert back.load_export_extras(d, {"context": spec}) is not None
    for name, p in model.context.state_dict().items():
        err = float((back.context.state_dict()[name] - p).abs().max())
        assert err <= float(p.abs().max()) / 127 + 1e-6, (name, err)
    q2 = quantize(back.context, (v, k, anchor_mask(h, w), mu))
    for a, b in zip(q["layers"], q2["layers"]):
        assert (a["weight"] == b["weight"]).all() and (abs(a["mult"].astype(int) - b["mult"].astype(int)) <= 1).all()


if __name__ == "__main__":
    torch.set_num_threads(1)
    for check in (check_starts_plain, check_gradients, check_export_roundtrip):
        check()
        print("ok", check.__name__)
    print("hyperprior selftest ok")
