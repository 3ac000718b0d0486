"""Train on a GPU machine from a pack (pack.py) alone, within a wall-time budget (issue 12).

    models/train/gpu/run models/train/gpu/.pack "$OUT"            # on the GPU machine (<= 540 s)
    models/train/gpu/run models/train/gpu/.pack /tmp/out --dry    # here: 10 steps on the CPU

It runs the pack's recipe (the same training code as the CPU runs) with the plan's flags and
these overrides: ``--device cuda --amp`` (bf16 autocast; the entropy models stay float32),
``--crop 256 --batch 16``, ``--data <pack>/images``, and ``--max-seconds`` so that the whole call,
start-up and saving included, ends within ``--seconds`` (540).  It starts from the pack's
``init.pt`` when there is one (fresh Adam) and otherwise as the flags say (e.g. from the
committed export).  The result goes to OUT as ``weights.pt`` (model weights, step, wall time,
config and history; no optimizer state), stored float32 when that fits in 60 MB and float16
otherwise, split into ``weights.pt.partNN`` files of at most 15 MB, plus ``result.json``
and ``train.log``: at most 8 files, 64 MB in all.  ``unpack`` (unpack.py) turns them back into
the run's checkpoint here.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

T0 = time.time()
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PART_BYTES = 15 * 1000 * 1000


def split_write(blob: bytes, out: str, name: str) -> list[str]:
    parts = []
    for i in range(0, max(len(blob), 1), PART_BYTES):
        path = os.path.join(out, f"{name}.part{i // PART_BYTES:02d}")
        with open(path, "wb") as f:
            f.write(blob[i:i + PART_BYTES])
        parts.append(os.path.basename(path))
    return parts


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pack")
    p.add_argument("out")
    p.add_argument("--seconds", type=float, default=540.0, help="wall-time budget of the whole call")
    p.add_argument("--dry", action="store_true", help="10 steps on the CPU (checks the pack and the script)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=256)
    args = p.parse_args(argv)

    import torch
    pack = os.path.abspath(args.pack)
    with open(os.path.join(pack, "recipe.json")) as f:
        recipe = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    runs_root = tempfile.mkdtemp(prefix="gpu-runs-")
    run_dir = os.path.join(runs_root, recipe["run"])
    os.makedirs(run_dir)
    if os.path.exists(os.path.join(pack, "init.pt")):
        shutil.copyfile(os.path.join(pack, "init.pt"), os.path.join(run_dir, "latest.pt"))
    cuda = torch.cuda.is_available() and not args.dry
    if not cuda and not args.dry:
        raise SystemExit("no CUDA device: run with --dry to test on the CPU")
    device = ["--device", "cuda", "--amp", "--threads", "8"] if cuda else ["--device", "cpu", "--threads", "2"]
    limit = ["--steps", str((recipe["init"] or {}).get("step", 0) + 10)] if args.dry else \
        ["--max-seconds", str(max(30.0, args.seconds - (time.time() - T0) - 60.0))]
    cmd = [sys.executable, os.path.join(REPO, recipe["recipe"]), "--run", recipe["run"], "--runs-root", runs_root,
           "--mirror-root", "", "--resume", *recipe["flags"], "--data", os.path.join(pack, "images"),
           "--crop", str(args.crop), "--batch", str(args.batch), "--save-every", "120", "--log-every", "25",
           *device, *limit]
    print(" ".join(cmd), flush=True)
    log_path = os.path.join(args.out, "train.log")
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            logf.write(line)
            logf.flush()
            if not line.startswith("  level"):
                print(line, end="", flush=True)
        code = proc.wait()
    latest = os.path.join(run_dir, "latest.pt")
    if not os.path.exists(latest):
        raise SystemExit(f"training wrote no checkpoint (exit {code}); see {log_path}")
    state = torch.load(latest, map_location="cpu", weights_only=False) if "weights_only" in \
        torch.load.__code__.co_varnames else torch.load(latest, map_location="cpu")
    keep = {k: state[k] for k in ("model", "step", "wall_s", "config", "history", "init_from", "train") if k in state}
    import io
    buf = io.BytesIO()
    torch.save(keep, buf)
    dtype = "float32"
    if buf.tell() > 60e6:
        keep["model"] = {k: (v.half() if v.is_floating_point() else v) for k, v in keep["model"].items()}
        buf = io.BytesIO()
        torch.save(keep, buf)
        dtype = "float16"
    parts = split_write(buf.getvalue(), args.out, "weights.pt")
    result = {"run": recipe["run"], "family": recipe["family"], "step": int(state["step"]),
              "wall_s": float(state["wall_s"]), "startStep": (recipe["init"] or {}).get("step"),
              "exit": code, "weights": parts, "dtype": dtype, "device": torch.cuda.get_device_name(0) if cuda else "cpu",
              "torch": torch.__version__, "seconds": round(time.time() - T0, 1),
              "lastReport": state.get("history", {}).get("last_report")}
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "lastReport"}), flush=True)
    shutil.rmtree(runs_root, ignore_errors=True)


if __name__ == "__main__":
    main()
