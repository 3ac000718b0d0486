"""Latent sequences for training the video codec's inter model: frames of ``video-train`` clips
through the FROZEN intra encoder g_a of an exported hyperprior model.

    /usr/bin/python3 models/train/video/latents.py --out models/.runs/video/latents \
        [--intra models/hyperprior/msh-wf-cpu] [--sequences 24] [--length 4] [--crop 256]

Per clip, ``--sequences`` runs of ``--length`` frames are taken at evenly spread starts, each with
a random frame stride (1 or 2), a random down-scale (1, 1/2, 1/4, as long as the frame stays at
least ``--crop`` on both sides) and one random ``--crop``² window shared by the run's frames.
The output holds y = g_a(x) WITHOUT the rate level's gain (the gain is a per-channel factor
applied after g_a, so training scales y per level itself): ``train.npy`` and ``valid.npy`` of
shape (runs, length, M, crop/8, crop/8) in float16, plus ``meta.json`` (intra model id and hash,
clips, settings).  Clips listed in ``validation-clips.txt`` go to ``valid.npy`` only; the
evaluation clips (``../shared/datasets/video``) are never read.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_DATA = os.path.abspath(os.path.join(REPO, "..", "shared", "datasets", "video-train"))
VIDEO_EXT = (".mp4", ".mkv", ".webm", ".avi", ".y4m", ".mov")


def validation_clips(path: str = os.path.join(HERE, "validation-clips.txt")) -> list[str]:
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def list_clips(root: str) -> list[str]:
    out = []
    for dirpath, _, files in os.walk(root):
        out += [os.path.relpath(os.path.join(dirpath, f), root) for f in files if f.lower().endswith(VIDEO_EXT)]
    return sorted(out)


def probe(path: str) -> tuple[int, int, int]:
    """(width, height, frames) of the first video stream; frames counted by decoding when unknown."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                          "-show_entries", "stream=width,height,nb_read_packets", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True).stdout.strip().split(",")
    return int(out[0]), int(out[1]), int(out[2])


def read_frames(path: str, width: int, height: int, wanted: set[int]):
    """Yields (index, HxWx3 uint8 RGB) for the wanted frame indices, decoding the clip once."""
    cmd = ["ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
           "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    size = width * height * 3
    last = max(wanted)
    try:
        for i in range(last + 1):
            buf = proc.stdout.read(size)
            if len(buf) < size:
                break
            if i in wanted:
                yield i, np.frombuffer(buf, np.uint8).reshape(height, width, 3)
    finally:
        proc.kill()
        proc.wait()


def load_intra(folder: str, entropy: bool = False):
    """An exported hyperprior model as a PyTorch module (its graphs' weights: g_a, h_a, h_s, g_s), plus
    the manifest.  ``entropy``: also its rate levels' gains and the z prior (density fitted to the
    manifest's tables), for the P-frame hyperprior of hyper inter models."""
    from hyperprior.model import build
    from common.warm_start import PREFIX, graph_files, load_onnx_weights, read_initializers, read_manifest
    manifest = read_manifest(folder)
    ch = manifest["channels"]
    files = graph_files(folder, manifest)
    config = {"transform": "wavelet" if "wavelet" in manifest.get("variant", "") else "gdn",
              "N": ch["N"], "M": ch["M"], "lambdas": [l["lambda"] for l in manifest["rateLevels"]]}
    refine = read_initializers(files)[0].get(PREFIX + "g_a.refine.0.weight")
    if refine is not None:  # the nonlinear encoder branch (hyperprior/wavelet_front.py RefinedEncoder)
        config["encoderRefine"] = int(refine.shape[0])
    model = build(config)
    _, _, unexpected = load_onnx_weights(model, files, verbose=True)
    stray = [n for n in unexpected if n.startswith(PREFIX + "g_a.")]
    if stray:  # an encoder part the model lacks would silently give other latents than the codec's
        raise ValueError(f"{folder}: encoder weights the rebuilt model has no place for: {stray}")
    if entropy:
        from common.warm_start import restore_bottleneck, restore_rate_levels
        restore_rate_levels(model, manifest)
        restore_bottleneck(model.entropy_bottleneck, manifest["entropyBottleneck"])
    model.eval()
    return model, manifest


def model_hash(folder: str) -> str:
    """The model hash the TypeScript store computes (src/model/store.ts hashModelDir): SHA-256 over
    the sorted file names (each followed by a NUL) and contents of the folder's files."""
    import hashlib
    h = hashlib.sha256()
    for name in sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f))):
        h.update(name.encode() + b"\0")
        with open(os.path.join(folder, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--intra", default=os.path.join(REPO, "models", "hyperprior", "msh-wf-cpu"))
    p.add_argument("--out", default=os.path.join(REPO, "models", ".runs", "video", "latents"))
    p.add_argument("--sequences", type=int, default=24)
    p.add_argument("--length", type=int, default=4)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    model, manifest = load_intra(args.intra)
    valid_names = set(validation_clips())
    clips = list_clips(args.data)
    missing = valid_names - set(clips)
    if missing:
        raise SystemExit(f"validation clips missing from {args.data}: {sorted(missing)}")
    os.makedirs(args.out, exist_ok=True)
    out = {"train": [], "valid": []}
    t0 = time.time()
    for ci, name in enumerate(clips):
        path = os.path.join(args.data, name)
        try:
            w, h, n = probe(path)
        except Exception as err:  # noqa: BLE001 - one unreadable clip must not end the run
            print(f"skip {name}: {err}", flush=True)
            continue
        runs = []
        for s in range(args.sequences):
            stride = int(rng.integers(1, 3))
            span = stride * (args.length - 1) + 1
            if n < span:
                continue
            start = int((n - span) * s / max(1, args.sequences - 1))
            scales = [f for f in (1, 2, 4) if w // f >= args.crop and h // f >= args.crop]
            if not scales:
                continue
            f = int(rng.choice(scales))
            cx = int(rng.integers(0, w // f - args.crop + 1))
            cy = int(rng.integers(0, h // f - args.crop + 1))
            runs.append({"frames": [start + k * stride for k in range(args.length)], "scale": f, "x": cx, "y": cy})
        if not runs:
            print(f"skip {name}: {w}x{h}, {n} frames is too small", flush=True)
            continue
        wanted = {i for r in runs for i in r["frames"]}
        frames = dict(read_frames(path, w, h, wanted))
        split = "valid" if name in valid_names else "train"
        kept = 0
        for r in runs:
            if not all(i in frames for i in r["frames"]):
                continue
            x = torch.from_numpy(np.stack([frames[i] for i in r["frames"]])).permute(0, 3, 1, 2).float() / 255
            if r["scale"] > 1:
                x = F.avg_pool2d(x, r["scale"])
            x = x[:, :, r["y"]:r["y"] + args.crop, r["x"]:r["x"] + args.crop]
            with torch.no_grad():
                y = model.g_a(x)
            out[split].append(y.half().numpy())
            kept += 1
        print(f"[{ci + 1}/{len(clips)}] {name} {w}x{h} {n} frames -> {kept} runs ({split}); "
              f"{time.time() - t0:.0f} s", flush=True)
    meta = {"intra": {"id": manifest["id"], "hash": model_hash(args.intra),
                      "folder": os.path.relpath(args.intra, REPO)},
            "clips": clips, "validation": sorted(valid_names), "length": args.length, "crop": args.crop,
            "sequences": args.sequences, "seed": args.seed,
            "runs": {k: len(v) for k, v in out.items()}}
    for split, arrs in out.items():
        np.save(os.path.join(args.out, f"{split}.npy"), np.stack(arrs))
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta["runs"]), flush=True)


if __name__ == "__main__":
    main()
