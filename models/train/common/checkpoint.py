"""Resumable checkpoints: ``latest.pt`` and ``best.pt`` in the run folder, written atomically,
with ``latest.pt`` mirrored to a folder outside the work tree (``mirror_root(family)``:
``$NCODEC_RUNS_MIRROR/<family>/<run>/``, default ``~/.ncodec-runs``; empty disables it) so a
later session on the same machine can resume even when the repository is checked out anew.
"""
from __future__ import annotations

import os
import shutil

import torch


def mirror_root(family: str) -> str:
    """The default mirror folder of a family's runs ('' when NCODEC_RUNS_MIRROR is set empty)."""
    base = os.environ.get("NCODEC_RUNS_MIRROR", os.path.join(os.path.expanduser("~"), ".ncodec-runs"))
    return os.path.join(base, family) if base else ""


def atomic_save(obj, path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def atomic_copy(src: str, dst: str) -> None:
    """Copies ``src`` to ``dst`` through a temporary file, so ``dst`` is never half written."""
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    shutil.copyfile(src, dst + ".tmp")
    os.replace(dst + ".tmp", dst)


def save(state: dict, run_dir: str, mirror_dir: str | None, best: bool) -> None:
    latest = os.path.join(run_dir, "latest.pt")
    atomic_save(state, latest)
    if best:
        atomic_copy(latest, os.path.join(run_dir, "best.pt"))
    if mirror_dir:
        try:
            atomic_copy(latest, os.path.join(mirror_dir, "latest.pt"))
            if best:
                atomic_copy(latest, os.path.join(mirror_dir, "best.pt"))
        except OSError as err:  # the mirror is a convenience, never a reason to stop training
            print(f"warning: could not mirror checkpoint to {mirror_dir}: {err}", flush=True)


def find_latest(run_dir: str, mirror_dir: str | None) -> str | None:
    """The ``latest.pt`` with the highest step among the run folder and its mirror."""
    best_path, best_step = None, -1
    for folder in (run_dir, mirror_dir):
        if not folder:
            continue
        path = os.path.join(folder, "latest.pt")
        if os.path.exists(path):
            step = load(path).get("step", 0)
            if step > best_step:
                best_path, best_step = path, step
    return best_path


def load(path: str, device="cpu") -> dict:
    """torch.load of our own checkpoints (plain dicts; PyTorch >= 2.6 needs weights_only=False)."""
    try:
        return torch.load(path, map_location=device, weights_only=False)
    except TypeError:  # PyTorch < 1.13 has no weights_only
        return torch.load(path, map_location=device)
