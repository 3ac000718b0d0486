"""In-memory audio crop sampler for the audio codec recipes (24 kHz mono float32).

Loads every ``*.wav`` (scipy.io.wavfile) and ``*.ogg``/``*.opus``/``*.flac``/``*.mp3`` (decoded by
ffmpeg to float32 at the file's own rate) under the given folders, mixes to mono, resamples to
``sr`` with ``scipy.signal.resample_poly`` and keeps one long array per folder (clips joined with
50 ms of silence, so that sub-second clips such as spoken digits still give 1 s crops).

``AudioCropSampler.batch(n)`` returns float32 [n, length] crops:
- the folder is drawn uniformly (so 22 min of 8 kHz digits do not drown 4 min of wideband speech),
  the offset uniformly inside it;
- near-silent crops (RMS below ``silence_db`` dBFS) are redrawn (up to 20 tries);
- each crop is normalised to a random RMS level in ``level_db`` dBFS (random gain);
- with probability ``mix_prob`` a second crop (another random folder) is added 0..-12 dB below;
- the result is clipped to [-1, 1].

Evaluation sets (``datasets/audio/eval``) must never be passed here.
"""
from __future__ import annotations

import json
import os
import subprocess
from fractions import Fraction

import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

AUDIO_EXT = (".wav", ".ogg", ".opus", ".flac", ".mp3")


def _to_float(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.int16:
        return a.astype(np.float32) / 32768.0
    if a.dtype == np.int32:
        return a.astype(np.float32) / 2147483648.0
    if a.dtype == np.uint8:
        return (a.astype(np.float32) - 128.0) / 128.0
    return a.astype(np.float32)


def _ffprobe_rate(path: str) -> int:
    res = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "stream=sample_rate", "-of", "json", path], capture_output=True, text=True,
                         check=True)
    return int(json.loads(res.stdout)["streams"][0]["sample_rate"])


def read_audio(path: str) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate (WAV via scipy, anything else via ffmpeg)."""
    if path.lower().endswith(".wav"):
        rate, a = wavfile.read(path)
        a = _to_float(a)
        if a.ndim == 2:
            a = a.mean(axis=1)
        return a, int(rate)
    rate = _ffprobe_rate(path)
    res = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-ac", "1", "-f", "f32le",
                          "-acodec", "pcm_f32le", "-"], capture_output=True, check=True)
    return np.frombuffer(res.stdout, dtype="<f4").astype(np.float32), rate


def resample(a: np.ndarray, rate: int, sr: int) -> np.ndarray:
    if rate == sr:
        return a.astype(np.float32)
    f = Fraction(sr, rate)
    return resample_poly(a, f.numerator, f.denominator).astype(np.float32)


def load_audio(path: str, sr: int = 24000) -> np.ndarray:
    a, rate = read_audio(path)
    return resample(a, rate, sr)


def list_audio(folder: str) -> list[str]:
    out = []
    for root, _, files in os.walk(folder):
        out += [os.path.join(root, f) for f in files if f.lower().endswith(AUDIO_EXT)]
    return sorted(out)


def load_folder(folder: str, sr: int = 24000, gap_s: float = 0.05) -> np.ndarray:
    """All clips of one folder as one array: clips at the same rate are joined first, then
    resampled once (3000 digit clips resample in one call)."""
    by_rate: dict[int, list[np.ndarray]] = {}
    for path in list_audio(folder):
        a, rate = read_audio(path)
        a = a - float(a.mean()) if a.size else a
        by_rate.setdefault(rate, []).extend([a, np.zeros(int(gap_s * rate), np.float32)])
    parts = [resample(np.concatenate(v), rate, sr) for rate, v in sorted(by_rate.items())]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def rms_db(a: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(a, dtype=np.float64)) + 1e-12))


class AudioCropSampler:
    def __init__(self, folders, length: int = 24000, sr: int = 24000, seed: int = 0,
                 level_db=(-32.0, -14.0), mix_prob: float = 0.2, silence_db: float = -50.0,
                 verbose: bool = True):
        self.length, self.sr = length, sr
        self.level_db, self.mix_prob, self.silence_db = level_db, mix_prob, silence_db
        self.rng = np.random.default_rng(seed)
        self.names, self.tracks = [], []
        for folder in folders:
            a = load_folder(folder, sr)
            if a.size < length:
                if verbose:
                    print(f"audio_data: skipping {folder} ({a.size} samples)", flush=True)
                continue
            self.names.append(os.path.basename(os.path.normpath(folder)))
            self.tracks.append(a)
        if not self.tracks:
            raise ValueError(f"no usable audio in {folders}")
        if verbose:
            print("audio_data: " + ", ".join(f"{n} {t.size / sr / 60:.1f} min"
                                             for n, t in zip(self.names, self.tracks)), flush=True)

    def seconds(self) -> float:
        return sum(t.size for t in self.tracks) / self.sr

    def _raw_crop(self) -> np.ndarray:
        crop = None
        for _ in range(20):
            t = self.tracks[self.rng.integers(len(self.tracks))]
            o = self.rng.integers(0, t.size - self.length + 1)
            crop = t[o:o + self.length]
            if rms_db(crop) > self.silence_db:
                break
        return crop.astype(np.float32)

    def _level(self, a: np.ndarray, target_db: float) -> np.ndarray:
        return a * np.float32(10 ** ((target_db - rms_db(a)) / 20))

    def crop(self) -> np.ndarray:
        target = self.rng.uniform(*self.level_db)
        a = self._level(self._raw_crop(), target)
        if self.rng.random() < self.mix_prob:
            a = a + self._level(self._raw_crop(), target - self.rng.uniform(0.0, 12.0))
        return np.clip(a, -1.0, 1.0).astype(np.float32)

    def batch(self, n: int) -> np.ndarray:
        return np.stack([self.crop() for _ in range(n)])
