"""Bring a GPU run's result (run.py's OUT folder) back as the run's checkpoint here.

    /usr/bin/python3 models/train/gpu/unpack.py <folder with result.json and weights.pt.partNN>

Joins the parts, casts float16 weights back to float32, and writes
``models/.runs/<family>/<run>/latest.pt`` (mirrored as usual) when its step is ahead of the local
checkpoint; the local one is kept as ``latest-before-gpu.pt``.  The next CPU slice resumes from
it with a fresh Adam (the GPU run returns no optimizer state).
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        raise SystemExit(__doc__)
    import torch
    from common import checkpoint
    from common.checkpoint import mirror_root
    src = argv[0]
    with open(os.path.join(src, "result.json")) as f:
        result = json.load(f)
    blob = b"".join(open(os.path.join(src, p), "rb").read() for p in result["weights"])
    state = torch.load(io.BytesIO(blob), map_location="cpu")
    state["model"] = {k: (v.float() if v.is_floating_point() else v) for k, v in state["model"].items()}
    state.setdefault("train", {})["gpu"] = {k: result[k] for k in ("device", "torch", "startStep", "seconds")}
    run_dir = os.path.join(REPO, "models", ".runs", result["family"], result["run"])
    os.makedirs(run_dir, exist_ok=True)
    latest = os.path.join(run_dir, "latest.pt")
    mroot = mirror_root(result["family"])
    newest = checkpoint.find_latest(run_dir, os.path.join(mroot, result["run"]) if mroot else None)
    local_step = checkpoint.load(newest)["step"] if newest else -1
    if local_step >= state["step"]:
        raise SystemExit(f"local checkpoint is at step {local_step}, the GPU result at {state['step']}: kept the local one")
    if os.path.exists(latest):
        shutil.copyfile(latest, os.path.join(run_dir, "latest-before-gpu.pt"))
    checkpoint.save(state, run_dir, os.path.join(mroot, result["run"]) if mroot else None, best=False)
    print(f"{result['run']}: step {local_step} -> {state['step']} from {result['device']} ({result['seconds']} s)")


if __name__ == "__main__":
    main()
