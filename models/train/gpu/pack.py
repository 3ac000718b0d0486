"""Build the self-contained folder a GPU machine trains from (issue 12): ``models/train/gpu/.pack/``.

    models/train/gpu/pack [--run msh-wf] [--budget-mb 30]

A GPU machine receives the checkout's tracked files plus the folders named in ``carry``, 64 MB
in all, and nothing of ``../shared``.  The pack holds:

* ``images/``: every training image of the run's image folders except the validation split
  (models/train/validation-images.txt), as JPEG 4:4:4 at the highest quality (95 down to 80)
  that keeps the pack within ``--budget-mb`` and the checkout + pack within 62 MB;
* ``init.pt``: the newest checkpoint of the run (weights in float16 and the step only: no
  optimizer state; the GPU run starts a fresh Adam), or nothing when the run has none (the recipe then starts from
  the export its flags name, which is in the checkout);
* ``recipe.json``: the run (id, family, recipe, flags from models/train/campaign.json).

Then ``run`` trains from it (run.py).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PACK = os.path.join(HERE, ".pack")
TOTAL_LIMIT_MB = 62.0


def tracked_bytes() -> int:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    return sum(os.path.getsize(os.path.join(REPO, f.decode())) for f in files if f and os.path.exists(os.path.join(REPO, f.decode())))


def strip_checkpoint(src: str, dst: str) -> dict:
    import torch
    from common import checkpoint
    st = checkpoint.load(src)
    keep = {k: st[k] for k in ("model", "step", "wall_s", "config", "history", "init_from", "train") if k in st}
    keep["history"] = {k: v for k, v in keep.get("history", {}).items() if k != "last_report"}
    # float16 halves the pack's share of the 64 MB; Adam starts anew on the GPU anyway
    keep["model"] = {k: (v.half() if v.is_floating_point() else v) for k, v in keep["model"].items()}
    torch.save(keep, dst)
    return {"step": int(st["step"]), "wall_s": float(st["wall_s"])}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default="msh-wf", help="a run of models/train/campaign.json")
    p.add_argument("--budget-mb", type=float, default=30.0)
    p.add_argument("--out", default=PACK)
    args = p.parse_args(argv)

    from campaign import load_plan, newest_checkpoint, run_entry
    from common.data import list_images, load_rgb
    from PIL import Image

    run = run_entry(load_plan(), args.run)
    data = [os.path.join(REPO, "..", "shared", "datasets", "images-train", d) for d in ("urban100", "sunhays80", "bsd100")]
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(os.path.join(args.out, "images"))
    ckpt = newest_checkpoint(run)
    init = None
    if ckpt:
        init = strip_checkpoint(ckpt, os.path.join(args.out, "init.pt"))
        init["from"] = os.path.relpath(ckpt, REPO)
    ckpt_mb = os.path.getsize(os.path.join(args.out, "init.pt")) / 1e6 if ckpt else 0.0
    tracked_mb = tracked_bytes() / 1e6
    budget = min(args.budget_mb, TOTAL_LIMIT_MB - tracked_mb - ckpt_mb)
    if budget < 5:
        raise SystemExit(f"checkout {tracked_mb:.1f} MB + checkpoint {ckpt_mb:.1f} MB leave {budget:.1f} MB for images: "
                         "too little (shrink the checkout or the checkpoint)")
    files = list_images(data, exclude_validation=True)
    images = [load_rgb(f) for f in files]
    for quality in (95, 92, 90, 85, 80):
        blobs = []
        for im in images:
            buf = io.BytesIO()
            Image.fromarray(im).save(buf, format="JPEG", quality=quality, subsampling=0)
            blobs.append(buf.getvalue())
        size = sum(len(b) for b in blobs) / 1e6
        if size <= budget:
            break
    else:
        raise SystemExit(f"images need {size:.1f} MB even at JPEG quality 80; the budget is {budget:.1f} MB")
    for f, blob in zip(files, blobs):
        name = f"{os.path.basename(os.path.dirname(f))}-{os.path.splitext(os.path.basename(f))[0]}.jpg"
        with open(os.path.join(args.out, "images", name), "wb") as fh:
            fh.write(blob)
    recipe = {"run": run["id"], "family": run["family"], "recipe": run["recipe"], "flags": run["flags"],
              "init": init, "images": len(files), "jpegQuality": quality, "imagesMB": round(size, 2),
              "checkoutMB": round(tracked_mb, 2), "checkpointMB": round(ckpt_mb, 2)}
    with open(os.path.join(args.out, "recipe.json"), "w") as f:
        json.dump(recipe, f, indent=1)
    total = size + ckpt_mb
    print(f"pack {os.path.relpath(args.out, REPO)}: {len(files)} images as JPEG q{quality} ({size:.1f} MB), "
          f"init {init and init['step']} ({ckpt_mb:.1f} MB); checkout {tracked_mb:.1f} MB + pack {total:.1f} MB "
          f"= {tracked_mb + total:.1f} MB of 64")
    print(f"GPU call: run(command='models/train/gpu/run {os.path.relpath(args.out, REPO)} $OUT', "
          f"carry=['{os.path.relpath(args.out, REPO)}'], timeout_s=570)")


if __name__ == "__main__":
    main()
