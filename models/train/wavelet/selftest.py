"""Self-tests for common/wavelet.py and wavelet/model.py (CPU, a few seconds).

    /usr/bin/python3 models/train/wavelet/selftest.py [--onnx]

1. perfect reconstruction: synthesis(analysis(x)) == x within 1e-5 for the 2-D packet (1-3
   levels, CDF 9/7 and Haar, odd sizes padded to 2^levels and cropped back) and the 1-D packet;
2. near-orthonormality: energy ratio ||analysis(x)|| / ||x|| close to 1 on smooth and noisy input;
3. localisation: a constant image puts (almost) all its energy in the low/low sub-band;
4. the model's forward pass runs in train and eval mode, gradients reach every parameter;
   with ``per_level_prior`` each sample is coded with its level's densities, and a shared-density
   checkpoint warm-starts it;
5. (--onnx) the packet analysis/synthesis export to ONNX opset 17 with dynamic H/W and pass
   onnx.checker.
"""
from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch  # noqa: E402

from common.wavelet import (WaveletPacket1d, WaveletPacket2d, WaveletPacketSynthesis2d,  # noqa: E402
                            pad_to_multiple)
from wavelet.model import WaveletAE, rd_loss  # noqa: E402


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg, flush=True)
    if not cond:
        raise SystemExit(1)


def test_reconstruction():
    torch.manual_seed(0)
    for wavelet in ("cdf97", "haar"):
        for levels in (1, 2, 3):
            wpt = WaveletPacket2d(levels, wavelet)
            for h, w in ((64, 96), (37, 53), (8 * 13, 8 * 7 + 3)):
                x = torch.rand(2, 3, h, w)
                xp = pad_to_multiple(x, wpt.factor)
                y = wpt(xp)
                check(y.shape == (2, 3 * 4 ** levels, xp.shape[2] // wpt.factor, xp.shape[3] // wpt.factor),
                      f"2-D {wavelet} L{levels} {h}x{w}: shape {tuple(y.shape)}")
                err = float((wpt.inverse(y)[..., :h, :w] - x).abs().max())
                check(err < 1e-5, f"2-D {wavelet} L{levels} {h}x{w}: max |x - S(A(x))| = {err:.2e}")
        wpt1 = WaveletPacket1d(3, wavelet)
        for t in (240, 1001):
            x = torch.randn(2, 1, t)
            xp = pad_to_multiple(x, 8)
            err = float((wpt1.inverse(wpt1(xp))[..., :t] - x).abs().max())
            check(err < 1e-5, f"1-D {wavelet} L3 T={t}: max |x - S(A(x))| = {err:.2e}")


def test_energy():
    wpt = WaveletPacket2d(3)
    torch.manual_seed(1)
    noise = torch.randn(1, 3, 64, 64)
    r = float(wpt(noise).norm() / noise.norm())
    check(0.8 < r < 1.25, f"CDF 9/7 packet energy ratio on white noise {r:.3f}")
    const = torch.full((1, 1, 64, 64), 0.7)
    y = wpt(const)
    frac = float(y[:, 0].pow(2).sum() / y.pow(2).sum())
    check(frac > 0.9999, f"constant image: low/low energy fraction {frac:.6f}")
    check(abs(float(y[:, 0].mean()) - 0.7 * 8) < 1e-4, f"DC gain 8 after 3 levels ({float(y[:, 0].mean()):.4f})")


def test_model():
    torch.manual_seed(2)
    model = WaveletAE(latent=16, width=32, blocks=1)
    x = torch.rand(2, 3, 64, 64)
    level = torch.tensor([0, 5])
    model.train()
    out = model(x, level)
    check(out["x_hat"].shape == x.shape and out["y"].shape == (2, 16, 8, 8), "model shapes")
    rd = rd_loss(out, x, model.lambdas[level])
    rd["loss"].backward()
    missing = [n for n, p in model.named_parameters()
               if not n.endswith("quantiles") and (p.grad is None or not torch.isfinite(p.grad).all())]
    check(not missing, f"every parameter gets a finite gradient (missing: {missing})")
    model.eval()
    with torch.no_grad():
        out = model(x, level)
    med = model.entropy_bottleneck.medians.reshape(1, -1, 1, 1)
    frac = (out["y_hat"] - med)
    check(bool(torch.allclose(frac, torch.round(frac))), "eval y_hat - median is integral")


def test_per_level_prior():
    """LevelBottleneck: sample i's likelihood comes from rows level_i * C + c (checked against a
    direct call), medians per level, gradients reach every level's density that the batch used,
    and init_from_checkpoint tiles a shared-density checkpoint into every level."""
    from common import checkpoint
    from common.warm_start import init_from_checkpoint
    torch.manual_seed(3)
    shared = WaveletAE(latent=16, width=32, blocks=1)
    model = WaveletAE(latent=16, width=32, blocks=1, per_level_prior=True)
    eb = model.entropy_bottleneck
    check(eb.channels == 16 * model.levels, f"per-level bottleneck has {eb.channels} densities")
    with torch.no_grad():
        for p in list(eb.matrices) + list(eb.biases):
            p.add_(0.3 * torch.randn_like(p))  # make the levels' densities differ
    y = torch.randn(3, 16, 4, 4) * 3
    level = torch.tensor([6, 1, 6])
    lik = eb.likelihood_at(y, level)
    direct = torch.stack([eb.likelihood(y[i:i + 1], eb.rows(int(level[i])))[0] for i in range(3)])
    check(bool(torch.equal(lik, direct)), "per-sample likelihood uses its level's densities")
    model.train()
    x = torch.rand(2, 3, 64, 64)
    out = model(x, torch.tensor([0, 3]))
    rd_loss(out, x, model.lambdas[torch.tensor([0, 3])])["loss"].backward()
    g = eb.biases[0].grad.abs().reshape(model.levels, 16, -1).sum((1, 2))
    check(bool(g[0] > 0 and g[3] > 0 and g[1] == 0), f"gradients reach levels 0 and 3 only ({g.tolist()})")
    model.eval()
    with torch.no_grad():
        lv = torch.tensor([2, 7])
        out = model(x, lv)
    frac = out["y_hat"] - eb.medians_at(lv, 4)
    check(bool(torch.allclose(frac, torch.round(frac))), "eval y_hat - level median is integral")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "shared.pt")
        checkpoint.atomic_save({"model": shared.state_dict(), "step": 10, "wall_s": 1.0, "config": {}}, path)
        fresh = WaveletAE(latent=16, width=32, blocks=1, per_level_prior=True)
        rec = init_from_checkpoint(fresh, path)
        rows = fresh.entropy_bottleneck.biases[1].reshape(fresh.levels, 16, -1)
        same = all(torch.equal(rows[l], shared.entropy_bottleneck.biases[1].reshape(16, -1))
                   for l in range(fresh.levels))
        check(rec["tiledBottleneck"] and rec["step"] == 10 and same,
              "init_from_checkpoint tiles the shared density into every level")


def test_onnx():
    import inspect
    import onnx
    wpt = WaveletPacket2d(3)
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with tempfile.TemporaryDirectory() as d:
        for name, mod, ex in (("analysis", wpt, torch.rand(1, 3, 64, 96)),
                              ("synthesis", WaveletPacketSynthesis2d(3), torch.rand(1, 192, 8, 12))):
            path = os.path.join(d, f"{name}.onnx")
            torch.onnx.export(mod, (ex,), path, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "b", 2: "h", 3: "w"}, "y": {0: "b", 2: "h", 3: "w"}},
                              opset_version=17, **extra)
            m = onnx.load(path)
            onnx.checker.check_model(m)
            ops = sorted({n.op_type for n in m.graph.node})
            check(True, f"ONNX {name}: {len(m.graph.node)} nodes, ops {ops}")


if __name__ == "__main__":
    torch.set_num_threads(2)
    test_reconstruction()
    test_energy()
    test_model()
    test_per_level_prior()
    if "--onnx" in sys.argv:
        test_onnx()
    print("all wavelet self-tests passed")
