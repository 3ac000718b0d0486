"""The training campaign: one command keeps the project's models training, resumes anything,
evaluates on the validation split, and exports what beats the committed model (issue 12).

    npm run train                                   # = campaign.py run: train until stopped
    /usr/bin/python3 models/train/campaign.py status
    /usr/bin/python3 models/train/campaign.py pause | resume      # around timed benchmarks
    /usr/bin/python3 models/train/campaign.py eval <run>          # validate latest.pt now
    /usr/bin/python3 models/train/campaign.py export <run>        # export best.pt if it is better

The plan is ``models/train/campaign.json``: an ordered list of runs (family, recipe, flags, the
folder it exports to, its CPU share, its target).  ``run`` keeps exactly one training process
going, niced, in slices of ``sliceMinutes`` (30) of unpaused time.  At the end of a slice the
trainer gets SIGTERM (it saves ``latest.pt`` and exits), the runner validates that checkpoint
(``common/validation.py``: bpp/PSNR per rate level on the 10 images of
``models/train/validation-images.txt``, and one figure, the BD-rate against Pillow JPEG on
them), copies it to ``best.pt`` when the figure improved, retires runs that reached their target
or have not improved for ``stallHours`` training hours, and starts the next slice with the run
whose campaign hours divided by its share is lowest (``"head": true`` in the plan, or
``run --only RUN``, gives one run every slice).  Every trainer is started with ``--resume`` and
the plan's flags: the recipes resume from the newest of the run folder's ``latest.pt`` and its
mirror, and otherwise start from the committed export the flags name (``--init-from``,
``--init-transform``).  Training hours are the checkpoints' own ``wall_s`` (they add up across
restarts and machines), not wall time.

State: ``models/.runs/campaign/state.json`` (mirrored next to the checkpoints' mirror); the
trainer's log is ``models/.runs/<family>/<run>/train.log``; the runner's own log is wherever
``npm run train`` is sent (README).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PLAN = os.path.join(HERE, "campaign.json")
RUNS = os.path.join(REPO, "models", ".runs")
STATE_DIR = os.path.join(RUNS, "campaign")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def log(msg: str) -> None:
    print(f"[campaign {now()}] {msg}", flush=True)


# --------------------------------------------------------------------------- plan and state
def load_plan(path: str = PLAN) -> dict:
    with open(path) as f:
        plan = json.load(f)
    ids = [r["id"] for r in plan["runs"]]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{path}: run ids must be unique")
    for r in plan["runs"]:
        for key in ("id", "family", "recipe", "flags", "export"):
            if key not in r:
                raise SystemExit(f"{path}: run {r.get('id')} lacks '{key}'")
    return plan


def run_entry(plan: dict, run_id: str) -> dict:
    for r in plan["runs"]:
        if r["id"] == run_id:
            return r
    raise SystemExit(f"no run '{run_id}' in the plan; runs: {', '.join(r['id'] for r in plan['runs'])}")


def mirror_dir() -> str | None:
    from common.checkpoint import mirror_root
    root = mirror_root("campaign")
    return root or None


def state_path() -> str:
    return os.path.join(STATE_DIR, "state.json")


def load_state() -> dict:
    """The newer of the state file and its mirror (by 'updated')."""
    best = {"runs": {}, "runner": {}}
    for folder in (STATE_DIR, mirror_dir()):
        if not folder:
            continue
        path = os.path.join(folder, "state.json")
        if os.path.exists(path):
            with open(path) as f:
                s = json.load(f)
            if s.get("updated", "") > best.get("updated", ""):
                best = s
    best.setdefault("runs", {})
    best.setdefault("runner", {})
    return best


def save_state(state: dict) -> None:
    state["updated"] = now()
    for folder in (STATE_DIR, mirror_dir()):
        if not folder:
            continue
        try:
            os.makedirs(folder, exist_ok=True)
            tmp = os.path.join(folder, "state.json.tmp")
            with open(tmp, "w") as f:
                json.dump(state, f, indent=1)
            os.replace(tmp, os.path.join(folder, "state.json"))
        except OSError as err:
            log(f"warning: could not write state to {folder}: {err}")


def run_state(state: dict, run_id: str) -> dict:
    rs = state["runs"].setdefault(run_id, {})
    rs.setdefault("evals", [])
    rs.setdefault("campaignSeconds", 0.0)
    return rs


def run_dir(run: dict) -> str:
    return os.path.join(RUNS, run["family"], run["id"])


def run_mirror(run: dict) -> str | None:
    """The run's checkpoint mirror folder (None when mirroring is off)."""
    from common.checkpoint import mirror_root
    mroot = mirror_root(run["family"])
    return os.path.join(mroot, run["id"]) if mroot else None


def best_checkpoint(run: dict) -> str | None:
    """best.pt from the run folder, else from its mirror (a machine change loses the run folder)."""
    for folder in (run_dir(run), run_mirror(run)):
        if folder and os.path.exists(os.path.join(folder, "best.pt")):
            return os.path.join(folder, "best.pt")
    return None


def keep_best(run: dict, path: str) -> None:
    """Copy a validated checkpoint to best.pt in the run folder and in its mirror."""
    from common.checkpoint import atomic_copy
    for folder in (run_dir(run), run_mirror(run)):
        if not folder:
            continue
        try:
            if os.path.abspath(path) != os.path.abspath(os.path.join(folder, "best.pt")):
                atomic_copy(path, os.path.join(folder, "best.pt"))
        except OSError as err:
            log(f"warning: could not write best.pt to {folder}: {err}")


def checkpoint_info(path: str) -> dict | None:
    """step, wall_s, s/step of a checkpoint (None if absent)."""
    if not os.path.exists(path):
        return None
    from common import checkpoint
    st = checkpoint.load(path)
    rep = st.get("history", {}).get("last_report") or {}
    return {"step": int(st["step"]), "wall_s": float(st["wall_s"]), "s_per_step": rep.get("s_per_step"),
            "config": st.get("config")}


def newest_checkpoint(run: dict) -> str | None:
    from common import checkpoint
    return checkpoint.find_latest(run_dir(run), run_mirror(run))


# --------------------------------------------------------------------------- validation
def _anchor(state: dict) -> list[dict]:
    if "anchor" not in state:
        from common.validation import jpeg_anchor
        log("computing the Pillow JPEG anchor on the validation images")
        state["anchor"] = jpeg_anchor()
        save_state(state)
    return state["anchor"]


def _build(run: dict, config: dict):
    if run["family"] == "hyperprior":
        from hyperprior.model import build
    elif run["family"] == "wavelet":
        from wavelet.model import build
    else:
        raise SystemExit(f"run {run['id']}: no validation evaluator for family {run['family']}")
    return build(config)


def evaluate_checkpoint(run: dict, path: str, state: dict) -> dict:
    """Validation figures of one checkpoint: points per level and the BD-rate vs the anchor."""
    import torch
    from common import checkpoint
    from common.validation import bd_rate, evaluate_model
    torch.set_num_threads(2)
    st = checkpoint.load(path)
    model = _build(run, st["config"])
    model.load_state_dict(st["model"])
    t0 = time.time()
    points = evaluate_model(model)
    return {"step": int(st["step"]), "wall_s": round(float(st["wall_s"]), 1), "date": now(),
            "points": points, "bdRate": bd_rate(points, _anchor(state)),
            "evalSeconds": round(time.time() - t0, 1)}


def joint_context(run: dict) -> bool:
    """Whether the run trains a checkerboard context with the model (hyperprior train.py
    --context-width): its validation figures then include the context, and the committed export
    is compared with its context too."""
    return "--context-width" in run.get("flags", [])


def evaluate_committed(run: dict, state: dict) -> dict | None:
    """Validation figures of the committed export (cached by the export's file hashes).

    The export holds ONNX graphs and integer tables, not a checkpoint: its weights are loaded
    into the recipe's PyTorch model (common/warm_start.py; the factorized density is re-fitted
    to the manifest's tables), with the architecture of the run's checkpoint, or of the plan's
    ``config`` when the run has none.  Coding tricks outside the model (the wavelet export's
    MED prediction of low-pass channels) are not counted: the figure is the model's own."""
    folder = os.path.join(REPO, run["export"]["out"])
    manifest_path = os.path.join(folder, "manifest.json")
    if not os.path.exists(manifest_path):
        return None
    with open(manifest_path) as f:
        manifest = json.load(f)
    key = json.dumps(manifest.get("files", {}), sort_keys=True)
    rs = run_state(state, run["id"])
    cached = rs.get("committed")
    if cached and cached.get("filesKey") == key:
        return cached
    v = manifest.get("validation", {})
    if v.get("points") and bool(v.get("withContext")) == joint_context(run):
        from common.validation import bd_rate
        result = {"id": manifest.get("id"), "points": v["points"], "bdRate": bd_rate(v["points"], _anchor(state)),
                  "source": "manifest validation block", "filesKey": key}
    else:
        ckpt = newest_checkpoint(run)
        if ckpt is None and "config" not in run:
            return None
        import torch
        from common import checkpoint, warm_start
        from common.validation import bd_rate, evaluate_model
        torch.set_num_threads(2)
        config = checkpoint.load(ckpt)["config"] if ckpt else run["config"]
        model = _build(run, config)
        warm_start.init_from_export(model, folder, config)
        points = evaluate_model(model)
        result = {"id": manifest.get("id"), "points": points, "bdRate": bd_rate(points, _anchor(state)),
                  "source": "export loaded into PyTorch (density re-fitted to its tables)", "filesKey": key}
    rs["committed"] = result
    save_state(state)
    return result


def record_eval(run: dict, state: dict, path: str, plan: dict) -> dict:
    """Validate ``path``, keep best.pt by validation BD-rate, apply the retire rules."""
    rs = run_state(state, run["id"])
    ev = evaluate_checkpoint(run, path, state)
    rs["evals"].append(ev)
    best = rs.get("best")
    if best is not None and best_checkpoint(run) is None:
        log(f"{run['id']}: the recorded best (step {best['step']}, BD {best['bdRate']:+.2f} %) has no best.pt here "
            "or in the mirror (lost with a machine change): the record is dropped")
        best = None
    if ev["bdRate"] is not None and (best is None or ev["bdRate"] < best["bdRate"]):
        keep_best(run, path)
        rs["best"] = {k: ev[k] for k in ("step", "wall_s", "bdRate", "points")}
        log(f"{run['id']}: new best.pt at step {ev['step']}: validation BD-rate {ev['bdRate']:+.2f} % vs Pillow JPEG")
    else:
        log(f"{run['id']}: step {ev['step']} validation BD-rate {ev['bdRate']} (best {best and best['bdRate']})")
    target = (run.get("target") or {}).get("validationBdRate")
    stall = plan.get("stallHours", 3) * 3600
    if target is not None and rs.get("best") and rs["best"]["bdRate"] <= target:
        rs["retired"] = f"target reached ({rs['best']['bdRate']:+.2f} % <= {target} %)"
    elif rs.get("best") and ev["wall_s"] - rs["best"]["wall_s"] >= stall:
        rs["retired"] = f"no validation improvement for {stall / 3600:.1f} training hours"
    if rs.get("retired"):
        log(f"{run['id']} retired: {rs['retired']}")
    save_state(state)
    return ev


# --------------------------------------------------------------------------- the runner
def pick(plan: dict, state: dict, only: str | None) -> dict | None:
    if only:
        return run_entry(plan, only)
    runs = [r for r in plan["runs"] if r.get("enabled", True) and r.get("share", 0) > 0
            and not run_state(state, r["id"]).get("retired")]
    if not runs:
        return None
    heads = [r for r in runs if r.get("head")]
    if heads:
        return heads[0]
    return min(runs, key=lambda r: run_state(state, r["id"])["campaignSeconds"] / r["share"])


def trainer_command(run: dict, plan: dict) -> list[str]:
    flags = list(run["flags"])
    if run.get("evaluator") == "image":
        flags += ["--best-by", "none"]
    return ["nice", "-n", str(plan.get("nice", 10)), PYTHON, os.path.join(REPO, run["recipe"]),
            "--run", run["id"], "--resume"] + flags


class Runner:
    def __init__(self, plan: dict, only: str | None, slices: int | None, slice_minutes: float | None):
        self.plan, self.only, self.slices = plan, only, slices
        self.slice_s = 60 * (slice_minutes or plan.get("sliceMinutes", 30))
        self.child: subprocess.Popen | None = None
        self.stop = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum, frame):
        log(f"signal {signum}: stopping the trainer (it saves) and exiting")
        self.stop = True

    def _stop_child(self) -> None:
        if self.child and self.child.poll() is None:
            os.kill(self.child.pid, signal.SIGCONT)  # a paused trainer must run to save
            self.child.send_signal(signal.SIGTERM)
            try:
                self.child.wait(timeout=300)
            except subprocess.TimeoutExpired:
                log("trainer did not stop within 300 s: killing it (its last latest.pt stays)")
                self.child.kill()
                self.child.wait()

    def run(self) -> None:
        state = load_state()
        other = state["runner"].get("pid")
        if other and other != os.getpid() and _alive(other):
            raise SystemExit(f"a campaign runner is already running (pid {other}): one trainer at a time. "
                             "Stop it first (kill it: its trainer saves and exits).")
        state["runner"] = {"pid": os.getpid(), "started": now(), "paused": False}
        save_state(state)
        done = 0
        while not self.stop and (self.slices is None or done < self.slices):
            state = load_state()
            run = pick(self.plan, state, self.only)
            if run is None:
                log("every run of the plan is retired or disabled: nothing to train")
                break
            self.slice(run, state)
            done += 1
        state = load_state()
        state["runner"] = {"pid": None, "stopped": now(), "paused": False}
        save_state(state)

    def slice(self, run: dict, state: dict) -> None:
        rdir = run_dir(run)
        os.makedirs(rdir, exist_ok=True)
        cmd = trainer_command(run, self.plan)
        log(f"slice of {self.slice_s / 60:.0f} min for {run['id']}: {' '.join(cmd)}")
        logf = open(os.path.join(rdir, "train.log"), "a")
        self.child = subprocess.Popen(cmd, cwd=REPO, stdout=logf, stderr=subprocess.STDOUT)
        state["runner"].update({"pid": os.getpid(), "child": self.child.pid, "run": run["id"], "paused": False,
                                "sliceStarted": now()})
        save_state(state)
        ran = 0.0
        while ran < self.slice_s and not self.stop and self.child.poll() is None:
            time.sleep(5)
            if not load_state()["runner"].get("paused"):
                ran += 5
        self._stop_child()
        logf.close()
        code = self.child.returncode
        state = load_state()
        state["runner"]["child"] = None
        after = checkpoint_info(os.path.join(rdir, "latest.pt"))
        rs = run_state(state, run["id"])
        rs["campaignSeconds"] += ran  # unpaused slice time, across restarts and machines
        if after:
            rs["step"], rs["wall_s"], rs["sPerStep"] = after["step"], after["wall_s"], after["s_per_step"]
        if code not in (0, None) and not self.stop:
            rs["failures"] = rs.get("failures", 0) + 1
            log(f"{run['id']}: trainer exited with {code} (see {rdir}/train.log); failure {rs['failures']}")
            if rs["failures"] >= 3:
                rs["retired"] = f"trainer failed 3 times (exit {code}); fix and clear 'retired' in state.json"
            save_state(state)
            time.sleep(10)
            return
        save_state(state)
        if after and run.get("evaluator") == "image" and not self.stop:  # stopping: the next runner validates
            record_eval(run, state, os.path.join(rdir, "latest.pt"), self.plan)


# --------------------------------------------------------------------------- commands
def signal_trainer(sig) -> int | None:
    state = load_state()
    child = state["runner"].get("child")
    if child:
        try:
            os.kill(child, sig)
            # the recipe runs under `nice`: signal its process group's python too
            subprocess.run(["pkill", "-" + ("STOP" if sig == signal.SIGSTOP else "CONT"), "-P", str(child)], check=False)
        except ProcessLookupError:
            child = None
    return child


def cmd_pause(args) -> None:
    child = signal_trainer(signal.SIGSTOP)
    state = load_state()
    state["runner"]["paused"] = True
    save_state(state)
    print(f"paused (trainer pid {child})" if child else "no trainer running; marked paused")


def cmd_resume(args) -> None:
    state = load_state()
    state["runner"]["paused"] = False
    save_state(state)
    child = signal_trainer(signal.SIGCONT)
    print(f"resumed (trainer pid {child})" if child else "no trainer running")


def _levels(points) -> str:
    return " ".join(f"q{p['quality']} {p['bpp']:.3f}/{p['psnr']:.2f}" for p in points)


def cmd_status(args) -> None:
    plan, state = load_plan(), load_state()
    r = state["runner"]
    alive = bool(r.get("pid")) and _alive(r["pid"])
    print(f"runner: {'running pid ' + str(r['pid']) if alive else 'not running'}"
          f"{' (PAUSED)' if r.get('paused') else ''}{', training ' + str(r.get('run')) if alive else ''}")
    for run in plan["runs"]:
        rs = run_state(state, run["id"])
        flag = ("disabled" if not run.get("enabled", True) else "retired: " + rs["retired"] if rs.get("retired")
                else f"share {run.get('share', 0):.2f}")
        sps = f"{rs['sPerStep']:.3f}" if rs.get("sPerStep") else "-"
        last = rs["evals"][-1] if rs["evals"] else None
        best = rs.get("best")
        com = rs.get("committed")
        line = (f"{run['id']:<17} [{flag}] steps {rs.get('step', '-')} ({rs.get('wall_s', 0) / 3600:.1f} h, "
                f"{rs['campaignSeconds'] / 3600:.2f} h in campaign) s/step {sps}")
        if last:
            line += f" | val@{last['step']} BD {last['bdRate']:+.2f}% {_levels(last['points'])}"
        if best:
            line += f" | best@{best['step']} BD {best['bdRate']:+.2f}%"
        line += (f" | committed {com['id']} BD {com['bdRate']:+.2f}% {_levels(com['points'])}" if com and com.get("bdRate") is not None
                 else " | committed: none" if not os.path.exists(os.path.join(REPO, run["export"]["out"], "manifest.json"))
                 else " | committed: not validated yet (campaign.py eval " + run["id"] + " --committed)")
        print(line)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def cmd_eval(args) -> None:
    plan, state = load_plan(), load_state()
    run = run_entry(plan, args.run)
    if args.committed:
        res = evaluate_committed(run, state)
        print(json.dumps(res and {k: v for k, v in res.items() if k != "filesKey"}, indent=1))
        return
    path = args.checkpoint or os.path.join(run_dir(run), "latest.pt")
    if not os.path.exists(path):
        raise SystemExit(f"{path} does not exist: the run has not trained yet")
    ev = record_eval(run, state, path, plan)
    print(json.dumps(ev, indent=1))


def cmd_export(args) -> None:
    """Export best.pt when its validation BD-rate beats the committed export's, then validate
    the export's figures into its manifest and bench it on Kodak (trainer paused)."""
    plan, state = load_plan(), load_state()
    run = run_entry(plan, args.run)
    rs = run_state(state, run["id"])
    best = rs.get("best")
    path = best_checkpoint(run)
    if not best or not path:
        raise SystemExit(f"{run['id']}: no validated best.pt yet (campaign.py eval {run['id']})")
    committed = evaluate_committed(run, state)
    if committed and committed.get("bdRate") is not None and best["bdRate"] >= committed["bdRate"] and not args.force:
        print(f"{run['id']}: best.pt (step {best['step']}, BD {best['bdRate']:+.2f} %) does not beat the committed "
              f"{committed['id']} (BD {committed['bdRate']:+.2f} %): nothing exported")
        return
    out = os.path.join(REPO, run["export"]["out"])
    was_paused = bool(state["runner"].get("paused"))  # a paused campaign stays paused after the export
    child = signal_trainer(signal.SIGSTOP)
    try:
        cmd = [PYTHON, os.path.join(REPO, run["export"]["script"]), "--checkpoint", path, "--out", out]
        if run["export"].get("context"):
            cmd += ["--context", context_for(run, path, best["step"])]
        if args.kodak_limit:
            cmd += ["--kodak-limit", str(args.kodak_limit)]
        log("export: " + " ".join(cmd))
        subprocess.run(cmd, cwd=REPO, check=True)
        mpath = os.path.join(out, "manifest.json")
        with open(mpath) as f:
            manifest = json.load(f)
        manifest["validation"] = {"images": "models/train/validation-images.txt (10 images of images-train, never "
                                            "trained on)", "method": ("PyTorch model with its checkerboard context (Δμ in 1/16, integer Δk), rounded latents, "
                                             "bits under the tables' scales" if joint_context(run) else
                                             "PyTorch model, rounded latents, likelihood bits") + "; PSNR on 8-bit RGB", "points": best["points"],
                                  "bdRateVsPillowJpeg": best["bdRate"], "step": best["step"],
                                  "withContext": joint_context(run)}
        with open(mpath, "w") as f:
            json.dump(manifest, f, separators=(",", ":"))
        rs.pop("committed", None)
        save_state(state)
        if not args.no_bench:
            bench(run, manifest)
    finally:
        if child and not was_paused:
            signal_trainer(signal.SIGCONT)


def context_for(run: dict, path: str, step: int) -> str:
    """The run's checkerboard context (hyperprior/context.py) trained on checkpoint ``path`` (step
    ``step``): the one in the run folder or its mirror when it was trained on that step, else trained
    now (about 10 minutes on 2 cores) and mirrored."""
    import torch
    spec = run["export"]["context"]
    for folder in (run_dir(run), run_mirror(run)):
        ctx = os.path.join(folder, "context.pt") if folder else None
        if ctx and os.path.exists(ctx) and torch.load(ctx, map_location="cpu")["source"]["step"] == step:
            return ctx
    cmd = [PYTHON, os.path.join(REPO, spec["script"]), "--run", run["id"], "--ckpt", path] + list(spec.get("flags", []))
    log("context: " + " ".join(cmd))
    subprocess.run(cmd, cwd=REPO, check=True)
    ctx = os.path.join(run_dir(run), "context.pt")
    mirror = run_mirror(run)
    if mirror:
        from common.checkpoint import atomic_copy
        os.makedirs(mirror, exist_ok=True)
        atomic_copy(ctx, os.path.join(mirror, "context.pt"))
    return ctx


def bench(run: dict, manifest: dict) -> None:
    """Kodak bench of the exported model (jpeg, webp and the codec, all 24 images) into
    docs/BENCHMARKS.md between markers named after the model."""
    codec, model_id = run["export"]["codec"], manifest["id"]
    kodak = os.path.join(REPO, "..", "shared", "datasets", "kodak")
    report = os.path.join(STATE_DIR, f"bench-{model_id}.json")
    cmd = ["node", os.path.join(REPO, "bin", "ncodec.js"), "bench", "image", "--dataset", kodak,
           "--codecs", f"jpeg,webp,{codec}@{model_id}", "--json", report]
    log("bench: " + " ".join(cmd))
    res = subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True)
    md = res.stdout.strip()
    print(md)
    begin, end = f"<!-- campaign:{model_id}:begin -->", f"<!-- campaign:{model_id}:end -->"
    shown = " ".join(os.path.relpath(a, REPO) if os.path.isabs(a) else a for a in cmd[1:])  # paths from the checkout
    doc = os.path.join(REPO, "docs", "BENCHMARKS.md")
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    block = (f"{begin}\n### `{codec}` / `{model_id}` on Kodak (written by campaign.py export, {now()[:10]}, "
             f"step {manifest['provenance']['steps']})\n\n`{shown}` (training paused)\n\n{md}\n{end}")
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(doc, "w") as f:
        f.write(text)
    log(f"bench written to {doc}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd")
    r = sub.add_parser("run", help="train by the plan until stopped (default)")
    r.add_argument("--only", help="train only this run")
    r.add_argument("--slices", type=int, help="stop after this many slices")
    r.add_argument("--slice-minutes", type=float, help="override the plan's sliceMinutes")
    sub.add_parser("status", help="one line per run")
    sub.add_parser("pause", help="SIGSTOP the trainer (for timed benchmarks)")
    sub.add_parser("resume", help="SIGCONT the trainer")
    e = sub.add_parser("eval", help="validate a checkpoint now (the latest by default)")
    e.add_argument("run")
    e.add_argument("--checkpoint")
    e.add_argument("--committed", action="store_true", help="validate the committed export instead")
    x = sub.add_parser("export", help="export best.pt if it beats the committed export, then bench it")
    x.add_argument("run")
    x.add_argument("--force", action="store_true", help="export even if not better")
    x.add_argument("--kodak-limit", type=int, default=0, help="images of the export's own Kodak RD block")
    x.add_argument("--no-bench", action="store_true", help="skip the Kodak bench")
    args = p.parse_args(argv)
    if args.cmd in (None, "run"):
        plan = load_plan()
        Runner(plan, getattr(args, "only", None), getattr(args, "slices", None),
               getattr(args, "slice_minutes", None)).run()
    else:
        {"status": cmd_status, "pause": cmd_pause, "resume": cmd_resume, "eval": cmd_eval,
         "export": cmd_export}[args.cmd](args)


if __name__ == "__main__":
    main()
