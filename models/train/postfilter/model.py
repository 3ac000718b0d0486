"""The learned post-filter of `opuspf` (issue 16): a decoder-side network over the Opus core's
output that reshapes its spectrum and fills in what the core left out (the band above SILK's
4 kHz at 6 kbps), in the spirit of Opus 1.5's LACE/NoLACE and of SBR-style bandwidth extension.

Signal path (48 kHz mono, the core's rate; codecs/opuspf/postfilter.ts does the same in TypeScript):
  X = STFT(core)            periodic Hann window of 1024, hop 256, centred (reflect padding), 513 bins
  f = log(|X| + 1e-5)       features [513, T]
  (g, n) = net(f)           [513, T] each: a log gain on the core's bins, and the log magnitude of
                            noise added to every bin (n starts far below hearing)
  Y = X · e^g + e^n · U     U: unit phasors of uniformly random phase (any PRNG: the network only
                            sets magnitudes)
  y = ISTFT(Y)              weighted overlap-add with the same window, divided by Σ window²

net: Conv1d 513→C (k 3) · LeakyReLU · 3 residual blocks (Conv1d C→C, k 3, dilation 1/2/4,
LeakyReLU) · Conv1d C→1026 (k 1). C = 128 by default: ≈ 0.48 M multiply-adds per frame, ≈ 90 M per
second of audio. It sees ± 15 frames (± 80 ms).
"""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

RATE = 48000
N_FFT = 1024
HOP = 256
BINS = N_FFT // 2 + 1
FLOOR = 1e-5
NOISE_INIT = -12.0


class PostFilterNet(nn.Module):
    """features [B, 513, T] → (log gain, log noise magnitude) [B, 513, T] each."""

    def __init__(self, channels: int = 128, dilations=(1, 2, 4)):
        super().__init__()
        self.inp = nn.Conv1d(BINS, channels, 3, padding=1)
        self.blocks = nn.ModuleList(nn.Conv1d(channels, channels, 3, padding=d, dilation=d) for d in dilations)
        self.out = nn.Conv1d(channels, 2 * BINS, 1)
        nn.init.zeros_(self.out.weight)
        with torch.no_grad():
            self.out.bias[:BINS] = 0.0
            self.out.bias[BINS:] = NOISE_INIT

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        h = F.leaky_relu(self.inp(feats), 0.1)
        for block in self.blocks:
            h = h + F.leaky_relu(block(h), 0.1)
        return self.out(h)


class PostFilter(nn.Module):
    def __init__(self, channels: int = 128):
        super().__init__()
        self.net = PostFilterNet(channels)
        self.register_buffer("window", torch.hann_window(N_FFT), persistent=False)

    def stft(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stft(x, N_FFT, HOP, window=self.window, center=True, pad_mode="reflect", return_complex=True)

    def forward(self, core: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """core [B, L] → filtered [B, L]."""
        X = self.stft(core)
        feats = torch.log(X.abs() + FLOOR)
        out = self.net(feats)
        g, n = out[:, :BINS], out[:, BINS:]
        phase = torch.rand(X.shape, generator=generator, device=X.device) * (2 * torch.pi)
        Y = X * torch.exp(g) + torch.polar(torch.exp(n), phase)
        return torch.istft(Y, N_FFT, HOP, window=self.window, center=True, length=core.shape[-1])


# ------------------------------------------------------------------ the bench's mel distance in torch
def slaney_mel_filters(sr: int, n_fft: int, n_mels: int):
    """librosa.filters.mel(sr, n_fft, n_mels) (Slaney scale, Slaney area norm), [n_mels, n_fft//2+1]."""
    import numpy as np
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0

    def hz2mel(f):
        f = np.asarray(f, float)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)

    def mel2hz(m):
        m = np.asarray(m, float)
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    fft_freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    pts = mel2hz(np.linspace(hz2mel(0.0), hz2mel(sr / 2), n_mels + 2))
    fdiff = np.diff(pts)
    ramps = pts[:, None] - fft_freqs[None, :]
    w = np.zeros((n_mels, fft_freqs.size))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        w[i] = np.maximum(0, np.minimum(lower, upper))
    w *= (2.0 / (pts[2:n_mels + 2] - pts[:n_mels]))[:, None]
    return torch.tensor(w, dtype=torch.float32)


class MelDistance(nn.Module):
    """src/metrics/mel.ts (DAC's MelSpectrogramLoss, 44khz.yaml) per example: Σ over windows
    32 … 2048 of mean |log10 max(mel_x, 1e-5) − log10 max(mel_y, 1e-5)|."""

    WINDOWS = (32, 64, 128, 256, 512, 1024, 2048)
    MELS = (5, 10, 20, 40, 80, 160, 320)

    def __init__(self, sr: int = RATE):
        super().__init__()
        for w, m in zip(self.WINDOWS, self.MELS):
            self.register_buffer(f"fb{w}", slaney_mel_filters(sr, w, m), persistent=False)
            self.register_buffer(f"win{w}", torch.hann_window(w), persistent=False)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        total = 0.0
        for w in self.WINDOWS:
            win, fb = getattr(self, f"win{w}"), getattr(self, f"fb{w}")
            a = torch.stft(x, w, w // 4, window=win, center=True, pad_mode="reflect", return_complex=True).abs()
            b = torch.stft(y, w, w // 4, window=win, center=True, pad_mode="reflect", return_complex=True).abs()
            ma, mb = fb @ a, fb @ b
            total = total + (torch.log10(ma.clamp(min=FLOOR)) - torch.log10(mb.clamp(min=FLOOR))).abs().mean(dim=(1, 2))
        return total


class StoiProxy(nn.Module):
    """A differentiable stand-in for STOI (Taal et al. 2011) at 48 kHz, per example: 1 − the mean
    correlation, over 15 one-third-octave bands (150 Hz … 4.3 kHz) and all 384 ms segments (36
    frames of hop 512), of the clean and processed band envelopes. STOI's silent-frame removal and
    its −15 dB clipping are left out; it ranks changes of the core band as STOI does."""

    def __init__(self, sr: int = RATE, n_fft: int = 1024, hop: int = 512, segment: int = 36):
        super().__init__()
        self.n_fft, self.hop, self.segment = n_fft, hop, segment
        freqs = torch.arange(n_fft // 2 + 1) * sr / n_fft
        bands = torch.zeros(15, n_fft // 2 + 1)
        for i in range(15):
            cf = 150.0 * 2 ** (i / 3)
            bands[i] = ((freqs >= cf * 2 ** (-1 / 6)) & (freqs < cf * 2 ** (1 / 6))).float()
        self.register_buffer("bands", bands, persistent=False)
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def envelopes(self, x):
        s = torch.stft(x, self.n_fft, self.hop, window=self.window, center=True, return_complex=True).abs() ** 2
        return torch.sqrt(self.bands @ s + 1e-10)  # [B, 15, T]

    def forward(self, x, y):
        ex = self.envelopes(x).unfold(2, self.segment, 1)  # [B, 15, S, N]
        ey = self.envelopes(y).unfold(2, self.segment, 1)
        ex = ex - ex.mean(-1, keepdim=True)
        ey = ey - ey.mean(-1, keepdim=True)
        corr = (ex * ey).sum(-1) / (ex.norm(dim=-1) * ey.norm(dim=-1) + 1e-8)
        return 1.0 - corr.mean(dim=(1, 2))
