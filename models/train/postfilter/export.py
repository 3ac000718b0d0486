"""Export a trained Opus post-filter (model.py) as models/opuspf/<id>/: postfilter.onnx + manifest.json.

    /usr/bin/python3 models/train/postfilter/export.py --checkpoint models/.runs/postfilter/pf-c128/best.pt \
        --out models/opuspf/opuspf-v1
    ... --random --channels 8 --out fixtures/models/opuspf/tiny-test   # an untrained test fixture

postfilter.onnx: magnitude [1, T, 513] float32 (|STFT| of the core's 48 kHz output, periodic Hann
1024, hop 256, centred; frame-major) → gains [1, T, 1026] (columns 0 … 512: the gain e^g of each
bin, columns 513 … 1025: the magnitude e^n of the noise added to each bin); T dynamic. The graph
takes the features' log, transposes to the network's channel-major layout and back, and takes the
exponentials itself (ONNX Runtime's vectorised kernels: in TypeScript these per-bin log/exp and the
strided channel-major reads and writes cost more than the FFTs). The codec does the STFT, the noise
and the overlap-add (codecs/opuspf/postfilter.ts), as model.PostFilter does.
Parity: onnxruntime-node against PyTorch on the magnitudes of a real-ish clip (max abs diff).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import checkpoint  # noqa: E402
from common.export_utils import run_onnx, sha256  # noqa: E402
from postfilter.model import BINS, FLOOR, HOP, N_FFT, RATE, PostFilter  # noqa: E402

OPSET = 17
# The levels: "kbps" is what a user asks for (--bitrate) and the file stays within; "coreKbps" is the
# budget of the core's packets (core.ts encodeWithin), leaving room for the container and the chunk overlaps.
# "coreComplexity": the encoder's libopus complexity (core.ts COMPLEXITY's comment: 6 at 6 kbps is 0.65x the
# encode time of 8 for -0.004 STOI on the validation audio; at 12 kbps 8 is worth its time).
LEVELS = [{"kbps": 6, "coreKbps": 5.8, "coreComplexity": 6}, {"kbps": 12, "coreKbps": 11.7, "coreComplexity": 8}]


class Deployed(torch.nn.Module):
    """The graph the codec runs: magnitudes [1, T, bins] → (e^g, e^n) [1, T, 2·bins]."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, magnitude: torch.Tensor) -> torch.Tensor:
        features = torch.log(magnitude + FLOOR).transpose(1, 2)
        return torch.exp(self.net(features)).transpose(1, 2)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint")
    p.add_argument("--random", action="store_true", help="export an untrained network (test fixtures)")
    p.add_argument("--channels", type=int, default=None)
    p.add_argument("--out", required=True)
    p.add_argument("--id")
    p.add_argument("--default-kbps", type=float, default=6)
    args = p.parse_args(argv)
    torch.manual_seed(0)
    state = None
    if args.checkpoint:
        state = checkpoint.load(args.checkpoint)
        channels = state["config"]["channels"]
    else:
        if not args.random:
            raise SystemExit("give --checkpoint, or --random for a test fixture")
        channels = args.channels or 8
    model = PostFilter(channels)
    if state:
        model.load_state_dict(state["model"])
    else:  # an untrained but non-trivial filter: small random gains and audible noise
        with torch.no_grad():
            model.net.out.weight.normal_(0, 0.01)
            model.net.out.bias[BINS:] = -6.0
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "postfilter.onnx")
    deployed = Deployed(model.net).eval()
    example = torch.rand(1, 40, BINS) * 0.1
    torch.onnx.export(deployed, (example,), onnx_path, input_names=["magnitude"], output_names=["gains"],
                      dynamic_axes={"magnitude": {1: "frames"}, "gains": {1: "frames"}}, opset_version=OPSET)

    # parity on a real-ish signal: the graph against model.net on the log features, exponentiated
    t = torch.arange(RATE, dtype=torch.float32) / RATE
    sig = (0.1 * torch.sin(2 * np.pi * 220 * t) + 0.01 * torch.randn(RATE))[None]
    mag = model.stft(sig).abs()
    with torch.no_grad():
        ref = torch.exp(model.net(torch.log(mag + FLOOR))).transpose(1, 2).numpy()
    with tempfile.TemporaryDirectory() as tmp:
        got = run_onnx(onnx_path, {"magnitude": mag.transpose(1, 2).contiguous().numpy()}, tmp)[0]["gains"]
    diff = float(np.abs(got - ref).max() / max(1.0, float(np.abs(ref).max())))
    print(f"parity: max |onnx - torch| / max(1, max |torch|) = {diff:.2e}")
    if diff > 1e-3:
        raise SystemExit("parity check failed")

    model_id = args.id or os.path.basename(os.path.normpath(args.out))
    macs = (BINS * channels * 3 + len(model.net.blocks) * channels * channels * 3 + channels * 2 * BINS)
    manifest = {
        "formatVersion": 1,
        "id": model_id,
        "family": "opuspf",
        "description": "libopus 1.5.2 core (SILK at low rates) with a learned decoder-side post-filter in the STFT domain: "
                       "per-bin gains on the core's spectrum and shaped noise where the core left the band empty.",
        "core": {"library": "libopus 1.5.2 (fixed point, native addon; maximum bandwidth wide band)", "sampleRate": RATE, "application": "audio",
                 "frameSamples": 2880, "lookahead": 312, "vbr": True,
                 "complexity": "levels[].coreComplexity (encoder only); the training pairs were coded at 8"},
        "levels": LEVELS,
        "defaultKbps": args.default_kbps,
        "postfilter": {"file": "postfilter.onnx", "inputs": ["magnitude"], "outputs": ["gains"],
                       "nFft": N_FFT, "hop": HOP, "window": "periodic hann", "floor": FLOOR, "bins": BINS,
                       "channels": channels, "macsPerFrame": macs,
                       "sha256": sha256(onnx_path)},
        "parity": {"maxRelDiff": diff, "note": "graph against PyTorch on one second of tone + noise: max |difference| / max(1, max |output|)"},
        "exported": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    if state:
        manifest["training"] = {"checkpoint": os.path.relpath(args.checkpoint), "steps": state["step"],
                                "wallSeconds": round(state["wall_s"]), "validationMel": state.get("best"),
                                "coreKbps": state["config"]["kbps"], "coreComplexity": state["config"].get("complexity", [8] * len(state["config"]["kbps"])),
                                "hardware": "2-core AMD EPYC CPU (PyTorch 1.13)"}
    else:
        manifest["training"] = None
        manifest["description"] = "UNTRAINED test fixture: " + manifest["description"]
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(onnx_path) / 1e6:.2f} MB graph, {macs / 1e3:.0f} k MAC/frame)")


if __name__ == "__main__":
    main()
