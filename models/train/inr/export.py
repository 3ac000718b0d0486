"""Export the INR codec's fitting and evaluation graphs (models/inr/<id>/) and check their parity.

    /usr/bin/python3 models/train/inr/export.py --out models/inr/siren-v1

For every network depth used by a rate level this writes `fit_d<L>.onnx` (one Adam step of a batch
of SIREN networks, see siren.py) and `eval_d<L>.onnx` (coordinates → values), then checks:

1. gradients: the explicit backward pass (recovered from the graph's first Adam moment, m = (1-b1) g
   when m starts at 0) against torch autograd, run through onnxruntime-node;
2. a few chained fitStep calls against torch.optim.Adam on the autograd gradients;
3. evaluate against the PyTorch forward pass.

Nothing is trained here: the codec fits each signal at encode time. The manifest records the rate
levels (architecture, positional encoding, quantization), the graph files with their input/output
names, and the parity figures.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common.export_utils import OPSET, run_onnx, sha256  # noqa: E402
from inr import siren  # noqa: E402
from inr.levels import AUDIO_LEVELS, COOLCHIC_DEFAULT_QUALITY, COOLCHIC_LEVELS, IMAGE_LEVELS, OMEGA  # noqa: E402
from inr import export_coolchic  # noqa: E402


def io_names(depth: int):
    names = siren.param_names(depth)
    fit_in = names + [f"m_{n}" for n in names] + [f"v_{n}" for n in names] + ["x", "y", "lr", "t", "omega"]
    fit_out = [f"{n}_out" for n in names] + [f"m_{n}_out" for n in names] + [f"v_{n}_out" for n in names] + ["mse"]
    eval_in = names + ["x", "omega"]
    return names, fit_in, fit_out, eval_in, ["out"]


def dyn_axes(names: list[str]) -> dict:
    axes = {}
    for n in names:
        base = n.split("_")[1] if n.startswith(("m_", "v_")) else n.split("_")[0]
        if n in ("x", "y", "out"):
            axes[n] = {0: "blocks", 1: "samples", 2: f"{n}_features"}
        elif base.startswith("w"):
            axes[n] = {0: "blocks", 1: f"{base}_in", 2: f"{base}_out"}
        elif base.startswith("b"):
            axes[n] = {0: "blocks", 2: f"{base}_out"}
        elif n == "mse":
            axes[n] = {0: "blocks"}
    return axes


def example(depth: int, blocks=3, samples=7, features=5, width=6, channels=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    params = siren.siren_init(blocks, features, width, depth, channels, OMEGA, g)
    x = torch.rand(blocks, samples, features, generator=g) * 2 - 1
    y = torch.rand(blocks, samples, channels, generator=g) * 2 - 1
    return params, x, y


def export(depth: int, out_dir: str) -> dict:
    names, fit_in, fit_out, eval_in, eval_out = io_names(depth)
    params, x, y = example(depth)
    zeros = [torch.zeros_like(p) for p in params]
    omega = torch.tensor(OMEGA, dtype=torch.float32)
    fit_args = (*params, *zeros, *zeros, x, y, torch.tensor(1e-3), torch.tensor(1.0), omega)
    fit_file, eval_file = f"fit_d{depth}.onnx", f"eval_d{depth}.onnx"
    torch.onnx.export(siren.FitStep(depth), fit_args, os.path.join(out_dir, fit_file), input_names=fit_in,
                      output_names=fit_out, dynamic_axes=dyn_axes(fit_in + fit_out), opset_version=OPSET,
                      do_constant_folding=True)
    torch.onnx.export(siren.Evaluate(depth), (*params, x, omega), os.path.join(out_dir, eval_file),
                      input_names=eval_in, output_names=eval_out, dynamic_axes=dyn_axes(eval_in + eval_out),
                      opset_version=OPSET, do_constant_folding=True)
    import onnx
    for f in (fit_file, eval_file):
        onnx.checker.check_model(onnx.load(os.path.join(out_dir, f)))
    return {"fitStep": {"file": fit_file, "inputs": fit_in, "outputs": fit_out},
            "evaluate": {"file": eval_file, "inputs": eval_in, "outputs": eval_out}}


def autograd_reference(params, x, y, omega, lr, steps):
    """torch autograd + torch.optim.Adam on the same loss; returns first-step grads and final params."""
    ps = [p.clone().requires_grad_(True) for p in params]
    opt = torch.optim.Adam(ps, lr=lr, betas=(siren.BETA1, siren.BETA2), eps=siren.EPS)
    first = None
    for _ in range(steps):
        opt.zero_grad()
        out = siren.forward(ps, x, omega)[0]
        loss = ((out - y) ** 2).mean(dim=(1, 2)).sum()
        loss.backward()
        if first is None:
            first = [p.grad.detach().clone() for p in ps]
        opt.step()
    return first, [p.detach() for p in ps]


def rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


def parity(depth: int, out_dir: str, work: str) -> dict:
    names, fit_in, fit_out, eval_in, _ = io_names(depth)
    params, x, y = example(depth, blocks=4, samples=64, features=10, width=16, channels=3, seed=depth)
    omega = torch.tensor(OMEGA, dtype=torch.float32)
    lr, steps = 1e-3, 3
    grads, final = autograd_reference(params, x, y, omega, lr, steps)
    k = len(names)
    state = [p.numpy() for p in params] + [np.zeros_like(p.numpy()) for p in params] * 2
    first_grads = None
    for t in range(1, steps + 1):
        feeds = dict(zip(fit_in, state + [x.numpy(), y.numpy(), np.float32(lr), np.float32(t), omega.numpy()]))
        outs, _ = run_onnx(os.path.join(out_dir, f"fit_d{depth}.onnx"), {n: np.asarray(v, np.float32) for n, v in feeds.items()}, work)
        state = [outs[n] for n in fit_out[:3 * k]]
        if first_grads is None:
            first_grads = [state[k + i] / (1.0 - siren.BETA1) for i in range(k)]
    grad_err = max(rel_err(a, b.numpy()) for a, b in zip(first_grads, grads))
    step_err = max(rel_err(a, b.numpy()) for a, b in zip(state[:k], final))
    feeds = dict(zip(eval_in, [p.numpy() for p in params] + [x.numpy(), omega.numpy()]))
    outs, _ = run_onnx(os.path.join(out_dir, f"eval_d{depth}.onnx"), feeds, work)
    eval_err = rel_err(outs["out"], siren.forward(params, x, omega)[0].numpy())
    print(f"depth {depth}: grad rel err {grad_err:.2e}, {steps}-step Adam param rel err {step_err:.2e}, eval rel err {eval_err:.2e}")
    assert grad_err < 1e-4 and step_err < 1e-4 and eval_err < 1e-5, "ONNX/PyTorch parity failed"
    return {"gradientMaxRelError": grad_err, "adamParamsMaxRelError": step_err, "evaluateMaxRelError": eval_err,
            "steps": steps, "vs": "torch autograd + torch.optim.Adam"}


def coolchic_init(path: str) -> dict:
    """The manifest's `init` (network name -> values, float32-exact) and its provenance."""
    with open(path) as f:
        data = json.load(f)
    shapes = export_coolchic.cc.network_shapes()
    init = {}
    for name in export_coolchic.cc.NETWORK:
        values = np.asarray(data["init"][name], dtype=np.float32)
        assert values.size == int(np.prod(shapes[name])), f"{name}: {values.size} values"
        init[name] = [float(v) for v in values]
    return {"init": init, "initProvenance": {"recipe": "models/train/inr/coolchic_init.py", "steps": data["step"],
                                            "data": "24 crops of 256x256 from images-train (validation split excluded)"}}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="model folder, e.g. models/inr/siren-v1")
    p.add_argument("--id", help="model id (default: the folder name)")
    p.add_argument("--coolchic", action="store_true",
                   help="code images with Cool-chic (export_coolchic.py); SIREN stays for audio")
    p.add_argument("--coolchic-init", help="init.json of coolchic_init.py: the fitted networks' starting point")
    args = p.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    depths = sorted({lv["depth"] for lv in (AUDIO_LEVELS if args.coolchic else IMAGE_LEVELS + AUDIO_LEVELS)})
    for f in os.listdir(args.out):  # graphs of depths no level uses any more (the model hash covers every file)
        if f.endswith(".onnx") and f.split("_d")[-1].removesuffix(".onnx") not in {str(d) for d in depths}:
            os.remove(os.path.join(args.out, f))
    graphs, parities = {}, {}
    with tempfile.TemporaryDirectory() as work:
        for depth in depths:
            graphs[str(depth)] = export(depth, args.out)
            parities[str(depth)] = parity(depth, args.out, work)
        if args.coolchic:
            coolchic_graphs = export_coolchic.export(args.out)
            for g in coolchic_graphs.values():
                g["sha256"] = sha256(os.path.join(args.out, g["file"]))
            parities["coolchic"] = export_coolchic.parity(args.out, work)
            parities["coolchic"]["fitStepMs768x512"] = export_coolchic.time_step(args.out, work)
    for spec in graphs.values():
        for g in spec.values():
            g["sha256"] = sha256(os.path.join(args.out, g["file"]))
    manifest = {
        "formatVersion": 1,
        "id": args.id or os.path.basename(os.path.normpath(args.out)),
        "family": "inr",
        "description": ("Cool-chic overfitted latent grids for images; " if args.coolchic else "") +
                       "SIREN implicit neural representations fitted per signal (COIN / Strümpler et al. 2022): "
                       "one small sine-activated MLP per image or audio block, Fourier-feature positional "
                       "encoding, per-layer weight quantization with quantization-aware refinement, adaptive "
                       "range coding of the integers.",
        "omega": list(OMEGA),
        "adam": {"beta1": siren.BETA1, "beta2": siren.BETA2, "eps": siren.EPS},
        "graphs": graphs,
        **({} if args.coolchic else {"image": {"levels": IMAGE_LEVELS, "defaultQuality": 2}}),
        "audio": {"levels": AUDIO_LEVELS, "defaultQuality": 2},
        **({"coolchic": {
            "description": "Cool-chic / C3 overfitted image model (coolchic.py): 7 latent grids, a 16-neighbour "
                           "autoregressive Laplace model run in integer arithmetic by the native coder, learned "
                           "hierarchical upsampling, a 1x1 + 3x3 synthesis; fitted per image at encode time",
            "graphs": coolchic_graphs, "levels": COOLCHIC_LEVELS, "defaultQuality": COOLCHIC_DEFAULT_QUALITY,
            "macsPerPixel": export_coolchic.cc.macs_per_pixel(),
            **(coolchic_init(args.coolchic_init) if args.coolchic_init else {}),
        }} if args.coolchic else {}),
        "parity": parities,
        "provenance": {
            "recipe": "models/train/inr/export.py",
            "trained": "nothing: weights are fitted per signal at encode time",
            "exportedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "torch": torch.__version__, "opset": OPSET, "python": platform.python_version(),
        },
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: graphs for depths {depths}")


if __name__ == "__main__":
    main()
