"""Quick checks of the campaign's parts (no training data needed beyond the file lists; seconds):

    /usr/bin/python3 models/train/campaign_selftest.py

BD-rate arithmetic, the validation split's exclusion, the runner's choice of run, the
wavelet-front hyperprior's shapes and gradients, the transform freeze, lr groups, the
ThreadTuner's switching rule, where best.pt is kept (run folder and mirror) and that paused steps
do not count as training time.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from campaign import pick  # noqa: E402
from common.data import is_validation, list_images, validation_names  # noqa: E402
from common.training import StepClock, ThreadTuner, make_optimizers  # noqa: E402
from common.validation import bd_rate  # noqa: E402
from hyperprior.model import DEFAULT_LAMBDAS, build, rd_loss  # noqa: E402
from hyperprior.train import freeze_transform  # noqa: E402


def check_bd_rate():
    anchor = [{"bpp": b, "psnr": p} for b, p in ((0.25, 28.0), (0.5, 31.0), (1.0, 34.0), (2.0, 37.0))]
    assert bd_rate(anchor, anchor) == 0.0
    cheaper = [{"bpp": a["bpp"] * 0.8, "psnr": a["psnr"]} for a in anchor]
    assert abs(bd_rate(cheaper, anchor) + 20.0) < 1e-6, bd_rate(cheaper, anchor)
    apart = [{"bpp": a["bpp"], "psnr": a["psnr"] + 20} for a in anchor]
    assert bd_rate(apart, anchor) is None


def check_validation_split():
    names = validation_names()
    assert len(names) == 10 and len(set(names)) == 10
    with tempfile.TemporaryDirectory() as d:
        folder = os.path.join(d, names[0].split("/")[0])
        os.makedirs(folder)
        for n in (names[0].split("/")[1], "other.png"):
            open(os.path.join(folder, n), "wb").close()
        assert is_validation(os.path.join(folder, names[0].split("/")[1]))
        kept = [os.path.basename(p) for p in list_images([folder], exclude_validation=True)]
        assert kept == ["other.png"], kept
        assert len(list_images([folder])) == 2


def check_pick():
    plan = {"runs": [{"id": "a", "share": 0.8}, {"id": "b", "share": 0.2}, {"id": "c", "share": 0.5, "enabled": False}]}
    state = {"runs": {"a": {"campaignSeconds": 3600, "evals": []}, "b": {"campaignSeconds": 600, "evals": []}}}
    assert pick(plan, state, None)["id"] == "b"  # 600/0.2 = 3000 < 3600/0.8 = 4500
    state["runs"]["b"]["campaignSeconds"] = 1200  # 6000 > 4500
    assert pick(plan, state, None)["id"] == "a"
    state["runs"]["a"]["retired"] = "target reached"
    assert pick(plan, state, None)["id"] == "b"
    plan["runs"][1]["head"] = True
    state["runs"]["a"].pop("retired")
    assert pick(plan, state, None)["id"] == "b"
    assert pick(plan, state, "a")["id"] == "a"


def check_wavelet_front():
    torch.manual_seed(0)
    cfg = {"N": 16, "M": 48, "lambdas": list(DEFAULT_LAMBDAS), "transform": "wavelet", "width": 32, "blocks": 1}
    model = build(cfg)
    x = torch.rand(2, 3, 64, 96)
    level = torch.tensor([0, 7])
    out = model(x, level)
    assert out["y"].shape == (2, 48, 8, 12) and out["z"].shape == (2, 16, 2, 3), (out["y"].shape, out["z"].shape)
    assert out["x_hat"].shape == x.shape and model.y_stride == 8 and model.z_stride == 32
    hook = freeze_transform(5)
    hook(model, 0)
    rd = rd_loss(out, x, model.lambdas[level])
    rd["loss"].backward()
    assert model.g_s.inp.weight.grad is None and model.h_s[0][0].weight.grad is not None
    hook(model, 5)
    assert all(p.requires_grad for p in model.parameters())
    args = argparse.Namespace(lr=1e-3, aux_lr=1e-3)
    opt, _ = make_optimizers(model, args, lambda n: 0.1 if n.startswith("g_s.") else 1.0)
    assert sorted(g["lr_scale"] for g in opt.param_groups) == [0.1, 1.0]
    n_params = sum(len(g["params"]) for g in opt.param_groups)
    assert n_params == sum(1 for n, _ in model.named_parameters() if not n.endswith("quantiles"))


def check_step_clock():
    """A step stopped by a pause (SIGSTOP) counts as a normal step, not as hours of training."""
    clock = StepClock()
    counted = [clock.count(s) for s in (0.7, 0.8, 0.75, 0.7)]
    assert counted == [0.7, 0.8, 0.75, 0.7]
    paused = clock.count(3600.0)
    assert 0.7 <= paused <= 0.8, paused
    assert clock.count(4.0) == 4.0  # a slow step (a busy machine) still counts in full


def check_best_mirror():
    """best.pt goes to the run folder and the mirror; with the run folder lost, export finds the mirror's."""
    import campaign
    run = {"id": "r", "family": "fam"}
    with tempfile.TemporaryDirectory() as d:
        saved_runs, saved_env = campaign.RUNS, os.environ.get("NCODEC_RUNS_MIRROR")
        campaign.RUNS, os.environ["NCODEC_RUNS_MIRROR"] = os.path.join(d, "runs"), os.path.join(d, "mirror")
        try:
            src = os.path.join(d, "latest.pt")
            with open(src, "wb") as f:
                f.write(b"checkpoint")
            assert campaign.best_checkpoint(run) is None
            campaign.keep_best(run, src)
            local, mirrored = (os.path.join(d, "runs", "fam", "r", "best.pt"), os.path.join(d, "mirror", "fam", "r", "best.pt"))
            assert open(local, "rb").read() == b"checkpoint" and open(mirrored, "rb").read() == b"checkpoint"
            assert campaign.best_checkpoint(run) == local
            os.remove(local)  # a machine change loses models/.runs
            assert campaign.best_checkpoint(run) == mirrored
        finally:
            campaign.RUNS = saved_runs
            if saved_env is None:
                os.environ.pop("NCODEC_RUNS_MIRROR", None)
            else:
                os.environ["NCODEC_RUNS_MIRROR"] = saved_env


def check_thread_tuner():
    before = torch.get_num_threads()
    t = ThreadTuner(2, every=4, probe=2)
    assert t.threads() == 2
    for _ in range(4):
        t.after_step(3.0)   # 2 threads: 3 s a step; the 4th step starts a probe with 1 thread
    assert t.threads() == 1
    t.after_step(1.0)
    t.after_step(1.0)       # 1 thread: 1 s a step -> switch
    assert t.current == 1 and t.threads() == 1
    torch.set_num_threads(before)


if __name__ == "__main__":
    check_bd_rate()
    check_validation_split()
    check_pick()
    check_wavelet_front()
    check_thread_tuner()
    check_best_mirror()
    check_step_clock()
    print("campaign selftest ok")
