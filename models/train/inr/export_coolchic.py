"""Export the Cool-chic graphs of the INR codec's image model and check their parity.

    /usr/bin/python3 models/train/inr/export_coolchic.py --out models/inr/coolchic-v1

Writes into the model folder
    coolchic_fit.onnx      one fitting step: forward, the explicit backward pass of coolchic.py, Adam
    coolchic_decode.onnx   quantized grids + upsampling and synthesis weights -> image
and returns their input/output names for the manifest (export.py writes it). Checks, through
onnxruntime-node, on an odd-sized image other than the export example:
1. the first step's gradients (from the first Adam moment, m = (1 - b1) g) against torch autograd;
2. three chained steps against the same loop in PyTorch;
3. the decode graph against coolchic.decode_image;
and times one fitting step at 768 x 512 (2 threads).
"""
from __future__ import annotations

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common.export_utils import OPSET, run_onnx  # noqa: E402
from inr import coolchic as cc  # noqa: E402

FIT_FILE = "coolchic_fit.onnx"
DECODE_FILE = "coolchic_decode.onnx"
NOISE = [f"u{l}" for l in range(cc.LEVELS)]
QUANT = [f"q{l}" for l in range(cc.LEVELS)]
FIT_IN = cc.PARAMS + [f"m_{n}" for n in cc.PARAMS] + [f"v_{n}" for n in cc.PARAMS] + NOISE + \
    ["target", "lambda", "lr", "lr_net", "t"]
FIT_OUT = [f"{n}_out" for n in cc.PARAMS] + [f"m_{n}_out" for n in cc.PARAMS] + [f"v_{n}_out" for n in cc.PARAMS] + \
    ["mse", "bits"]
DECODE_IN = QUANT + cc.UPSAMPLING + cc.SYNTHESIS
DECODE_OUT = ["image"]


class FitStep(torch.nn.Module):
    def forward(self, *args):
        n = len(cc.PARAMS)
        p = dict(zip(cc.PARAMS, args[:n]))
        m = dict(zip(cc.PARAMS, args[n:2 * n]))
        v = dict(zip(cc.PARAMS, args[2 * n:3 * n]))
        noise = list(args[3 * n:3 * n + cc.LEVELS])
        target, lam, lr, lr_net, t = args[3 * n + cc.LEVELS:]
        grads, mse, bits = cc.gradients(p, noise, target, lam)
        po, mo, vo = cc.adam(p, grads, m, v, lr, lr_net, t)
        return (*[po[k] for k in cc.PARAMS], *[mo[k] for k in cc.PARAMS], *[vo[k] for k in cc.PARAMS], mse, bits)


class Decode(torch.nn.Module):
    def forward(self, *args):
        q = list(args[:cc.LEVELS])
        p = dict(zip(cc.UPSAMPLING + cc.SYNTHESIS, args[cc.LEVELS:]))
        return cc.decode_image(q, p)


def dyn_axes(names: list[str]) -> dict:
    axes = {}
    for n in names:
        base = n.removesuffix("_out").removeprefix("m_").removeprefix("v_")
        if base[0] in "yuq" and base[1:].isdigit():
            axes[n] = {2: f"h{base[1:]}", 3: f"w{base[1:]}"}
        elif base in ("target", "image"):
            axes[n] = {2: "h0", 3: "w0"}
    return axes


def example(height: int, width: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    p = cc.init_params(height, width, seed)
    for k in p:  # move off the initialisation so every ReLU and branch is exercised
        p[k] = p[k] + torch.randn(p[k].shape, generator=g) * (1.5 if k in cc.LATENTS else 0.2)
    noise = [torch.rand(p[f"y{l}"].shape, generator=g) - 0.5 for l in range(cc.LEVELS)]
    target = torch.rand(1, 3, height, width, generator=g)
    return p, noise, target


def export(out_dir: str) -> dict:
    p, noise, target = example(37, 53, 0)
    zeros = [torch.zeros_like(p[k]) for k in cc.PARAMS]
    args = (*[p[k] for k in cc.PARAMS], *zeros, *zeros, *noise, target, torch.tensor(0.01), torch.tensor(0.01),
            torch.tensor(0.005), torch.tensor(1.0))
    torch.onnx.export(FitStep(), args, os.path.join(out_dir, FIT_FILE), input_names=FIT_IN, output_names=FIT_OUT,
                      dynamic_axes=dyn_axes(FIT_IN + FIT_OUT), opset_version=OPSET, do_constant_folding=True)
    q = [p[f"y{l}"] + noise[l] for l in range(cc.LEVELS)]
    torch.onnx.export(Decode(), (*q, *[p[k] for k in cc.UPSAMPLING + cc.SYNTHESIS]), os.path.join(out_dir, DECODE_FILE),
                      input_names=DECODE_IN, output_names=DECODE_OUT, dynamic_axes=dyn_axes(DECODE_IN + DECODE_OUT),
                      opset_version=OPSET, do_constant_folding=True)
    import onnx
    for f in (FIT_FILE, DECODE_FILE):
        onnx.checker.check_model(onnx.load(os.path.join(out_dir, f)))
    return {"fitStep": {"file": FIT_FILE, "inputs": FIT_IN, "outputs": FIT_OUT},
            "decode": {"file": DECODE_FILE, "inputs": DECODE_IN, "outputs": DECODE_OUT}}


def rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


def parity(out_dir: str, work: str, height: int = 45, width: int = 70) -> dict:
    p, noise, target = example(height, width, 3)
    lam, lr, lr_net, steps = 0.01, 0.01, 0.005, 3
    # autograd reference of the first gradients
    pa = {k: v.clone().requires_grad_(True) for k, v in p.items()}
    loss = cc.loss_terms(pa, noise, target, torch.tensor(lam))[0]
    loss.backward()
    ref_grads = {k: pa[k].grad.detach() for k in cc.PARAMS}
    # the explicit loop in PyTorch
    tp, tm, tv = dict(p), {k: torch.zeros_like(v) for k, v in p.items()}, {k: torch.zeros_like(v) for k, v in p.items()}
    for t in range(1, steps + 1):
        g = cc.gradients(tp, noise, target, torch.tensor(lam))[0]
        tp, tm, tv = cc.adam(tp, g, tm, tv, lr, lr_net, torch.tensor(float(t)))
    n = len(cc.PARAMS)
    state = [p[k].numpy() for k in cc.PARAMS] + [np.zeros_like(p[k].numpy()) for k in cc.PARAMS] * 2
    first = None
    for t in range(1, steps + 1):
        feeds = dict(zip(FIT_IN, state + [u.numpy() for u in noise] +
                         [target.numpy(), np.float32(lam), np.float32(lr), np.float32(lr_net), np.float32(t)]))
        outs, _ = run_onnx(os.path.join(out_dir, FIT_FILE), {k: np.asarray(v, np.float32) for k, v in feeds.items()}, work)
        state = [outs[k] for k in FIT_OUT[:3 * n]]
        if first is None:
            first = {k: state[n + i] / (1.0 - cc.BETA1) for i, k in enumerate(cc.PARAMS)}
    grad_err = max(rel_err(first[k], ref_grads[k].numpy()) for k in cc.PARAMS)
    step_err = max(rel_err(state[i], tp[k].numpy()) for i, k in enumerate(cc.PARAMS))
    q = [p[f"y{l}"] + noise[l] for l in range(cc.LEVELS)]
    feeds = dict(zip(DECODE_IN, [x.numpy() for x in q] + [p[k].numpy() for k in cc.UPSAMPLING + cc.SYNTHESIS]))
    outs, _ = run_onnx(os.path.join(out_dir, DECODE_FILE), feeds, work)
    dec_err = rel_err(outs["image"], cc.decode_image(q, p).numpy())
    print(f"coolchic {height}x{width}: grad rel err {grad_err:.2e}, {steps}-step params rel err {step_err:.2e}, "
          f"decode rel err {dec_err:.2e}")
    assert grad_err < 1e-3 and step_err < 1e-4 and dec_err < 1e-5, "ONNX/PyTorch parity failed"
    return {"gradientMaxRelError": grad_err, "adamParamsMaxRelError": step_err, "decodeMaxRelError": dec_err,
            "steps": steps, "size": [height, width], "vs": "torch autograd (gradients), coolchic.py (steps, decode)"}


def time_step(out_dir: str, work: str, height: int = 512, width: int = 768) -> float:
    p, noise, target = example(height, width, 5)
    feeds = dict(zip(FIT_IN, [p[k].numpy() for k in cc.PARAMS] + [np.zeros_like(p[k].numpy()) for k in cc.PARAMS] * 2 +
                     [u.numpy() for u in noise] + [target.numpy(), np.float32(0.01), np.float32(0.01),
                                                   np.float32(0.005), np.float32(1)]))
    _, ms = run_onnx(os.path.join(out_dir, FIT_FILE), {k: np.asarray(v, np.float32) for k, v in feeds.items()}, work,
                     repeat=6)
    step_ms = float(np.median(ms[1:]))
    print(f"coolchic fit step {height}x{width}: {step_ms:.0f} ms (onnxruntime-node, 2 threads; runs {[round(x) for x in ms]})")
    return step_ms


if __name__ == "__main__":
    import tempfile
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    torch.set_num_threads(2)
    os.makedirs(out, exist_ok=True)
    export(out)
    with tempfile.TemporaryDirectory() as w:
        parity(out, w)
        time_step(out, w)
