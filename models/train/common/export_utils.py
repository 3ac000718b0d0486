"""Pieces shared by the export scripts (hyperprior/export.py, wavelet/export.py, export_audio.py): the
command line, checkpoint loading with the solved bottleneck quantiles, ONNX export and the
onnxruntime-node runner used for parity, file hashes, training provenance and the RD table."""
from __future__ import annotations

import argparse
import datetime
import hashlib
import inspect
import json
import os
import shutil
import signal
import subprocess
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

from common import checkpoint
from common.data import list_images

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
ONNX_RUN = os.path.join(REPO, "models", "train", "common", "onnx_run.mjs")
OPSET = 17


def f32_list(t) -> list:
    return [float(v) for v in np.asarray(t, dtype=np.float32).reshape(-1)]


def pad_to(x: torch.Tensor, multiple: int) -> torch.Tensor:
    """Replicate-pad right/bottom to a multiple of ``multiple`` (the codec must do the same)."""
    h, w = x.shape[2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    return F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_onnx(model_path, inputs: dict, workdir: str, repeat: int = 1, threads: int = 2):
    spec_inputs = []
    for name, arr in inputs.items():
        f = os.path.join(workdir, f"in_{name}.f32")
        np.ascontiguousarray(arr, dtype="<f4").tofile(f)
        spec_inputs.append({"name": name, "file": f, "dims": list(arr.shape)})
    out_dir = os.path.join(workdir, "out_" + os.path.basename(model_path))
    spec = {"model": model_path, "threads": threads, "repeat": repeat, "inputs": spec_inputs,
            "outDir": out_dir}
    spec_file = os.path.join(workdir, "spec.json")
    with open(spec_file, "w") as f:
        json.dump(spec, f)
    res = subprocess.run(["node", ONNX_RUN, spec_file], capture_output=True, text=True, cwd=REPO)
    if res.returncode != 0:
        raise RuntimeError(f"onnx_run.mjs failed: {res.stderr}")
    info = json.loads(res.stdout.strip().splitlines()[-1])
    outs = {k: np.fromfile(os.path.join(out_dir, f"{k}.f32"), dtype="<f4").reshape(d)
            for k, d in info["outputs"].items()}
    return outs, info["ms"]


def graph_parity(out_dir: str, ref: dict, report: dict, pause_pid: int | None = None,
                 prefix: str = "parity-", repeat: int = 4) -> dict:
    """Runs each exported graph ``<out_dir>/<name>.onnx`` in onnxruntime-node on the inputs of
    ``ref[name] = (inputs, outputs)`` (PyTorch tensors) and writes into ``report`` the median
    ONNX time (``ms[name]``, ``repeat`` runs, the first dropped) and the max |ONNX - PyTorch| per output
    (``maxAbsDiff["name.output"]``).  A training process ``pause_pid`` is stopped meanwhile so
    the timings see idle cores.  Returns the ONNX outputs per graph."""
    work = tempfile.mkdtemp(prefix=prefix)
    report.setdefault("maxAbsDiff", {})
    report.setdefault("ms", {})
    if pause_pid:
        os.kill(pause_pid, signal.SIGSTOP)
    try:
        onnx_out = {}
        for name, (inputs, outputs) in ref.items():
            res, ms = run_onnx(os.path.join(out_dir, f"{name}.onnx"),
                               {k: v.numpy() for k, v in inputs.items()}, work, repeat=repeat)
            onnx_out[name] = res
            report["ms"][name] = round(float(np.median(ms[1:])), 1)
            for k, v in outputs.items():
                report["maxAbsDiff"][f"{name}.{k}"] = float(np.abs(res[k] - v.numpy()).max())
    finally:
        if pause_pid:
            os.kill(pause_pid, signal.SIGCONT)
        shutil.rmtree(work, ignore_errors=True)
    return onnx_out


IMAGE_AXES = {0: "batch", 2: "height", 3: "width"}
SIGNAL_AXES = {0: "batch", 2: "time"}


def export_onnx(model, out_dir: str, graphs: dict, examples: dict, axes: dict = IMAGE_AXES) -> None:
    """``graphs``: name -> (wrapper, input names, output names); the first input and every output
    get the dynamic ``axes`` (batch/height/width for NCHW images, batch/time for NCT signals)."""
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    for name, (wrapper, inputs, outputs) in graphs.items():
        dyn = {inputs[0]: dict(axes)}
        dyn.update({o: dict(axes) for o in outputs})
        torch.onnx.export(wrapper(model).eval(), examples[name], os.path.join(out_dir, f"{name}.onnx"),
                          input_names=inputs, output_names=outputs, dynamic_axes=dyn,
                          opset_version=OPSET, do_constant_folding=True, **extra)
    import onnx
    for name in graphs:
        onnx.checker.check_model(onnx.load(os.path.join(out_dir, f"{name}.onnx")))


def export_parser(doc: str, out_example: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True, help=f"output folder, e.g. {out_example}")
    p.add_argument("--id", help="model id (default: the output folder's name)")
    p.add_argument("--kodak", default=os.path.join(REPO, "..", "shared", "datasets", "kodak"))
    p.add_argument("--kodak-limit", type=int, default=0, help="evaluate only the first N images")
    p.add_argument("--parity-image", default="kodim23.png")
    p.add_argument("--parity-quality", type=int, default=4)
    p.add_argument("--pause-pid", type=int, help="SIGSTOP this process while timing ONNX")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--keep-quantiles", action="store_true",
                   help="use the learned bottleneck quantiles instead of solving them exactly")
    return p


def load_for_export(args, build):
    """Threads, checkpoint -> eval model with the bottleneck quantiles solved (unless
    --keep-quantiles), the output folder.  Returns (state, model, quantile_note, model_id)."""
    torch.set_num_threads(args.threads)
    state = checkpoint.load(args.checkpoint)
    model = build(state["config"])
    model.load_state_dict(state["model"])
    model.eval()
    eb = model.entropy_bottleneck
    aux_before = float(eb.aux_loss())
    if not args.keep_quantiles:
        eb.quantiles.data.copy_(eb.solve_quantiles())
    quantile_note = {"auxLossTrained": round(aux_before, 4), "auxLossExported": round(float(eb.aux_loss()), 6),
                     "source": "learned" if args.keep_quantiles else "solved by bisection at export"}
    print(f"entropy bottleneck quantiles: {quantile_note}", flush=True)
    model_id = args.id or os.path.basename(os.path.normpath(args.out))
    os.makedirs(args.out, exist_ok=True)
    return state, model, quantile_note, model_id


def kodak_images(args):
    """The Kodak images to evaluate (--kodak-limit) and the parity image among them."""
    images = list_images([args.kodak])
    if args.kodak_limit:
        images = images[: args.kodak_limit]
    parity_image = next((i for i in images if os.path.basename(i) == args.parity_image), images[0])
    return images, parity_image


def onnx_files(out_dir: str, graphs) -> dict:
    return {f"{n}.onnx": {"sha256": sha256(os.path.join(out_dir, f"{n}.onnx")),
                          "bytes": os.path.getsize(os.path.join(out_dir, f"{n}.onnx"))} for n in graphs}


def last_report(ckpt_path: str, state: dict) -> dict | None:
    rep = state.get("history", {}).get("last_report")
    metrics = os.path.join(os.path.dirname(ckpt_path), "metrics.jsonl")
    if rep is None and os.path.exists(metrics):
        with open(metrics) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        lines = [l for l in lines if l["step"] <= state["step"]]
        rep = lines[-1] if lines else None
    return rep


def training_provenance(ckpt_path: str, state: dict, recipe: str, hardware) -> dict:
    """The manifest's provenance block from the checkpoint's ``train`` dict and last report."""
    train = state.get("train", {})
    rep = last_report(ckpt_path, state)
    return {
        "recipe": recipe,
        "data": [os.path.join(os.path.basename(os.path.dirname(d)), os.path.basename(d))
                 for d in train.get("data", [])],
        "crop": train.get("crop"), "seconds": train.get("seconds"), "batch": train.get("batch"), "learningRate": train.get("lr"),
        "steps": state["step"], "wallTimeSeconds": round(state["wall_s"], 1),
        "hardware": hardware, "torch": train.get("torch", torch.__version__),
        "exportTorch": torch.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "finalTraining": None if rep is None else {
            "step": rep["step"],
            **{out: round(rep[k], 5) for k, out in (("loss", "loss"), ("ema_loss", "emaLoss"), ("bpp", "bpp"),
                                                     ("psnr", "psnr")) if isinstance(rep.get(k), float)},
            **{out: rep[k] for k, out in (("level_bpp", "levelBpp"), ("level_psnr", "levelPsnr"),
                                          ("level_kbps", "levelKbps"), ("level_mel", "levelMel"),
                                          ("level_sisnr", "levelSiSnr")) if k in rep},
            "note": "means over the last log window of training crops (noisy quantization)"},
        "emaLoss": state.get("history", {}).get("ema_loss"),
        **({"initFrom": _init_from_note(state["init_from"])} if state.get("init_from") else {}),
    }


def _init_from_note(init: dict) -> dict:
    """The provenance of a run warm-started from an export (common/warm_start.py): ``steps``
    above count from the export's steps.  A run started from another run's checkpoint
    (``checkpoint`` key) gives that checkpoint and, nested, how that run began."""
    if "checkpoint" in init:
        return {"checkpoint": init["checkpoint"], "step": init.get("step"),
                "wallTimeSeconds": init.get("wall_s"), "config": init.get("config"),
                "tiledBottleneck": init.get("tiledBottleneck"), "bottleneckRefit": init.get("refit"),
                "previous": _init_from_note(init["previous"]) if init.get("previous") else None,
                "note": "training continued from this checkpoint of another run (per-level "
                        "densities start as copies of its shared one when tiledBottleneck); steps "
                        "and wallTimeSeconds include the checkpoint's"}
    return {"export": init.get("folder"), "id": init.get("id"), "step": init.get("step"),
            "wallTimeSeconds": init.get("wall_s"), "exportDate": init.get("exportDate"),
            "files": init.get("files"), "bottleneckRefit": init.get("refit"),
            "note": "training continued from this export (weights from its ONNX initializers, gains "
                    "from rateLevels, entropy-bottleneck density re-fitted); steps and "
                    "wallTimeSeconds include the export's"}


def print_rd_table(rd) -> None:
    print(f"{'q':>2} {'lambda':>7} {'bpp(lik)':>9} {'bpp(tab)':>9} {'diff%':>6} {'psnr':>6} esc")
    for r in rd:
        d = 100 * (r["bppTables"] / r["bpp"] - 1)
        print(f"{r['quality']:>2} {r['lambda']:>7.4f} {r['bpp']:>9.4f} {r['bppTables']:>9.4f} "
              f"{d:>6.2f} {r['psnr']:>6.2f} {r['escapes']}")
