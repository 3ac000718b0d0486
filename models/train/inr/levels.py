"""Rate levels of the INR codec (copied into the manifest by export.py; the codec reads them there).

Per level: `block` (side of the square image blocks / length of the audio blocks, one network
each), `width`, `depth` (sine layers), `frequencies` (Fourier-feature octaves of the positional
encoding per axis), `bits` (quantization step = tensor std * 2^(2 - bits), about `bits` bits per
weight after entropy coding), `lr` (peak Adam learning rate, cosine-decayed), `batch` (coordinates
per block per step) and `steps` (default step budget when the caller sets none).

Chosen on 256x256 crops of kodim01/kodim23 at equal step or time budgets (docs/MODELS.md, "inr"):
omega_0 = 10 beats 5, 30 and 60 by 0.2-10 dB; lr 5e-3 beats 1e-3, 2e-3 and 1e-2; 128-pixel blocks
with depth-2 networks beat 256-pixel blocks with wider or deeper networks at equal rate and time;
fewer than 6 bits per weight loses more PSNR than it saves rate. Above quality 2, smaller blocks of
the same width-16 network beat wider networks on 128-pixel blocks at equal time (12 s on the crops:
64-pixel blocks, batch 256: 0.955 bpp, 26.4 / 32.2 dB; width 36 on 128-pixel blocks: 1.11 bpp,
25.4 / 31.5 dB): the cost of a step grows with the width, the rate with the networks per pixel.
Audio: batch 256 beat 1024 at equal time (orchestra, 15 s: SI-SNR 13.8 vs 13.3 dB); blocks are long
so that the rates reach Opus's range (about 8, 15, 22, 41, 87 kbps at 44.1 kHz; a third of that at
16 kHz).
"""
OMEGA = (10.0, 30.0)

_IMAGE = {"depth": 2, "frequencies": 4, "bits": 6, "lr": 5e-3, "steps": 3000}
# One width (16) from quality 2 up: a step costs the same at every level (blocks x batch samples of
# the same network), and the rate grows by cutting smaller blocks (more networks per pixel).
IMAGE_LEVELS = [
    {"quality": 1, "block": 128, "width": 12, "batch": 1024, **_IMAGE},
    {"quality": 2, "block": 128, "width": 16, "batch": 1024, **_IMAGE},
    {"quality": 3, "block": 96, "width": 16, "batch": 576, **_IMAGE},
    {"quality": 4, "block": 80, "width": 16, "batch": 400, **_IMAGE},
    {"quality": 5, "block": 64, "width": 16, "batch": 256, **_IMAGE},
]

_AUDIO = {"depth": 2, "lr": 5e-3, "batch": 256, "steps": 2000}
AUDIO_LEVELS = [
    {"quality": 1, "block": 16384, "width": 12, "frequencies": 12, "bits": 6, **_AUDIO},
    {"quality": 2, "block": 8192, "width": 12, "frequencies": 11, "bits": 6, **_AUDIO},
    {"quality": 3, "block": 8192, "width": 16, "frequencies": 11, "bits": 6, **_AUDIO},
    {"quality": 4, "block": 4096, "width": 16, "frequencies": 10, "bits": 6, **_AUDIO},
    {"quality": 5, "block": 4096, "width": 24, "frequencies": 10, "bits": 7, **_AUDIO},
]

# Cool-chic image levels (coolchic.py): lambda of D + lambda R (D = MSE of the image in [0, 1], R in
# bits per pixel), peak Adam learning rates of the latents and networks (cosine-decayed over the
# budget), the default step budget and the fraction of it fitted with rounded latents.
_COOLCHIC = {"lr": 0.1, "lrNetwork": 1e-2, "steps": 1000, "hardFraction": 0.2, "hardLrScale": 0.1}
COOLCHIC_LEVELS = [
    {"quality": 1, "lambda": 0.016, **_COOLCHIC},
    {"quality": 2, "lambda": 0.008, **_COOLCHIC},
    {"quality": 3, "lambda": 0.004, **_COOLCHIC},
    {"quality": 4, "lambda": 0.002, **_COOLCHIC},
    {"quality": 5, "lambda": 0.001, **_COOLCHIC},
    {"quality": 6, "lambda": 0.0005, **_COOLCHIC},
]
COOLCHIC_DEFAULT_QUALITY = 3
