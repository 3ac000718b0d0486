"""Warm start: continue training from a committed export (ONNX graphs + manifest.json) instead
of a checkpoint, for when ``models/.runs/`` (gitignored) was lost with its machine.

What an export holds, and how each part of the model comes back:

* network weights: the ONNX initializers.  The export wraps the model (``Enc(m)``, ``GA(m)``,
  ...), so parameter ``encoder.proj.weight`` is stored as ``m.encoder.proj.weight``;
  :func:`load_onnx_weights` strips that prefix, checks every shape, and follows ``Identity``
  nodes: the exporter keeps one copy of initializers with equal values (e.g. the wavelet
  decoder's ``out.1.bias`` is an Identity of ``linear.bias`` when both are still zero).
  Initializers under generated names (``onnx::Conv_123``, ``/m/.../Constant_output_0``) are
  the result of constant folding: their values are baked into the graph and cannot be mapped
  back to a parameter; they are reported, and the parameter they came from shows up as missing.
* rate levels: ``rateLevels[l][key]`` is ``exp(log_gain[l])`` of the gain unit named by the
  key in snake case (``gain`` -> ``model.gain``, ``invGain`` -> ``model.inv_gain``,
  ``hyperInvGain`` -> ``model.hyper_inv_gain``) rounded to float32; :func:`restore_rate_levels`
  takes the float32 log and nudges it by ulps until float32 ``exp`` gives the exported value
  back bit for bit.  The lambdas must equal the model's (``--lambdas``).
* factorized entropy bottleneck (common/entropy.py): only the medians and the integer CDF
  tables are exported, not the density network (``matrices``, ``biases``, ``factors``).
  :func:`restore_bottleneck` sets the medians exactly, the tail quantiles from the tables'
  ranges, and fits a freshly initialised density network to the tables' pmfs (data-free, a
  few seconds; on wavelet-vr-cpu 1e-4 bits/symbol above the tables' entropy, Kodak bits
  within 0.15 % of the export's).  :func:`refit_bottleneck` trains only the bottleneck
  (likelihood of the noisy latents + aux loss, everything else frozen) on training crops and
  re-solves the tail quantiles; ``--init-from`` runs it for ``--refit-steps`` (default 0: on
  wavelet-vr-cpu 200 refit steps left the training-crop bpp unchanged and moved the Kodak
  bpp by +2 %, the noise of Adam on batch-8 crops, so the table fit is the faithful start;
  from a fresh density, ``--table-fit-steps 0 --refit-steps 400 --refit-lr 1e-2`` converges).
"""
from __future__ import annotations

import datetime
import json
import math
import os
import re
import time

import numpy as np
import torch

from .entropy import EntropyBottleneck, concat_table_sets
from .export_utils import sha256
from .rate import GainUnits

PREFIX = "m."  # the export wrappers keep the model as attribute ``m``
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


# --------------------------------------------------------------------------- reading an export

def read_manifest(folder: str) -> dict:
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def graph_files(folder: str, manifest: dict | None = None) -> list[str]:
    """The ONNX files of an export, in the manifest's graph order (else every *.onnx)."""
    manifest = manifest or read_manifest(folder)
    graphs = manifest.get("graphs")
    if graphs:
        return [os.path.join(folder, g["file"]) for g in graphs.values()]
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".onnx"))


def read_initializers(onnx_files) -> tuple[dict, dict]:
    """{name: array} of every initializer of ``onnx_files`` plus the names that ``Identity``
    nodes give them (deduplicated equal initializers), and {alias: original name}.  A float16
    initializer read through a ``Cast`` (common/fp16_weights.py) appears under the Cast's output
    name, as float32.  A name in
    two graphs must hold the same values."""
    import onnx
    from onnx import numpy_helper

    tensors, aliases = {}, {}
    for path in onnx_files:
        graph = onnx.load(path).graph
        local = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        for node in graph.node:  # nodes are topologically sorted: chains resolve in one pass
            if node.op_type == "Identity" and node.input[0] in local:
                local[node.output[0]] = local[node.input[0]]
                aliases[node.output[0]] = aliases.get(node.input[0], node.input[0])
            elif node.op_type == "Cast" and node.input[0] in local:  # fp16 weights (fp16_weights.py)
                local[node.output[0]] = local.pop(node.input[0]).astype(np.float32)
        for name, arr in local.items():
            if name in tensors and (tensors[name].shape != arr.shape or not np.array_equal(tensors[name], arr)):
                raise ValueError(f"initializer {name!r} differs between the graphs ({path})")
            tensors[name] = arr
    return tensors, aliases


def load_onnx_weights(module: torch.nn.Module, onnx_files, strip_prefix: str = PREFIX,
                      verbose: bool = True):
    """Copy the ONNX initializers of ``onnx_files`` into ``module`` by name.

    ``strip_prefix`` + state_dict key = initializer name.  Raises ValueError when a shape
    differs or when no initializer matches.  Returns (loaded, missing, unexpected): state_dict
    keys loaded, state_dict keys not found in any graph, initializer names that match no key
    (generated names from constant folding among them)."""
    tensors, aliases = read_initializers(onnx_files)
    sd = module.state_dict()
    loaded, unexpected, generated, mismatched = [], [], [], []
    for name, arr in tensors.items():
        key = name[len(strip_prefix):] if name.startswith(strip_prefix) else None
        if key is None or key not in sd:
            unexpected.append(name)
            if key is None:
                generated.append(f"{name} {tuple(arr.shape)}")
            continue
        if tuple(sd[key].shape) != tuple(arr.shape):
            mismatched.append(f"{key}: model {tuple(sd[key].shape)} vs onnx {tuple(arr.shape)}")
            continue
        loaded.append(key)
    if mismatched:
        raise ValueError("shape mismatch between the model and the exported graphs (wrong model "
                         "flags?):\n  " + "\n  ".join(mismatched))
    if not loaded:
        raise ValueError(f"no ONNX initializer matches a parameter of {type(module).__name__} "
                         f"with prefix {strip_prefix!r}: initializers {sorted(tensors)[:8]}..., "
                         f"parameters {sorted(sd)[:8]}...")
    with torch.no_grad():
        for key in loaded:  # state_dict tensors share storage with the module's
            sd[key].copy_(torch.from_numpy(np.ascontiguousarray(tensors[strip_prefix + key])).to(sd[key].dtype))
    missing = [k for k in sd if k not in set(loaded)]
    if verbose:
        n_alias = sum(strip_prefix + k in aliases for k in loaded)
        print(f"onnx weights: {len(loaded)} tensors loaded from {len(onnx_files)} graphs "
              f"({n_alias} through Identity aliases of equal initializers), "
              f"{len(missing)} state_dict entries not in the graphs, {len(unexpected)} unexpected", flush=True)
        if generated:
            print("  initializers under generated names (constant folding; cannot be mapped to a "
                  "parameter): " + ", ".join(generated), flush=True)
    return loaded, missing, unexpected


# --------------------------------------------------------------------------- rate levels

def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def exact_log(values) -> torch.Tensor:
    """float32 x with float32 exp(x) == values wherever one exists (nearest otherwise): the
    inverse of GainUnits.vectors() = exp(log_gain)."""
    g = torch.as_tensor(np.asarray(values, dtype=np.float32))
    x = torch.log(g.double()).float()
    for _ in range(8):
        e = torch.exp(x)
        if bool((e == g).all()):
            break
        up = torch.nextafter(x, torch.full_like(x, math.inf))
        down = torch.nextafter(x, torch.full_like(x, -math.inf))
        x = torch.where(e < g, up, torch.where(e > g, down, x))
    return x


@torch.no_grad()
def restore_rate_levels(model, manifest: dict) -> dict:
    """Set every gain unit named in ``manifest["rateLevels"]`` and check the lambdas."""
    levels = manifest["rateLevels"]
    if len(levels) != model.levels:
        raise ValueError(f"the export has {len(levels)} rate levels, the model {model.levels} "
                         f"(pass --lambdas {' '.join(str(l['lambda']) for l in levels)})")
    lam = np.array([l["lambda"] for l in levels], dtype=np.float64)
    ours = model.lambdas.double().cpu().numpy()
    if not np.allclose(lam, ours, rtol=1e-5, atol=5e-7):  # the manifest rounds to 6 decimals
        raise ValueError(f"lambdas differ: export {lam.tolist()} vs model {ours.tolist()} "
                         f"(pass --lambdas {' '.join(str(l) for l in lam.tolist())})")
    report = {}
    for key in levels[0]:
        if key in ("quality", "lambda"):
            continue
        units = getattr(model, _snake(key), None)
        if not isinstance(units, GainUnits):
            raise ValueError(f"rateLevels[].{key}: the model has no gain unit {_snake(key)!r}")
        g = np.array([l[key] for l in levels], dtype=np.float32)
        if tuple(g.shape) != tuple(units.log_gain.shape):
            raise ValueError(f"rateLevels[].{key}: shape {g.shape} vs {tuple(units.log_gain.shape)}")
        log_g = exact_log(g)
        units.log_gain.copy_(log_g.to(units.log_gain))
        exact = int((torch.exp(log_g) == torch.from_numpy(g)).sum())
        report[_snake(key)] = f"{exact}/{g.size} bit-exact"
    return report


# --------------------------------------------------------------------------- entropy bottleneck

def _density_params(eb: EntropyBottleneck):
    return list(eb.matrices) + list(eb.biases) + list(eb.factors)


def _table_arrays(tables: dict, medians: np.ndarray):
    """Per channel: sample points (C, 1, K) med - minima + k, target pmf (C, K), mask (C, K)."""
    lengths = np.asarray(tables["cdfLengths"], dtype=np.int64)
    offsets = np.asarray(tables["offsets"], dtype=np.int64)
    cdfs = np.asarray(tables["cdfs"], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n_pmf = lengths - 2  # cdf = [0, cumsum(freq)] over the pmf symbols plus the escape
    C, K = len(lengths), int(n_pmf.max())
    target = np.zeros((C, K))
    for c in range(C):
        freq = np.diff(cdfs[starts[c]: starts[c] + lengths[c]])[: n_pmf[c]].astype(np.float64)
        t = np.maximum(freq - 1.0, 0.0)  # every frequency got +1 at quantization
        target[c, : n_pmf[c]] = t / max(t.sum(), 1.0)
    samples = medians[:, None] + offsets[:, None] + np.arange(K)[None, :]
    mask = np.arange(K)[None, :] < n_pmf[:, None]
    return (torch.from_numpy(samples).float()[:, None, :], torch.from_numpy(target),
            torch.from_numpy(mask), -offsets, n_pmf - 1 + offsets)


def _pmf(eb: EntropyBottleneck, samples: torch.Tensor) -> torch.Tensor:
    lower = eb._logits_cumulative(samples - 0.5, stop_gradient=False)
    upper = eb._logits_cumulative(samples + 0.5, stop_gradient=False)
    sign = -torch.sign(lower + upper).detach()
    return torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower))[:, 0, :]


def flat_bottleneck(manifest_eb: dict) -> dict:
    """The manifest's bottleneck as one medians list and one table set: as written when it has
    one table per channel; with per-level tables (``levels``: [{quality, medians, tables}]) the
    levels' tables concatenated in quality order, i.e. row l * C + c of a LevelBottleneck."""
    if "levels" not in manifest_eb:
        return manifest_eb
    levels = sorted(manifest_eb["levels"], key=lambda l: l["quality"])
    return {"medians": [m for l in levels for m in l["medians"]],
            "tables": concat_table_sets(l["tables"] for l in levels)}


def restore_bottleneck(eb: EntropyBottleneck, manifest_eb: dict, fit_steps: int = 800,
                       lr: float = 0.02, verbose: bool = True) -> dict:
    """Medians (exact) from the manifest; the density network, which is not exported,
    re-initialised and fitted to the tables' pmfs by cross-entropy (data-free, Adam ``lr`` for
    ``fit_steps``); the tail quantiles solved on the fitted density (without a fit: the middle
    of the unit intervals the tables' ranges allow)."""
    manifest_eb = flat_bottleneck(manifest_eb)
    medians = np.asarray(manifest_eb["medians"], dtype=np.float32)
    tables = manifest_eb["tables"]
    if medians.shape[0] != eb.channels or len(tables["cdfLengths"]) != eb.channels:
        raise ValueError(f"entropy bottleneck: the export has {medians.shape[0]} channels, the model {eb.channels}")
    samples, target, mask, minima, maxima = _table_arrays(tables, medians.astype(np.float64))
    fresh = EntropyBottleneck(eb.channels, filters=eb.filters[1:-1], tail_mass=eb.tail_mass)
    with torch.no_grad():
        for p, q in zip(_density_params(eb), _density_params(fresh)):
            p.copy_(q)
        med = torch.from_numpy(medians)
        # pmfs() puts minima = ceil(median - q_low), maxima = ceil(q_high - median): the middle
        # of those unit intervals until the fitted density's tails are solved below
        eb.quantiles[:, 0, 0] = med - torch.from_numpy(minima).float() + 0.5
        eb.quantiles[:, 0, 1] = med
        eb.quantiles[:, 0, 2] = med + torch.from_numpy(maxima).float() - 0.5
    entropy = -(target * torch.log2(target.clamp(min=1e-300))).sum(1)

    def cross_entropy():
        p = _pmf(eb, samples).double().clamp(min=1e-30)
        return -(target * torch.log2(p) * mask).sum(1)

    t0 = time.time()
    opt = torch.optim.Adam(_density_params(eb), lr=lr)
    with torch.enable_grad():
        for i in range(fit_steps):
            opt.param_groups[0]["lr"] = lr * (0.1 if i >= 0.75 * fit_steps else 1.0)
            loss = cross_entropy().mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    with torch.no_grad():
        excess = (cross_entropy() - entropy).numpy()
        if fit_steps:  # exact tails of the fitted density (the tables only bound them to a unit)
            solved = eb.solve_quantiles()
            solved[:, 0, 1] = med
            eb.quantiles.copy_(solved)
    if fit_steps and excess.mean() > 0.01:
        print(f"WARNING: the bottleneck density fits the manifest tables poorly ({excess.mean():.3f} "
              "bits/symbol): refit it on data (--refit-steps 400 --refit-lr 1e-2)", flush=True)
    report = {"medians": "exact from manifest", "tableFitSteps": fit_steps,
              "tableFitExcessBitsPerSymbol": {"mean": round(float(excess.mean()), 5),
                                              "max": round(float(excess.max()), 5)},
              "tableFitSeconds": round(time.time() - t0, 1), "auxLoss": round(float(eb.aux_loss()), 4)}
    if verbose:
        what = (f"re-initialised and fitted to the manifest tables in {fit_steps} steps "
                f"({report['tableFitSeconds']} s)" if fit_steps else "re-initialised (no table fit)")
        print(f"entropy bottleneck: medians restored; density network {what}: "
              f"{excess.mean():.4f} bits/symbol above the tables' entropy (max {excess.max():.4f}), "
              f"aux loss {report['auxLoss']:.2f}",
              flush=True)
    return report


def refit_bottleneck(model, batches, steps: int, *, rd_loss=None, bottleneck_input=None,
                     lr: float = 1e-3, aux_lr: float = 1e-3, device="cpu", generator=None,
                     log_every: int = 25, solve_quantiles: bool = True, keep_medians: bool = True) -> dict:
    """Train only ``model.entropy_bottleneck`` for ``steps`` steps: its density network on the
    likelihood of the noisy latents (Adam, ``lr``, times 0.1 for the last quarter), its
    quantiles on the aux loss (Adam, ``aux_lr``); encoder, decoder, gains stay frozen.
    ``batches()`` returns a (B, 3, H, W) float tensor of training crops.  ``bottleneck_input(model, x, level)`` gives the
    bottleneck's latents cheaply (e.g. the encoder alone); without it the whole model runs and
    ``rd_loss(out, x, lambdas)["loss"]``, whose only trainable path is the bottleneck's
    likelihood, is minimised.  Finally the tail quantiles are re-solved exactly (and the medians
    too unless ``keep_medians``: the export's medians set the quantization grid the decoder was
    evaluated with, and on the wide low-pass channels the density's median is ill-determined,
    so re-solving can move it by a unit or so for no gain; the aux loss still moves it slowly
    during training).  Returns a summary."""
    eb = model.entropy_bottleneck
    density = _density_params(eb)
    trainable = {id(p) for p in density + [eb.quantiles]}
    frozen = [p for p in model.parameters() if id(p) not in trainable and p.requires_grad]
    for p in frozen:
        p.requires_grad_(False)
    opt = torch.optim.Adam(density, lr=lr)
    aux_opt = torch.optim.Adam([eb.quantiles], lr=aux_lr)
    was_training = model.training
    model.train()
    medians0 = eb.medians.clone()
    t0, bpps, first = time.time(), [], None
    try:
        for step in range(1, steps + 1):
            opt.param_groups[0]["lr"] = lr * (0.1 if step > 0.75 * steps else 1.0)
            x = batches().to(device)
            level = torch.randint(model.levels, (x.shape[0],), generator=generator).to(device)
            if bottleneck_input is not None:
                with torch.no_grad():
                    y = bottleneck_input(model, x, level)
                lik = eb.likelihood_at(y + torch.empty_like(y).uniform_(-0.5, 0.5), level)
                bpp = -torch.log2(lik).reshape(x.shape[0], -1).sum(1) / (x.shape[2] * x.shape[3])
                loss = bpp.mean()
            else:
                out = model(x, level)
                loss = rd_loss(out, x, model.lambdas[level])["loss"]
                bpp = -sum(torch.log2(l.detach()).reshape(x.shape[0], -1).sum(1)
                           for l in out["likelihoods"].values()) / (x.shape[2] * x.shape[3])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            aux = eb.aux_loss()
            aux_opt.zero_grad(set_to_none=True)
            aux.backward()
            aux_opt.step()
            bpps.append(float(bpp.mean()))
            if step % log_every == 0 or step == steps:
                window = float(np.mean(bpps[-log_every:]))
                first = window if first is None else first
                print(f"refit {step}/{steps} bottleneck bpp {window:.4f} aux {float(aux):.1f} "
                      f"s/step {(time.time() - t0) / step:.3f}", flush=True)
    finally:
        for p in frozen:
            p.requires_grad_(True)
        model.train(was_training)
    summary = {"steps": steps, "lr": lr, "firstWindowBpp": round(first, 5) if first is not None else None,
               "lastWindowBpp": round(float(np.mean(bpps[-log_every:])), 5) if bpps else None,
               "seconds": round(time.time() - t0, 1)}
    if solve_quantiles:
        with torch.no_grad():
            solved = eb.solve_quantiles()
            summary["solvedMedianShiftMax"] = round(float((solved[:, 0, 1] - medians0).abs().max()), 5)
            if keep_medians:
                solved[:, 0, 1] = medians0
            eb.quantiles.copy_(solved)
            summary["mediansKept"] = keep_medians
            summary["auxLossAfterSolve"] = round(float(eb.aux_loss()), 6)
    return summary


# --------------------------------------------------------------------------- everything at once

def init_from_checkpoint(model, path: str) -> dict:
    """Load a training checkpoint (``latest.pt``/``best.pt`` of another run) into a freshly built
    ``model`` whose flags may differ in one way: a model with one density per (rate level,
    channel) (``LevelBottleneck``, ``--per-level-prior``) starts every level from the
    checkpoint's shared per-channel density (rows tiled level by level).  Every other shape must
    match, except that parameters under the model's ``new_branches`` prefixes (branches added to a
    trained design, initialised so that they change nothing, e.g. hyperprior/wavelet_front.py's
    encoder refinement) may be absent and keep their initialisation.  Returns the record written
    to the checkpoint as ``init_from`` (steps and wall time continue from the checkpoint's)."""
    from . import checkpoint
    state = checkpoint.load(path)
    own = model.state_dict()
    weights, tiled = {}, []
    for key, value in state["model"].items():
        if key not in own:
            raise ValueError(f"{path}: {key} is not a parameter of the model being trained")
        want = own[key].shape
        if value.shape != want and key.startswith("entropy_bottleneck.") and value.dim() >= 1 \
                and want[0] % value.shape[0] == 0 and value.shape[1:] == want[1:]:
            value = value.repeat((want[0] // value.shape[0],) + (1,) * (value.dim() - 1))
            tiled.append(key)
        if value.shape != want:
            raise ValueError(f"{path}: {key} has shape {tuple(value.shape)}, the model {tuple(want)} "
                             "(the model flags must match the checkpoint's config)")
        weights[key] = value
    new = tuple(getattr(model, "new_branches", ()))
    missing = [k for k in own if k not in weights and not k.startswith(new)]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}")
    fresh = [k for k in own if k not in weights]
    model.load_state_dict(weights, strict=not fresh)
    if fresh:
        print(f"--init-from {path}: {len(fresh)} tensors of new branches ({', '.join(new)}) keep their "
              "initialisation", flush=True)
    if tiled:
        print(f"--init-from {path}: shared bottleneck tiled into per-level densities ({len(tiled)} tensors)",
              flush=True)
    rel = os.path.relpath(os.path.abspath(path), REPO)
    history = state.get("history", {})
    return {"checkpoint": rel if not rel.startswith("..") else os.path.abspath(path),
            "config": state.get("config"), "step": int(state["step"]), "wall_s": float(state["wall_s"]),
            "emaLoss": history.get("ema_loss"), "tiledBottleneck": bool(tiled),
            "previous": state.get("init_from"),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def _config_mismatches(manifest: dict, config: dict) -> list[str]:
    """What the manifest states about the architecture that the shapes cannot catch."""
    out = []
    wav = manifest.get("wavelet")
    if wav and "wavelet" in config and wav.get("name") != config["wavelet"]:
        out.append(f"wavelet {wav.get('name')} (export) vs {config['wavelet']} (--wavelet)")
    if wav and "levels" in config and wav.get("levels") != config["levels"]:
        out.append(f"wavelet levels {wav.get('levels')} (export) vs {config['levels']} (--levels)")
    return out


def init_from_export(model, folder: str, config: dict | None = None, *, strip_prefix: str = PREFIX,
                     allow_missing: bool = False, table_fit_steps: int = 800) -> dict:
    """Load an export (``models/<family>/<id>/``) into a freshly built ``model``: weights from the
    ONNX graphs, gains from rateLevels, bottleneck medians/quantiles and a table-fitted density.
    Raises when a parameter outside the bottleneck and the gain units is missing (unless
    ``allow_missing``).  Returns the record written to the checkpoint as ``init_from``."""
    manifest = read_manifest(folder)
    problems = _config_mismatches(manifest, config or {})
    if problems:
        raise ValueError("model flags do not match the export: " + "; ".join(problems))
    files = graph_files(folder, manifest)
    hashes = {}
    for path in files:
        h = sha256(path)
        want = manifest.get("files", {}).get(os.path.basename(path), {}).get("sha256")
        if want and want != h:
            raise ValueError(f"{path}: sha256 {h} differs from the manifest's {want}")
        hashes[os.path.basename(path)] = h
    loaded, missing, unexpected = load_onnx_weights(model, files, strip_prefix)
    gains = restore_rate_levels(model, manifest)
    gain_keys = {f"{_snake(k)}.log_gain" for k in manifest["rateLevels"][0] if k not in ("quality", "lambda")}
    buffers = {n for n, _ in model.named_buffers()}  # set by build(config): lambdas, bottleneck target
    new = tuple(getattr(model, "new_branches", ()))  # added branches that start at "no change"
    restored_elsewhere = [k for k in missing if k in gain_keys or k.startswith("entropy_bottleneck.") or k in buffers
                          or (new and k.startswith(new))]
    lost = [k for k in missing if k not in restored_elsewhere]
    if lost:
        msg = ("parameters of the network not found among the exported initializers (constant folding "
               "or a different architecture): " + ", ".join(lost))
        if not allow_missing:
            raise ValueError(msg)
        print("WARNING: " + msg + " -- they keep their fresh initialisation", flush=True)
    print(f"rate levels restored from the manifest: {gains}", flush=True)
    eb_report = restore_bottleneck(model.entropy_bottleneck, manifest["entropyBottleneck"],
                                   fit_steps=table_fit_steps) if "entropyBottleneck" in manifest else None
    extras = model.load_export_extras(folder, manifest) if hasattr(model, "load_export_extras") else None
    if extras:
        print(f"from the export besides its graphs: {extras}", flush=True)
    prov = manifest.get("provenance", {})
    rel = os.path.relpath(os.path.abspath(folder), REPO)
    return {"folder": rel if not rel.startswith("..") else os.path.abspath(folder),
            "id": manifest.get("id"), "step": int(prov.get("steps") or 0),
            "wall_s": float(prov.get("wallTimeSeconds") or 0.0), "exportDate": prov.get("date"),
            "emaLoss": prov.get("emaLoss"),
            "exportFinalTraining": prov.get("finalTraining"), "files": hashes,
            "loaded": len(loaded), "notInGraphs": lost, "unexpected": unexpected,
            "rateLevels": gains, "bottleneck": eb_report, "extras": extras,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
