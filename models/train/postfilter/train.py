"""Train the Opus post-filter (model.py) on pairs (clean, Opus-decoded) from the cache of data.py and
opus_pairs.mjs — resumable; checkpoints by validation mel distance.

    /usr/bin/python3 models/train/postfilter/data.py          # once: decode the training folders
    node models/train/postfilter/opus_pairs.mjs               # once: the core's output beside them (5.8, 11.7 kbps)
    /usr/bin/python3 models/train/postfilter/train.py --run pf-c128 --resume

Each step draws --batch crops of --crop samples at 48 kHz: the folder uniformly (22 min of 8 kHz
digits do not drown the rest), the offset uniformly, one of the --kbps core versions, crops that are
near silence redrawn. Loss: the bench's mel distance (model.MelDistance, DAC's 7 scales) of the
filtered core against the clean crop, plus --stoi-weight × model.StoiProxy (1 − envelope correlation). Every --val-every steps the whole validation array
(validation-audio.txt: 40 pieces of 4 s spread over it) is filtered and scored; best.pt keeps the lowest mean mel
distance at the first --kbps. Checkpoints live in models/.runs/postfilter/<run>/ (latest.pt on
--save-every seconds and SIGTERM, mirrored like the other recipes); metrics.jsonl has every
validation.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import checkpoint  # noqa: E402
from postfilter.model import RATE, MelDistance, PostFilter, StoiProxy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CACHE = os.path.join(REPO, "models", ".runs", "postfilter", "cache")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="pf-c128")
    p.add_argument("--runs-root", default=os.path.join(REPO, "models", ".runs", "postfilter"))
    p.add_argument("--mirror-root", default=checkpoint.mirror_root("postfilter"))
    p.add_argument("--cache", default=CACHE)
    p.add_argument("--kbps", type=float, nargs="+", default=[5.8, 11.7])
    p.add_argument("--channels", type=int, default=128)
    p.add_argument("--crop", type=int, default=RATE)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--stoi-weight", type=float, default=1.0, help="weight of model.StoiProxy beside the mel distance")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--steps", type=int, default=30000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--complexity", type=int, nargs="+", default=None,
                   help="libopus complexity of the core at each --kbps (default 8 each; the model's levels[].coreComplexity)")
    p.add_argument("--init-from", help="a checkpoint (.pt) or an exported model folder (models/opuspf/<id>) to start "
                                       "from when there is none to resume")
    p.add_argument("--val-every", type=int, default=500)
    p.add_argument("--save-every", type=float, default=300.0)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--max-seconds", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def core_suffix(kbps: float, complexity: int) -> str:
    """The cache file suffix of the core's output at one setting (opus_pairs.mjs `suffix`)."""
    return f".opus{kbps:g}{'' if complexity == 8 else f'c{complexity}'}.f32"


def ensure_cache(cache: str, kbps: list[float], complexity: list[int]) -> None:
    """Builds what is missing of the cache (a fresh machine: data.py, then opus_pairs.mjs, ≈ 12 min)."""
    if not os.path.exists(os.path.join(cache, "index.json")):
        from postfilter import data
        print("cache: decoding the training folders (data.py)", flush=True)
        data.main()
    names = [f[:-len(".clean.f32")] for f in os.listdir(cache) if f.endswith(".clean.f32")]
    if any(not os.path.exists(os.path.join(cache, n + core_suffix(k, c))) for n in names for k, c in zip(kbps, complexity)):
        print("cache: coding it with the Opus core (opus_pairs.mjs)", flush=True)
        subprocess.run(["node", os.path.join(HERE, "opus_pairs.mjs"), "--cache", cache, "--kbps", ",".join(f"{k:g}" for k in kbps),
                        "--complexity", ",".join(map(str, complexity))], cwd=REPO, check=True)


def load_pairs(cache: str, kbps: list[float], complexity: list[int]):
    ensure_cache(cache, kbps, complexity)
    with open(os.path.join(cache, "index.json")) as f:
        index = json.load(f)
    folders = []
    for name in sorted(index["folders"]):
        clean = np.fromfile(os.path.join(cache, f"{name}.clean.f32"), dtype="<f4")
        cores = [np.fromfile(os.path.join(cache, name + core_suffix(k, c)), dtype="<f4") for k, c in zip(kbps, complexity)]
        if clean.size < RATE or any(c.size != clean.size for c in cores):
            raise SystemExit(f"{name}: cache inconsistent (delete {cache} and run again)")
        folders.append((name, clean, cores))
    val_clean = np.fromfile(os.path.join(cache, "validation.clean.f32"), dtype="<f4")
    val_cores = [np.fromfile(os.path.join(cache, "validation" + core_suffix(k, c)), dtype="<f4") for k, c in zip(kbps, complexity)]
    return folders, val_clean, val_cores


def draw(folders, rng, n, crop, kbps_count):
    xs, cs = [], []
    for _ in range(n):
        for _try in range(20):
            _, clean, cores = folders[rng.integers(len(folders))]
            o = rng.integers(0, clean.size - crop + 1)
            x = clean[o:o + crop]
            if np.mean(np.square(x, dtype=np.float64)) > 1e-7:
                break
        k = rng.integers(kbps_count)
        xs.append(x)
        cs.append(cores[k][o:o + crop])
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(cs))


@torch.no_grad()
def validate(model, mel, stoi, clean, cores, piece=4 * RATE, max_pieces=40):
    """Per core bitrate, means over 4 s pieces: (mel filtered, mel core alone, STOI proxy filtered,
    STOI proxy core alone)."""
    model.eval()
    out = []
    gen = torch.Generator().manual_seed(1)
    for core in cores:
        f_sum = c_sum = fs_sum = cs_sum = 0.0
        count = 0
        starts = np.arange(0, clean.size - piece + 1, piece)
        for o in starts[np.linspace(0, starts.size - 1, min(starts.size, max_pieces)).round().astype(int)]:
            x = torch.from_numpy(clean[o:o + piece])[None]
            c = torch.from_numpy(core[o:o + piece])[None]
            y = model(c, gen)
            f_sum += float(mel(x, y))
            c_sum += float(mel(x, c))
            fs_sum += float(stoi(x, y))
            cs_sum += float(stoi(x, c))
            count += 1
        out.append((f_sum / count, c_sum / count, fs_sum / count, cs_sum / count))
    model.train()
    return out


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run_dir = os.path.join(args.runs_root, args.run)
    mirror = os.path.join(args.mirror_root, args.run) if args.mirror_root else None
    os.makedirs(run_dir, exist_ok=True)
    complexity = args.complexity or [8] * len(args.kbps)
    if len(complexity) != len(args.kbps):
        raise SystemExit("--complexity needs one value per --kbps")
    folders, val_clean, val_cores = load_pairs(args.cache, args.kbps, complexity)
    print("data: " + ", ".join(f"{n} {c.size / RATE / 60:.1f} min" for n, c, _ in folders)
          + f"; validation {val_clean.size / RATE / 60:.1f} min", flush=True)

    model = PostFilter(args.channels)
    mel = MelDistance()
    stoi = StoiProxy()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, wall, best = 0, 0.0, float("inf")
    latest = checkpoint.find_latest(run_dir, mirror) if args.resume else None
    source = latest or args.init_from
    if source and not latest and os.path.isdir(source):
        # an exported model folder: the graph's initializers are the network's (export.py Deployed.net)
        from common.warm_start import load_onnx_weights
        load_onnx_weights(model, [os.path.join(source, "postfilter.onnx")], strip_prefix="")
        print(f"initialised from the export {source}", flush=True)
    elif source:
        state = checkpoint.load(source)
        model.load_state_dict(state["model"])
        if latest:
            opt.load_state_dict(state["opt"])
            step, wall, best = state["step"], state["wall_s"], state.get("best", best)
        print(f"{'resumed' if latest else 'initialised'} from {source} (step {state['step']})", flush=True)
    rng = np.random.default_rng(args.seed + step)

    stop = {"now": False}
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stop.update(now=True))

    def save(is_best: bool):
        checkpoint.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "wall_s": wall,
                         "best": best, "config": {"channels": args.channels, "kbps": args.kbps, "complexity": complexity}},
                        run_dir, mirror, is_best)

    if source and not latest:
        # the starting point's figure on this run's validation pairs: what best.pt must beat to be worth exporting
        val = validate(model, mel, stoi, val_clean, val_cores)
        best = val[0][0]
        print("validation at the start " + "  ".join(f"{k} kbps: mel {f:.4f} (core {c:.4f}) 1-stoi~ {sf:.4f} (core {sc:.4f})"
                                                     for k, (f, c, sf, sc) in zip(args.kbps, val)), flush=True)

    t_start, t_save = time.time(), time.time()
    wall0 = wall
    loss_sum, n_sum, t_log = 0.0, 0, time.time()
    while step < args.steps and not stop["now"]:
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.5 * (1 + np.cos(np.pi * step / args.steps)))
        for g in opt.param_groups:
            g["lr"] = lr
        x, c = draw(folders, rng, args.batch, args.crop, len(args.kbps))
        y = model(c)
        loss = mel(x, y).mean()
        if args.stoi_weight:
            loss = loss + args.stoi_weight * stoi(x, y).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        wall = wall0 + time.time() - t_start
        loss_sum += float(loss)
        n_sum += 1
        if step % args.log_every == 0:
            print(f"step {step} loss {loss_sum / n_sum:.4f} lr {lr:.2e} s/step {(time.time() - t_log) / n_sum:.3f} "
                  f"wall {wall / 3600:.2f}h", flush=True)
            loss_sum, n_sum, t_log = 0.0, 0, time.time()
        if step % args.val_every == 0 or step == args.steps:
            val = validate(model, mel, stoi, val_clean, val_cores)
            is_best = val[0][0] < best
            best = min(best, val[0][0])
            line = {"step": step, "wall_s": wall,
                    "validation": {str(k): {"mel": f, "melCore": c, "stoiProxy": sf, "stoiProxyCore": sc}
                                   for k, (f, c, sf, sc) in zip(args.kbps, val)}}
            with open(os.path.join(run_dir, "metrics.jsonl"), "a") as f:
                f.write(json.dumps(line) + "\n")
            print("validation " + "  ".join(f"{k} kbps: mel {f:.4f} (core {c:.4f}) 1-stoi~ {sf:.4f} (core {sc:.4f})"
                                            for k, (f, c, sf, sc) in zip(args.kbps, val))
                  + (" (best)" if is_best else ""), flush=True)
            save(is_best)
            t_save = time.time()
        elif time.time() - t_save > args.save_every:
            save(False)
            t_save = time.time()
        if args.max_seconds and time.time() - t_start > args.max_seconds:
            break
    save(False)
    print(f"stopped at step {step}", flush=True)


if __name__ == "__main__":
    main()
