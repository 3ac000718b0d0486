"""Image training data: every PNG/JPEG of the given folders, decoded once into memory.

Batches are random crops (optionally flipped horizontally/vertically) drawn from the preloaded
uint8 images, so a training step never touches the disk.  Images smaller than the crop are
skipped.  Evaluation sets (Kodak) must never be passed here, and the image validation split
(``models/train/validation-images.txt``, paths relative to a ``images-train`` folder) is left out
of every training folder list: those images pick checkpoints (campaign.py).
"""
from __future__ import annotations

import glob
import os

import numpy as np
from PIL import Image

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
VALIDATION_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "validation-images.txt")


def validation_names(path: str = VALIDATION_LIST) -> list[str]:
    """The validation split as ``<folder>/<file>`` names (e.g. ``bsd100/img_013_SRF_2_HR.png``)."""
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def is_validation(path: str, names=None) -> bool:
    names = validation_names() if names is None else names
    parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
    return "/".join(parts[-2:]) in names


def validation_images(train_root: str) -> list[str]:
    """Absolute paths of the validation images under ``train_root`` (``.../images-train``)."""
    paths = [os.path.join(train_root, n) for n in validation_names()]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise FileNotFoundError(f"validation images missing: {missing}")
    return paths


def list_images(folders, exclude_validation: bool = False) -> list[str]:
    """Every image file under ``folders`` (sorted per folder); without the validation split
    when ``exclude_validation``."""
    names = validation_names() if exclude_validation else []
    files = []
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "**", "*"), recursive=True)):
            if path.lower().endswith(EXTENSIONS) and not (names and is_validation(path, names)):
                files.append(path)
    return files


def load_rgb(path: str) -> np.ndarray:
    """HxWx3 uint8 RGB."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def to_tensor_batch(images: np.ndarray):
    """BxHxWx3 uint8 -> Bx3xHxW float32 in [0, 1] (the codec's input normalisation)."""
    import torch
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255.0


class CropSampler:
    """Random ``crop`` x ``crop`` patches with random flips from preloaded images."""

    def __init__(self, folders, crop: int, seed: int = 0):
        self.files = list_images(folders, exclude_validation=True)
        if not self.files:
            raise FileNotFoundError(f"Expected training images in {list(folders)} but found none")
        images = [load_rgb(f) for f in self.files]
        self.images = [im for im in images if min(im.shape[:2]) >= crop]
        if not self.images:
            raise ValueError(f"Expected images of at least {crop} px but all are smaller")
        self.crop = crop
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, size: int) -> np.ndarray:
        c = self.crop
        out = np.empty((size, c, c, 3), dtype=np.uint8)
        for b in range(size):
            im = self.images[self.rng.integers(len(self.images))]
            top = self.rng.integers(im.shape[0] - c + 1)
            left = self.rng.integers(im.shape[1] - c + 1)
            patch = im[top:top + c, left:left + c]
            if self.rng.random() < 0.5:
                patch = patch[:, ::-1]
            if self.rng.random() < 0.5:
                patch = patch[::-1]
            out[b] = patch
        return out
