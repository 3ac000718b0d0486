#!/usr/bin/env python3
"""Self-test of the residual recipes, no data needed.

residual_prior.py: a synthetic residual-latent dump in the encoder's format (a record cut short at the end
is ignored), a short training run, and an export into a copy of the shipped video manifest (graphs
written, float16, z tables, gains, parity).
residual_encoder.py: the chroma gain's inverse, a synthetic residual-image dump, three training steps from
the shipped image model and residual prior (resumed once after a stop), and an export of residual_g_a.onnx
with the prior into a copy of the manifest."""
import json
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import residual_prior  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def write_dump(path, count, seed):
    """Latents like a residual's: mostly near a per-channel constant, a few active blobs."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        for i in range(count):
            q, c, h, w = 1 + i % 3, 48, 16, 20
            y = np.tile(rng.normal(0, 0.3, (c, 1, 1)), (1, h, w)) + rng.normal(0, 0.05, (c, h, w))
            r, s = rng.integers(0, h - 4), rng.integers(0, w - 4)
            y[:, r:r + 4, s:s + 4] += rng.normal(0, 2.0, (c, 4, 4))
            f.write(np.array([q, c, h, w], np.int32).tobytes())
            f.write(y.astype(np.float32).tobytes())
        f.write(np.array([1, 48, 16], np.int32).tobytes())  # a record cut short: ignored


def main():
    tmp = tempfile.mkdtemp(prefix="rp-selftest-")
    try:
        train, valid = os.path.join(tmp, "y-train.bin"), os.path.join(tmp, "y-val.bin")
        write_dump(train, 24, 1)
        write_dump(valid, 6, 2)
        records = residual_prior.read_dump(train)
        assert len(records) == 24 and records[0][1].shape == (48, 16, 20) and records[0][0] == 0, "dump format"
        args = ["train", "--train", train, "--valid", valid, "--run", "t", "--runs-root", tmp, "--N", "16",
                "--steps", "60", "--eval-every", "30", "--threads", "1", "--batch", "4"]
        residual_prior.main(args)
        import torch
        first = torch.load(os.path.join(tmp, "t", "last.pt"))["best"]
        assert first["total"] > 0, "validation bytes"
        out = os.path.join(tmp, "model")
        os.makedirs(out)
        shutil.copy(os.path.join(REPO, "models", "video", "cond-msh-wf", "manifest.json"), out)
        residual_prior.main(["export", "--run", "t", "--runs-root", tmp, "--out", out])
        m = json.load(open(os.path.join(out, "manifest.json")))
        r = m["residual"]
        assert r["zChannels"] == 16 and len(r["levels"]) == 8 and len(r["zMedians"]) == 16
        assert len(r["zTables"]["cdfLengths"]) == 16
        assert len(r["parity"]["scaleIndex"]) == 48 * 16 * r["parity"]["height"] * r["parity"]["width"]  # y is 4x z per side
        for g in ("residual_h_a.onnx", "residual_h_s.onnx"):
            assert m["files"][g]["bytes"] == os.path.getsize(os.path.join(out, g))
            import onnx
            model = onnx.load(os.path.join(out, g))
            assert any(i.data_type == onnx.TensorProto.FLOAT16 for i in model.graph.initializer), f"{g}: float16 weights"
        print("residual prior self-test ok")
        encoder_selftest(tmp)
        print("residual encoder self-test ok")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def encoder_selftest(tmp):
    import torch
    import residual_encoder as re
    # C^-1 undoes the chroma gain C(d) = Y(d) + g (d - Y(d))
    d = torch.randn(2, 3, 4, 5)
    y = (d * re.LUMA).sum(1, keepdim=True)
    assert torch.allclose(re.frame_error(y + re.CHROMA_GAIN * (d - y)), d, atol=1e-6), "chroma gain inverse"
    rng = np.random.default_rng(3)
    paths = {}
    for split, count in (("train", 4), ("val", 2)):
        paths[split] = os.path.join(tmp, f"r-{split}.bin")
        with open(paths[split], "wb") as f:
            for i in range(count):
                r = np.clip(0.5 + rng.normal(0, 0.03, (3, 72, 80)), 0, 1).astype(np.float32)
                f.write(np.array([3 + i % 2, 3, 72, 80], np.int32).tobytes())
                f.write(r.tobytes())
    records = re.read_images(paths["train"])
    assert len(records) == 4 and records[1][0] == 3 and records[1][1].shape == (3, 72, 80), "image dump format"
    # the prior starts from the run this test trained above (N = 16; a fresh clone has no other)
    prior, prior_root = "t", tmp
    common = ["--train", paths["train"], "--valid", paths["val"], "--prior", prior, "--prior-root", prior_root,
              "--runs-root", tmp, "--crop", "64", "--batch", "2", "--threads", "1", "--eval-every", "2"]
    re.main(["--run", "e", "--resume", *common, "--steps", "2"])  # the campaign's form
    re.main(["train", "--run", "e", *common, "--steps", "3"])  # resumes at step 2
    st = torch.load(os.path.join(tmp, "e", "latest.pt"))
    assert st["step"] == 3 and st["wall_s"] > 0 and "J" in st["best"], "checkpoint"
    out = os.path.join(tmp, "model-e")
    os.makedirs(out)
    shutil.copy(os.path.join(REPO, "models", "video", "cond-msh-wf", "manifest.json"), out)
    re.main(["--checkpoint", os.path.join(tmp, "e", "latest.pt"), "--out", out, "--prior-root", prior_root])
    m = json.load(open(os.path.join(out, "manifest.json")))
    g = m["residual"]["graphs"]["g_a"]
    assert g == {"file": "residual_g_a.onnx", "inputs": ["x", "gain"], "outputs": ["y"]}, g
    assert m["files"]["residual_g_a.onnx"]["bytes"] == os.path.getsize(os.path.join(out, "residual_g_a.onnx"))


if __name__ == "__main__":
    main()
