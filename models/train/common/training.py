"""The variable-rate image training loop shared by hyperprior/train.py and wavelet/train.py.

Both recipes train a model with ``model(x, level) -> {"x_hat", "likelihoods"}``, an
``entropy_bottleneck`` (whose ``quantiles`` get their own Adam), ``model.levels`` and
``model.lambdas``, on random crops with a random rate level per image.  What differs between
them (the model builder, the rd loss and the config built from their flags) is passed in to
:func:`train_image_rd`.  The checkpoint dict it writes is the one both recipes always wrote, so
old checkpoints resume unchanged.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import time

import numpy as np
import torch

from common import checkpoint, warm_start
from common.checkpoint import mirror_root  # noqa: F401  (the recipes' default --mirror-root)
from common.data import CropSampler, to_tensor_batch


class Stopper:
    """Turns SIGTERM/SIGINT into a flag checked between steps (then save and exit)."""

    def __init__(self):
        self.stop = False
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum, frame):
        print(f"signal {signum}: saving and stopping", flush=True)
        self.stop = True


def hardware(device: torch.device, threads: int) -> str:
    """A one-line description of what this process trains on."""
    if device.type == "cuda":
        return f"CUDA {torch.cuda.get_device_name(device)}"
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"CPU {model}, {threads} threads"


class StepClock:
    """Training seconds of one step: its wall time, unless the process was stopped during it.

    ``campaign.py pause`` stops the trainer with SIGSTOP (and a machine can be suspended); the
    step in progress then lasts as long as the pause.  Checkpoints' ``wall_s`` are training hours
    (the campaign's stall rule retires a run after 3 of them without a validation gain), so a step
    longer than 10 × the running mean + 5 s counts as the mean instead."""

    def __init__(self):
        self.mean: float | None = None

    def count(self, seconds: float) -> float:
        if self.mean is not None and seconds > 10 * self.mean + 5:
            return self.mean
        self.mean = seconds if self.mean is None else 0.98 * self.mean + 0.02 * seconds
        return seconds


class ThreadTuner:
    """``--threads 0``: picks 1 or 2 (..cpu_count) threads by measured step time, again and again.

    On this 2-core machine a 2-thread step is fastest when the machine is otherwise idle, but a
    niced 2-thread trainer beside one busy process slows 3-5x (the thread sharing a core with
    the other process gets a small slice and the other waits for it), where 1 thread just moves
    to the free core.  Every ``every`` steps it runs ``probe`` steps with the other count and
    keeps whichever had the lower median step time."""

    def __init__(self, max_threads: int, every: int = 100, probe: int = 4):
        self.choices = [1, max_threads] if max_threads > 1 else [1]
        self.current, self.every, self.probe = self.choices[-1], every, probe
        self.times = {c: [] for c in self.choices}
        self.n, self.trying = 0, None
        torch.set_num_threads(self.current)

    def threads(self) -> int:
        return self.trying or self.current

    def after_step(self, seconds: float) -> None:
        self.times[self.threads()].append(seconds)
        self.times[self.threads()] = self.times[self.threads()][-self.probe:]
        self.n += 1
        if len(self.choices) == 1:
            return
        if self.trying is None and self.n % self.every == 0:
            self.trying = next(c for c in self.choices if c != self.current)
            self.times[self.trying] = []
            torch.set_num_threads(self.trying)
        elif self.trying is not None and len(self.times[self.trying]) >= self.probe:
            mine = float(np.median(self.times[self.current])) if self.times[self.current] else math.inf
            other = float(np.median(self.times[self.trying]))
            if other < 0.95 * mine:
                print(f"threads {self.current} -> {self.trying} (median step {mine:.2f} s -> {other:.2f} s)", flush=True)
                self.current = self.trying
                self.times[self.current] = self.times[self.current][-self.probe:]
            self.trying = None
            torch.set_num_threads(self.current)


def lr_at(step: int, args, warmup_from: int = 0) -> float:
    """Linear warm-up over --warmup steps from ``warmup_from`` (0, or the step a warm start began
    at: its Adam moments are new), times 0.3 per --lr-drops step passed (absolute steps)."""
    lr = args.lr * min(1.0, (step - warmup_from + 1) / max(1, args.warmup))
    return lr * 0.3 ** sum(step >= s for s in args.lr_drops)


def make_optimizers(model, args, lr_scale=None):
    """Adam for the network and Adam for the bottleneck quantiles.  ``lr_scale(name)``, when
    given, puts parameters into groups whose lr is that multiple of the schedule's
    (``param_group["lr_scale"]``)."""
    aux = [model.entropy_bottleneck.quantiles]
    named = [(n, p) for n, p in model.named_parameters() if not n.endswith("quantiles")]
    scales = sorted({lr_scale(n) for n, _ in named}) if lr_scale else [1.0]
    groups = [{"params": [p for n, p in named if (lr_scale(n) if lr_scale else 1.0) == s], "lr_scale": s}
              for s in scales]
    return torch.optim.Adam(groups, lr=args.lr), torch.optim.Adam(aux, lr=args.aux_lr)


class Meter:
    """Sums of loss/bpp/psnr overall and per rate level since the last report."""

    def __init__(self, levels: int):
        self.levels = levels
        self.reset()

    def reset(self):
        self.n = 0
        self.sums = {"loss": 0.0, "aux": 0.0}
        self.lvl = np.zeros((self.levels, 3))  # count, bpp, psnr

    def add(self, loss, aux, level, bpp, mse):
        self.n += 1
        self.sums["loss"] += loss
        self.sums["aux"] += aux
        psnr = -10 * torch.log10(mse.clamp(min=1e-10))
        for l, b, p in zip(level.tolist(), bpp.tolist(), psnr.tolist()):
            self.lvl[l] += (1, b, p)

    def report(self) -> dict:
        c = np.maximum(self.lvl[:, 0], 1)
        return {"loss": self.sums["loss"] / max(self.n, 1), "aux": self.sums["aux"] / max(self.n, 1),
                "bpp": float(self.lvl[:, 1].sum() / max(self.lvl[:, 0].sum(), 1)),
                "psnr": float(self.lvl[:, 2].sum() / max(self.lvl[:, 0].sum(), 1)),
                "level_bpp": [round(v, 4) for v in (self.lvl[:, 1] / c).tolist()],
                "level_psnr": [round(v, 3) for v in (self.lvl[:, 2] / c).tolist()]}


def image_rd_parser(doc: str, *, run: str, runs_root: str, mirror_root: str, data, lambdas,
                    crop: int, lr: float, warmup: int, amp_help: str, model_flags) -> argparse.ArgumentParser:
    """The CLI of an image rd recipe; ``model_flags(p)`` adds the model's own flags (after --resume)."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default=run, help="run name (folder under --runs-root)")
    p.add_argument("--runs-root", default=runs_root)
    p.add_argument("--mirror-root", default=mirror_root,
                   help="folder that receives a copy of latest.pt ('' to disable)")
    p.add_argument("--data", nargs="+", default=data, help="training image folders")
    p.add_argument("--resume", action="store_true", help="continue from the newest latest.pt")
    p.add_argument("--init-from", metavar="MODEL_FOLDER|CHECKPOINT.pt",
                   help="start from a committed export (models/<family>/<id>/: ONNX graphs + "
                        "manifest.json), or from another run's checkpoint (a .pt file), instead of "
                        "from scratch; ignored when --resume finds a checkpoint.  Steps and wall time "
                        "continue from the export's provenance or the checkpoint; the model flags "
                        "must match (a checkpoint with a shared bottleneck may start a "
                        "--per-level-prior model; see common/warm_start.py)")
    p.add_argument("--refit-steps", type=int, default=0,
                   help="with --init-from: steps that train only the entropy bottleneck on training "
                        "crops (encoder/decoder frozen) after its density was fitted to the "
                        "manifest's tables and before training resumes (0 = table fit only)")
    p.add_argument("--refit-lr", type=float, default=1e-3,
                   help="Adam lr of the bottleneck refit (1e-3 continues from the table fit; 1e-2 "
                        "with --refit-steps 400 refits from scratch, e.g. with --table-fit-steps 0)")
    p.add_argument("--table-fit-steps", type=int, default=800,
                   help="with --init-from: steps fitting the re-initialised bottleneck density to the "
                        "manifest's CDF tables (data-free; 0 = leave it freshly initialised)")
    model_flags(p)
    p.add_argument("--lambdas", type=float, nargs="+", default=list(lambdas))
    p.add_argument("--crop", type=int, default=crop)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--aux-lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=warmup, help="linear lr warm-up steps")
    p.add_argument("--lr-drops", type=int, nargs="*", default=[],
                   help="steps after which the lr is multiplied by 0.3 (cumulative)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (0 = off)")
    p.add_argument("--steps", type=int, default=1_000_000, help="stop at this step")
    p.add_argument("--device", default="cpu", help="cpu | cuda | cuda:N")
    p.add_argument("--amp", action="store_true", help=amp_help + "; on the CPU bf16 autocast too "
                   "(AVX-512 bf16; see models/train/README.md for when it pays)")
    p.add_argument("--channels-last", action="store_true",
                   help="channels_last memory format for the model and its input batches")
    p.add_argument("--threads", type=int, default=2,
                   help="torch CPU threads (0: choose 1 or all cores by measured step time, ThreadTuner)")
    p.add_argument("--save-every", type=float, default=300.0, help="seconds between checkpoints")
    p.add_argument("--max-seconds", type=float, default=0.0,
                   help="stop (and save) after this many seconds of training in this process (0 = no limit)")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--best-by", choices=("loss", "none"), default="loss",
                   help="loss: best.pt follows the smoothed training loss; none: leave best.pt to "
                        "campaign.py, which keeps it by validation RD")
    return p


def setup_run(args):
    """Threads, seed, device, run folder + mirror, and the newest latest.pt when --resume.

    Returns (device, run_dir, mirror, state) where state is the loaded checkpoint or None."""
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    run_dir = os.path.join(args.runs_root, args.run)
    mirror = os.path.join(args.mirror_root, args.run) if args.mirror_root else None
    os.makedirs(run_dir, exist_ok=True)
    state = None
    if args.resume:
        path = checkpoint.find_latest(run_dir, mirror)
        if path is None:
            print(f"--resume: no latest.pt in {run_dir} or {mirror}; starting fresh", flush=True)
        else:
            state = checkpoint.load(path)
            print(f"resuming from {path} at step {state['step']}", flush=True)
    return device, run_dir, mirror, state


def save_checkpoint(snapshot, ema, best: float, step: int, run_dir: str, mirror) -> float:
    """Write ``snapshot(best)`` as latest.pt (and best.pt when the smoothed loss ``ema`` beat
    ``best``), print the "saved step" line, and return the new best."""
    is_best = ema is not None and ema < best
    if is_best:
        best = ema
    checkpoint.save(snapshot(best), run_dir, mirror, is_best)
    print(f"saved step {step} (best={is_best})", flush=True)
    return best


def train_image_rd(args, config: dict, build, rd_loss, bottleneck_input=None, step_hook=None, lr_scale=None):
    """Variable-rate rd training of ``build(config)`` with ``rd_loss(out, x, lambdas)``.

    ``config`` is what the flags say for a fresh run; on --resume the checkpoint's config wins.
    With --init-from (and no checkpoint to resume) the model starts from an export, see
    common/warm_start.py; ``bottleneck_input(model, x, level)`` (the entropy bottleneck's
    latents, without the decoder) makes its bottleneck refit cheaper; ``step_hook(model, step)``,
    when given, runs before every step (e.g. to freeze part of a warm-started model for a while);
    ``lr_scale(name)`` gives parameters their own multiple of the learning rate.
    Logs, metrics.jsonl and the checkpoint dict keep the format both recipes always had; a
    warm-started run adds ``init_from`` (and ``history["warmup_from"]``)."""
    device, run_dir, mirror, state = setup_run(args)
    config = state["config"] if state else config
    model = build(config)
    init_from = state.get("init_from") if state else None
    if state is None and getattr(args, "init_from", None):
        if args.init_from.endswith(".pt"):
            print(f"--init-from {args.init_from}: loading the checkpoint", flush=True)
            init_from = warm_start.init_from_checkpoint(model, args.init_from)
        else:
            print(f"--init-from {args.init_from}: loading the export", flush=True)
            init_from = warm_start.init_from_export(model, args.init_from, config,
                                                    table_fit_steps=args.table_fit_steps)
    elif state is not None and getattr(args, "init_from", None):
        print(f"--init-from {args.init_from} ignored: resuming from a checkpoint", flush=True)
    model = model.to(device)
    memory_format = torch.channels_last if getattr(args, "channels_last", False) else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    opt, aux_opt = make_optimizers(model, args, lr_scale)
    step, wall, best = 0, 0.0, math.inf
    history = {"ema_loss": None}
    if init_from is not None and state is None:
        step, wall = init_from["step"], init_from["wall_s"]
        history = {"ema_loss": init_from.get("emaLoss"), "warmup_from": step}
    if state:
        model.load_state_dict(state["model"])
        fresh_adam = "optimizer" not in state or \
            len(state["optimizer"]["param_groups"]) != len(opt.param_groups)
        if not fresh_adam:
            opt.load_state_dict(state["optimizer"])
            aux_opt.load_state_dict(state["aux_optimizer"])
        else:  # a GPU run's weights carry no optimizer state; or the lr groups changed
            print("checkpoint without (matching) optimizer state: Adam starts anew (lr warm-up again)", flush=True)
        for g in aux_opt.param_groups:  # --aux-lr may change between sessions
            g["lr"] = args.aux_lr
        step, wall, best = state["step"], state["wall_s"], state.get("best_loss", math.inf)
        history = state.get("history", history)
        if fresh_adam:
            history["warmup_from"] = step

    sampler = CropSampler(args.data, args.crop, seed=args.seed + step)
    if init_from is not None and state is None and args.refit_steps > 0:
        print(f"refitting the entropy bottleneck for {args.refit_steps} steps (everything else frozen)",
              flush=True)
        init_from["refit"] = warm_start.refit_bottleneck(
            model, lambda: to_tensor_batch(sampler.batch(args.batch)), args.refit_steps,
            rd_loss=rd_loss, bottleneck_input=bottleneck_input, lr=args.refit_lr, aux_lr=args.aux_lr,
            device=device, generator=torch.Generator().manual_seed(args.seed * 7919 + step),
            log_every=args.log_every)
        print(f"bottleneck refit: {json.dumps(init_from['refit'])}; training resumes at step {step}",
              flush=True)
    warmup_from = history.get("warmup_from", 0)
    if args.steps <= step:
        print(f"--steps {args.steps} is the absolute step to stop at and this run is at step {step}: "
              "nothing to train", flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"config {json.dumps(config)} params {n_params} images {len(sampler)} "
          f"crop {args.crop} batch {args.batch} device {device} torch {torch.__version__}", flush=True)
    stopper = Stopper()
    meter = Meter(model.levels)
    metrics = open(os.path.join(run_dir, "metrics.jsonl"), "a")
    gen = torch.Generator().manual_seed(args.seed * 1000003 + step)
    last_save, t_report, steps_report = time.time(), time.time(), 0
    amp = args.amp

    def snapshot(best):
        return {"model": model.state_dict(), "optimizer": opt.state_dict(),
                "aux_optimizer": aux_opt.state_dict(), "step": step, "wall_s": wall,
                "best_loss": best, "history": history, "config": config, "init_from": init_from,
                "train": {"data": [os.path.abspath(d) for d in args.data], "crop": args.crop,
                          "batch": args.batch, "lr": args.lr, "device": str(device),
                          "torch": torch.__version__, "threads": args.threads, "amp": bool(amp),
                          "channelsLast": memory_format == torch.channels_last,
                          "hardware": hardware(device, args.threads or f"1-{os.cpu_count()} (auto)")}}

    def save():
        nonlocal best, last_save
        ema = history["ema_loss"] if getattr(args, "best_by", "loss") == "loss" else None
        best = save_checkpoint(snapshot, ema, best, step, run_dir, mirror)
        last_save = time.time()

    tuner = ThreadTuner(os.cpu_count() or 1) if args.threads == 0 and device.type == "cpu" else None
    clock = StepClock()
    model.train()
    started = time.time()
    max_s = getattr(args, "max_seconds", 0.0) or 0.0
    while step < args.steps and not stopper.stop and not (max_s and time.time() - started >= max_s):
        t0 = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args, warmup_from) * g.get("lr_scale", 1.0)
        if step_hook is not None:
            step_hook(model, step)
        x = to_tensor_batch(sampler.batch(args.batch)).to(device, non_blocking=True)
        x = x.contiguous(memory_format=memory_format)
        level = torch.randint(model.levels, (args.batch,), generator=gen).to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            out = model(x, level)
        out["x_hat"] = out["x_hat"].float()
        out["likelihoods"] = {k: v.float() for k, v in out["likelihoods"].items()}
        rd = rd_loss(out, x, model.lambdas[level])
        if not torch.isfinite(rd["loss"]):
            print(f"step {step}: non-finite loss, batch skipped", flush=True)
            opt.zero_grad(set_to_none=True)
            continue
        opt.zero_grad(set_to_none=True)
        rd["loss"].backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], args.clip)
        opt.step()
        aux = model.entropy_bottleneck.aux_loss()
        aux_opt.zero_grad(set_to_none=True)
        aux.backward()
        aux_opt.step()

        step += 1
        steps_report += 1
        seconds = clock.count(time.time() - t0)
        wall += seconds
        if tuner is not None:
            tuner.after_step(seconds)
        loss = float(rd["loss"])
        history["ema_loss"] = loss if history["ema_loss"] is None else 0.99 * history["ema_loss"] + 0.01 * loss
        meter.add(loss, float(aux), level.cpu(), rd["bpp"].cpu(), rd["mse"].cpu())
        if step % args.log_every == 0:
            r = meter.report()
            sps = (time.time() - t_report) / steps_report
            print(f"step {step} loss {r['loss']:.4f} ema {history['ema_loss']:.4f} bpp {r['bpp']:.4f} "
                  f"psnr {r['psnr']:.2f} aux {r['aux']:.1f} lr {lr_at(step, args, warmup_from):.2e} "
                  f"s/step {sps:.3f} wall {wall / 3600:.2f}h", flush=True)
            if step % (args.log_every * 8) == 0:
                print("  level bpp  " + " ".join(f"{v:.3f}" for v in r["level_bpp"]), flush=True)
                print("  level psnr " + " ".join(f"{v:.2f}" for v in r["level_psnr"]), flush=True)
            history["last_report"] = {"step": step, "s_per_step": sps, **r}
            metrics.write(json.dumps({"step": step, "lr": lr_at(step, args, warmup_from), "s_per_step": sps,
                                      "wall_s": wall, "ema_loss": history["ema_loss"], **r}) + "\n")
            metrics.flush()
            meter.reset()
            t_report, steps_report = time.time(), 0
        if time.time() - last_save >= args.save_every:
            save()
    save()
    print(f"stopped at step {step}", flush=True)
