"""Audio losses shared by the audio recipes (rvq/, wavelet/train_audio.py, their exports).

* ``SpectralLosses``: multi-scale log-mel L1 (DAC's windows 64..2048 and mel counts) and
  multi-resolution STFT (spectral convergence + log-magnitude L1), per example.
* ``si_snr``: scale-invariant SNR in dB per example.
* ``MSSTFTDiscriminator`` (EnCodec's multi-scale STFT discriminator), ``disc_loss`` (hinge) and
  ``gen_adv_loss`` (generator hinge + relative feature matching), for adversarial training.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SAMPLE_RATE = 24000


# --------------------------------------------------------------------------- losses
def mel_filterbank(sr, n_fft, n_mels, fmin=0.0, fmax=None):
    """Slaney-style triangular mel filters (HTK mel scale), [n_mels, n_fft//2+1]."""
    fmax = fmax or sr / 2
    mel = lambda f: 2595 * np.log10(1 + f / 700.0)  # noqa: E731
    imel = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    pts = imel(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    fb = np.zeros((n_mels, freqs.size), np.float32)
    for i in range(n_mels):
        lo, c, hi = pts[i], pts[i + 1], pts[i + 2]
        up = (freqs - lo) / max(c - lo, 1e-9)
        down = (hi - freqs) / max(hi - c, 1e-9)
        fb[i] = np.maximum(0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return torch.from_numpy(fb)


class SpectralLosses(nn.Module):
    """Multi-scale log-mel L1 (DAC windows/mels) and multi-resolution STFT
    (spectral convergence + log-magnitude L1)."""

    MEL = [(64, 8), (128, 16), (256, 32), (512, 64), (1024, 128), (2048, 256)]  # (window, n_mels)
    STFT = [512, 1024, 2048]

    def __init__(self, sr=SAMPLE_RATE):
        super().__init__()
        for w, m in self.MEL:
            self.register_buffer(f"fb{w}", mel_filterbank(sr, w, m), persistent=False)
        for w in sorted({w for w, _ in self.MEL} | set(self.STFT)):
            self.register_buffer(f"win{w}", torch.hann_window(w), persistent=False)

    def mag(self, x, w):
        s = torch.stft(x, w, hop_length=w // 4, window=getattr(self, f"win{w}"), center=True,
                       return_complex=True)
        return s.abs()

    def forward(self, x, x_hat):
        """x, x_hat [B, T] float32. Returns dict of per-example [B] losses."""
        mel, stft = 0.0, 0.0
        mags = {}
        for w in sorted({w for w, _ in self.MEL} | set(self.STFT)):
            mags[w] = (self.mag(x, w), self.mag(x_hat, w))
        for w, _ in self.MEL:
            fb = getattr(self, f"fb{w}")
            a, b = (torch.matmul(fb, m) for m in mags[w])
            mel = mel + (torch.log10(a.clamp(min=1e-5)) - torch.log10(b.clamp(min=1e-5))).abs().mean(dim=(1, 2))
        for w in self.STFT:
            a, b = mags[w]
            sc = torch.linalg.norm((a - b).flatten(1), dim=1) / torch.linalg.norm(a.flatten(1), dim=1).clamp(min=1e-5)
            lm = (torch.log(a.clamp(min=1e-5)) - torch.log(b.clamp(min=1e-5))).abs().mean(dim=(1, 2))
            stft = stft + sc + lm
        return {"mel": mel / len(self.MEL), "stft": stft / len(self.STFT)}


def si_snr(x, x_hat, eps=1e-8):
    """Scale-invariant SNR in dB per example; x, x_hat [B, T]."""
    x = x - x.mean(-1, keepdim=True)
    x_hat = x_hat - x_hat.mean(-1, keepdim=True)
    proj = (x_hat * x).sum(-1, keepdim=True) / ((x * x).sum(-1, keepdim=True) + eps) * x
    noise = x_hat - proj
    return 10 * torch.log10((proj.pow(2).sum(-1) + eps) / (noise.pow(2).sum(-1) + eps))


# --------------------------------------------------------------------------- discriminator
class STFTDisc(nn.Module):
    """One EnCodec-style STFT discriminator on (real, imag) of a complex STFT."""

    def __init__(self, n_fft, ch=32):
        super().__init__()
        self.n_fft = n_fft
        self.register_buffer("win", torch.hann_window(n_fft), persistent=False)
        k, lrelu = (3, 9), nn.LeakyReLU(0.2)
        self.convs = nn.ModuleList([
            nn.Sequential(nn.Conv2d(2, ch, k, padding=(1, 4)), lrelu),
            nn.Sequential(nn.Conv2d(ch, ch, k, stride=(1, 2), dilation=(1, 1), padding=(1, 4)), lrelu),
            nn.Sequential(nn.Conv2d(ch, ch, k, stride=(1, 2), dilation=(2, 1), padding=(2, 4)), lrelu),
            nn.Sequential(nn.Conv2d(ch, ch, k, stride=(1, 2), dilation=(4, 1), padding=(4, 4)), lrelu),
            nn.Sequential(nn.Conv2d(ch, ch, (3, 3), padding=(1, 1)), lrelu),
        ])
        self.post = nn.Conv2d(ch, 1, (3, 3), padding=(1, 1))

    def forward(self, x):  # x [B, T]
        s = torch.stft(x, self.n_fft, hop_length=self.n_fft // 4, window=self.win, return_complex=True)
        h = torch.stack([s.real, s.imag], 1).transpose(2, 3)  # [B, 2, frames, freq]
        feats = []
        for c in self.convs:
            h = c(h)
            feats.append(h)
        return self.post(h), feats


class MSSTFTDiscriminator(nn.Module):
    def __init__(self, ffts=(2048, 1024, 512), ch=32):
        super().__init__()
        self.discs = nn.ModuleList([STFTDisc(n, ch) for n in ffts])

    def forward(self, x):
        return [d(x) for d in self.discs]


def disc_loss(disc, x, x_hat):
    """Hinge loss for the discriminator (x_hat detached by the caller)."""
    loss = 0.0
    for (lr, _), (lf, _) in zip(disc(x), disc(x_hat)):
        loss = loss + F.relu(1 - lr).mean() + F.relu(1 + lf).mean()
    return loss / len(disc.discs)


def gen_adv_loss(disc, x, x_hat):
    """Generator hinge loss and relative feature-matching loss."""
    adv, fm = 0.0, 0.0
    with torch.no_grad():
        real = disc(x)
    fake = disc(x_hat)
    for (_, fr), (lf, ff) in zip(real, fake):
        adv = adv + F.relu(1 - lf).mean()
        for a, b in zip(fr, ff):
            fm = fm + (a - b).abs().mean() / (a.abs().mean() + 1e-5)
    n = len(disc.discs)
    return adv / n, fm / (n * len(real[0][1]))
