"""Training data of the Opus post-filter (issue 16): every folder of ../shared/datasets/audio/train,
decoded once to 48 kHz mono float32 and cached, with a validation split from the four folders
added on 2026-12-04 (no model had seen them).

    /usr/bin/python3 models/train/postfilter/data.py            # build the cache (≈ 7 min, once)

Cache: models/.runs/postfilter/cache/
  <folder>.clean.f32      one array per training folder: its files (validation files left out),
                          each at a random level of -32 … -14 dBFS (seeded), joined by 50 ms of silence
  validation.clean.f32    the validation files the same way, in one array
  index.json              folders, sample counts, the validation file list
The Opus-decoded partners (<name>.opus<kbps>.f32) are written by opus_pairs.mjs with the very
libopus build the codec runs (the native addon's libopus 1.5.2), so the filter trains on the decoder's own input.

The validation files are listed in models/train/postfilter/validation-audio.txt (every 8th file, by
sorted path, of speech-prompts-16k, speech-words-44k, music-games and sounds-44k). ../shared/
datasets/audio/eval is never read here.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common.audio_data import list_audio, read_audio, resample, rms_db  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
TRAIN_ROOT = os.path.join(REPO, "..", "shared", "datasets", "audio", "train")
CACHE = os.path.join(REPO, "models", ".runs", "postfilter", "cache")
VALIDATION_LIST = os.path.join(HERE, "validation-audio.txt")
NEW_FOLDERS = ("speech-prompts-16k", "speech-words-44k", "music-games", "sounds-44k")
RATE = 48000
VALIDATION_EVERY = 8


def validation_files() -> list[str]:
    """Paths relative to audio/train; written to validation-audio.txt the first time."""
    if os.path.exists(VALIDATION_LIST):
        with open(VALIDATION_LIST) as f:
            return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    out = []
    for folder in NEW_FOLDERS:
        files = list_audio(os.path.join(TRAIN_ROOT, folder))
        out += [os.path.relpath(p, TRAIN_ROOT) for p in files[::VALIDATION_EVERY]]
    with open(VALIDATION_LIST, "w") as f:
        f.write("# validation split of the Opus post-filter (data.py): every 8th file of the four folders\n"
                "# added on 2026-12-04; never trained on. Paths relative to ../shared/datasets/audio/train\n")
        f.write("\n".join(out) + "\n")
    return out


def join(paths: list[str], rng: np.random.Generator, gap_s: float = 0.05) -> np.ndarray:
    parts = []
    gap = np.zeros(int(gap_s * RATE), np.float32)
    for i, p in enumerate(paths):
        a, rate = read_audio(p)
        if a.size < 64:
            continue
        a = resample(a - float(a.mean()), rate, RATE)
        level = rms_db(a)
        if level > -70:  # random level, so the core and the filter see quiet and loud input
            a = a * np.float32(10 ** ((rng.uniform(-32.0, -14.0) - level) / 20))
        parts += [np.clip(a, -1, 1).astype(np.float32), gap]
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(paths)}", flush=True)
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def main():
    os.makedirs(CACHE, exist_ok=True)
    rng = np.random.default_rng(16)
    val = set(validation_files())
    index = {"rate": RATE, "folders": {}, "validation": sorted(val)}
    for folder in sorted(os.listdir(TRAIN_ROOT)):
        root = os.path.join(TRAIN_ROOT, folder)
        if not os.path.isdir(root):
            continue
        paths = [p for p in list_audio(root) if os.path.relpath(p, TRAIN_ROOT) not in val]
        print(f"{folder}: {len(paths)} files", flush=True)
        a = join(paths, rng)
        a.tofile(os.path.join(CACHE, f"{folder}.clean.f32"))
        index["folders"][folder] = {"files": len(paths), "samples": int(a.size)}
        print(f"{folder}: {a.size / RATE / 60:.1f} min", flush=True)
    v = join([os.path.join(TRAIN_ROOT, p) for p in sorted(val)], rng)
    v.tofile(os.path.join(CACHE, "validation.clean.f32"))
    index["validationSamples"] = int(v.size)
    print(f"validation: {len(val)} files, {v.size / RATE / 60:.1f} min", flush=True)
    with open(os.path.join(CACHE, "index.json"), "w") as f:
        json.dump(index, f, indent=1)


if __name__ == "__main__":
    main()
