"""Mean-scale hyperprior over a wavelet-packet transform: the ``wavelet-front`` variant.

The plain recipe (model.py) learns GDN transforms at full resolution; on this project's 2 CPU
cores it reached 3.8 k of the ~10^5 steps it needs.  This variant keeps the hyperprior's
entropy model (Minnen et al. 2018: a factorized prior on z, a Gaussian with mean and scale from
h_s on y) and swaps the transforms for the wavelet autoencoder's (wavelet/model.py), which do
their learned work at 1/8 resolution and were already trained for 47.6 k steps:

    g_a : x (3, H, W) - 1/2 -> 3-level CDF 9/7 packet (192 sub-bands) -> 1x1 conv M  -> y (/8)
    h_a : y (M)  -> conv3 N, LReLU, conv5s2 N, LReLU, conv5s2 N                     -> z (/32)
    h_s : z (N)  -> up N->N, LReLU, up N->3M/2, LReLU, conv3 3M/2->2M   -> (scales, means) (/8)
    g_s : y (M)  -> 1x1 + residual 3x3 blocks at 1/8 -> 192 sub-bands -> inverse packet + 1/2

So the rate adapts to local content (the scales) and the low-pass channels are predicted (the
means) by a learned model, where the wavelet codec had one static density per channel and MED
prediction.  The graphs have the hyperprior codec's four names and inputs (each takes its gain
vector), so ``codecs/hyperprior`` runs an export unchanged; ``latentStrides`` (8, 32) and
``downsamplingFactor`` (32) come from the manifest.

Warm start: ``init_transform(model, folder)`` copies g_a, g_s and the y gains from a wavelet
image export (``models/wavelet/<id>``); h_a/h_s and the z bottleneck start fresh.

Nonlinear analysis (config ``encoderRefine`` = W > 0, ``--encoder-refine W``): the linear encoder
gains a residual branch over the same sub-bands, y = proj(s) + refine(s) with refine = conv3x3
192->W, LReLU, conv3x3 W->W, LReLU, conv1x1 W->M, the last layer zero at the start, so a model
warm-started from a linear one (``NEW_BRANCHES``: the keys a checkpoint without them may lack)
begins exactly where that one ended.  Only the encoder changes: g_a is an ONNX graph the codec
runs as before, so decoding is unaffected.
"""
from __future__ import annotations

import torch
from torch import nn

from common.entropy import EntropyBottleneck
from common.rate import GainUnits
from common.wavelet import WaveletPacket2d
from wavelet.model import Decoder, Encoder


class RefinedEncoder(Encoder):
    """The wavelet encoder plus a zero-initialised nonlinear residual branch at 1/8 resolution."""

    def __init__(self, wpt: WaveletPacket2d, latent: int, width: int):
        super().__init__(wpt, latent)
        sub = wpt.channels(3)
        last = nn.Conv2d(width, latent, 1)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.refine = nn.Sequential(nn.Conv2d(sub, width, 3, padding=1), nn.LeakyReLU(0.1, inplace=True),
                                    nn.Conv2d(width, width, 3, padding=1), nn.LeakyReLU(0.1, inplace=True), last)

    def forward(self, x):
        s = self.wpt(x - 0.5)
        return self.proj(s) + self.refine(s)


# parameters that a checkpoint of the linear-encoder model lacks (common/warm_start.py leaves them at
# their initialisation, which makes the refined model compute what the linear one did)
NEW_BRANCHES = ("g_a.refine.",)
CONTEXT_BRANCH = ("context.",)  # a jointly trained checkerboard context (config ``contextWidth``)


def _conv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


def _up(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout * 4, 3, padding=1), nn.PixelShuffle(2))


class WaveletFrontHyperpriorVR(nn.Module):
    """See the module docstring.  Same interface as ``MeanScaleHyperpriorVR``."""

    def __init__(self, N: int = 96, M: int = 48, width: int = 192, blocks: int = 3, levels: int = 3,
                 wavelet: str = "cdf97", lambdas=(), encoder_refine: int = 0, context_width: int = 0):
        super().__init__()
        self.N, self.M = N, M
        self.register_buffer("lambdas", torch.tensor(lambdas, dtype=torch.float32))
        L = len(lambdas)
        wpt = WaveletPacket2d(levels, wavelet)
        self.y_stride = wpt.factor
        self.z_stride = wpt.factor * 4
        self.g_a = RefinedEncoder(wpt, M, encoder_refine) if encoder_refine > 0 else Encoder(wpt, M)
        self.new_branches = NEW_BRANCHES if encoder_refine > 0 else ()
        self.context = None
        if context_width > 0:  # trained jointly (model.context_latents); hyperprior/context.py
            from hyperprior.context import CheckerboardContext
            self.context = CheckerboardContext(M, context_width)
            self.new_branches = self.new_branches + CONTEXT_BRANCH
        self.g_s = Decoder(wpt, M, width, blocks)
        self.h_a = nn.Sequential(_conv(M, N, 3, 1), nn.LeakyReLU(inplace=True), _conv(N, N),
                                 nn.LeakyReLU(inplace=True), _conv(N, N))
        self.h_s = nn.Sequential(_up(N, N), nn.LeakyReLU(inplace=True), _up(N, M * 3 // 2),
                                 nn.LeakyReLU(inplace=True), _conv(M * 3 // 2, M * 2, 3, 1))
        self.gain = GainUnits(L, M)
        self.inv_gain = GainUnits(L, M)
        self.hyper_gain = GainUnits(L, N)
        self.hyper_inv_gain = GainUnits(L, N)
        self.entropy_bottleneck = EntropyBottleneck(N)

    @property
    def levels(self) -> int:
        return int(self.lambdas.numel())

    def load_export_extras(self, folder: str, manifest: dict) -> dict | None:
        """Warm start of a model with a context from an export that has one: its integer layers
        (context.bin), dequantized.  Returns a provenance record, or None."""
        if self.context is None or "context" not in manifest:
            return None
        import os

        import numpy as np

        from common.int_conv import dequantize_conv
        spec = manifest["context"]
        if spec.get("hidden") != self.context.width:
            raise ValueError(f"the export's context has width {spec.get('hidden')}, the model {self.context.width}")
        blob = np.fromfile(os.path.join(folder, spec["file"]), np.int8)
        exps = spec["exponents"]
        with torch.no_grad():
            for i, (layer, conv) in enumerate(zip(spec["layers"], (self.context.c1, self.context.c2, self.context.c3))):
                n = conv.weight.numel()
                wq = blob[layer["weightOffset"]:layer["weightOffset"] + n].reshape(conv.weight.shape)
                w, b = dequantize_conv(wq, layer["mult"], layer["bias"], exps[i], exps[i + 1], layer.get("shift", spec["shift"]))
                conv.weight.copy_(torch.from_numpy(w).float())
                conv.bias.copy_(torch.from_numpy(b).float())
        return {"context": spec["file"], "trainedOn": spec.get("trainedOn")}

    def forward(self, x: torch.Tensor, level: torch.Tensor) -> dict:
        from hyperprior.model import code_latents
        with torch.autocast(x.device.type, enabled=False):  # the linear encoder stays float32
            y = self.g_a(x.float()) * self.gain(level)
        return code_latents(self, y, level)


def build(config: dict) -> WaveletFrontHyperpriorVR:
    return WaveletFrontHyperpriorVR(N=config["N"], M=config["M"], width=config.get("width", 192),
                                    blocks=config.get("blocks", 3), levels=config.get("levels", 3),
                                    wavelet=config.get("wavelet", "cdf97"), lambdas=config["lambdas"],
                                    encoder_refine=config.get("encoderRefine", 0),
                                    context_width=config.get("contextWidth", 0))


@torch.no_grad()
def init_transform(model: WaveletFrontHyperpriorVR, folder: str) -> dict:
    """Copy g_a/g_s and the y gain units from a wavelet image export into ``model``.

    The export's manifest must describe the same transform (latent M, width, blocks, levels,
    wavelet, lambdas).  Returns a provenance record (export id, its steps and wall time)."""
    from common import warm_start
    from wavelet.model import build as build_wavelet

    manifest = warm_start.read_manifest(folder)
    wcfg = {"latent": model.M, "width": model.g_s.inp.out_channels, "blocks": len(model.g_s.blocks),
            "levels": model.g_a.wpt.levels, "wavelet": model.g_a.wpt.wavelet,
            "lambdas": [float(v) for v in model.lambdas],
            "perLevelPrior": bool(manifest.get("entropyBottleneck", {}).get("levels"))}
    wae = build_wavelet(wcfg)
    record = warm_start.init_from_export(wae, folder, wcfg, table_fit_steps=0)
    model.g_a.load_state_dict(wae.encoder.state_dict())
    model.g_s.load_state_dict(wae.decoder.state_dict())
    model.gain.load_state_dict(wae.gain.state_dict())
    model.inv_gain.load_state_dict(wae.inv_gain.state_dict())
    return {"folder": record["folder"], "id": record["id"], "steps": record["step"],
            "wallTimeSeconds": record["wall_s"], "files": record["files"]}
