"""Store an ONNX graph's large float32 weights as float16 initializers, each followed by a Cast to
float32, so the graph computes as before from weights rounded to half precision (half the file).

    /usr/bin/python3 models/train/common/fp16_weights.py <model folder> <graph.onnx> [...]

Rewrites the graphs in place and their sha256/bytes in the folder's manifest.json ``files``.
Use it only where the RD change is measured to be nil (docs/MODELS.md says where it is used):
a graph that selects entropy tables (h_s) stays bit-for-bit between encoder and decoder either
way, but its rate moves with its outputs.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from common.export_utils import sha256  # noqa: E402

MIN_ELEMENTS = 1024


def to_fp16(path: str) -> int:
    """Converts ``path`` in place; returns how many initializers were converted."""
    model = onnx.load(path)
    g = model.graph
    casts, keep, n = [], [], 0
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == onnx.TensorProto.FLOAT and arr.size >= MIN_ELEMENTS:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
            keep.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT,
                                          name=init.name + "__cast"))
            n += 1
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return n


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        raise SystemExit(__doc__)
    folder, graphs = argv[0], argv[1:]
    mpath = os.path.join(folder, "manifest.json")
    with open(mpath) as f:
        manifest = json.load(f)
    for name in graphs:
        path = os.path.join(folder, name)
        n = to_fp16(path)
        manifest["files"][name] = {"sha256": sha256(path), "bytes": os.path.getsize(path)}
        manifest.setdefault("fp16Weights", []).append(name)
        print(f"{name}: {n} initializers as float16, {os.path.getsize(path) / 1e6:.1f} MB")
    with open(mpath, "w") as f:
        json.dump(manifest, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
