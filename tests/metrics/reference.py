#!/usr/bin/env python3
"""Independent NumPy/SciPy computations of the expected values pasted into tests/metrics/*.test.ts.

Run: python3 tests/metrics/reference.py  (needs numpy and scipy; no torch, librosa or pystoi: their
algorithms are re-expressed here from their published source, with NumPy's FFT and SciPy's
resample_poly / PchipInterpolator / correlate doing the numerical work).
"""
import json
import numpy as np
from scipy import signal
from scipy.interpolate import PchipInterpolator

# ---------------------------------------------------------------- test data (mirror of signals.ts)
def pattern_image(w, h):
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return ((x * 7 + y * 13 + c * 50 + ((x * y) % 17) * 3) % 256).astype(np.float64)

def noisy_image(a, spread=10):
    h, w, _ = a.shape
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return np.clip(a + ((x * 31 + y * 17 + c * 5) % (2 * spread + 1)) - spread, 0, 255)

def lcg_noise(n, seed):
    out = np.empty(n)
    s = seed & 0xFFFFFFFF
    for i in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = s / 4294967296 - 0.5
    return out

def test_clip(sr, seconds):
    n = int(round(sr * seconds))
    noise = lcg_noise(n, 12345)
    i = np.arange(n)
    t = i / sr
    env = 0.2 + 0.8 * np.sin(2 * np.pi * 3 * t) ** 2
    v = env * (0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 1234.5 * t) * (i / n)) + 0.05 * noise
    v = np.where((t >= 0.5) & (t < 0.75), v * 0.001, v)
    return v.astype(np.float32).astype(np.float64)

def degraded_clip(ref):
    noise = lcg_noise(len(ref), 999)
    shifted = np.concatenate([np.zeros(5), ref[:-5]])
    return (0.8 * ref + 0.1 * shifted + 0.05 * noise).astype(np.float32).astype(np.float64)

# ---------------------------------------------------------------- PSNR / MS-SSIM (pytorch-msssim)
def psnr(a, b):
    return 10 * np.log10(255.0 ** 2 / np.mean((a - b) ** 2))

def gauss(size=11, sigma=1.5):
    coords = np.arange(size) - size // 2
    g = np.exp(-(coords ** 2) / (2 * sigma ** 2))
    return g / g.sum()

def blur(img):
    k = np.outer(gauss(), gauss())
    return signal.correlate(img, k, mode="valid")

def ssim_cs(x, y, L=255.0):
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    mu1, mu2 = blur(x), blur(y)
    s11 = blur(x * x) - mu1 ** 2
    s22 = blur(y * y) - mu2 ** 2
    s12 = blur(x * y) - mu1 * mu2
    cs = (2 * s12 + c2) / (s11 + s22 + c2)
    ssim = ((2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1)) * cs
    return ssim.mean(), cs.mean()

def avg_pool(x):
    ph, pw = x.shape[0] % 2, x.shape[1] % 2
    x = np.pad(x, ((ph, ph), (pw, pw)))
    h, w = (x.shape[0] // 2) * 2, (x.shape[1] // 2) * 2
    x = x[:h, :w]
    return x.reshape(h // 2, 2, w // 2, 2).sum(axis=(1, 3)) / 4

def ms_ssim(a, b):
    weights = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
    vals = []
    for c in range(a.shape[2]):
        x, y = a[:, :, c], b[:, :, c]
        mcs = []
        for i in range(5):
            ssim, cs = ssim_cs(x, y)
            if i < 4:
                mcs.append(max(cs, 0.0))
                x, y = avg_pool(x), avg_pool(y)
        vals.append(np.prod(np.array(mcs + [max(ssim, 0.0)]) ** weights))
    return float(np.mean(vals))

# ---------------------------------------------------------------- SI-SNR
def si_snr(ref, est):
    x = ref - ref.mean(); y = est - est.mean()
    s = (np.dot(y, x) / np.dot(x, x)) * x
    e = y - s
    return 10 * np.log10(np.dot(s, s) / np.dot(e, e))

# ---------------------------------------------------------------- DAC mel distance (audiotools + librosa)
def hz_to_mel(f, htk=False):
    f = np.asanyarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz = 1000.0; min_log_mel = min_log_hz / f_sp; logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-30) / min_log_hz) / logstep, mels)

def mel_to_hz(m, htk=False):
    m = np.asanyarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0; min_log_mel = min_log_hz / f_sp; logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

def librosa_mel(sr, n_fft, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney"):
    fmax = sr / 2 if fmax is None else fmax
    fftfreqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, 1 + n_fft // 2))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    if norm != "slaney":
        return weights
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])
    return weights * enorm[:, None]

def mel_spec(x, sr, win, n_mels, htk=False, norm="slaney"):
    hop = win // 4
    xp = np.pad(x, (win // 2, win // 2), mode="reflect")  # torch.stft(center=True, pad_mode='reflect')
    window = signal.get_window("hann", win)  # periodic (fftbins=True), as audiotools
    frames = 1 + (len(xp) - win) // hop
    spec = np.stack([np.abs(np.fft.rfft(xp[t * hop:t * hop + win] * window)) for t in range(frames)])
    return spec @ librosa_mel(sr, win, n_mels, htk=htk, norm=norm).T

def mel_distance(ref, est, sr, pow_=1.0, mag_weight=0.0, htk=False, norm="slaney"):
    total = 0.0
    for win, n_mels in zip([32, 64, 128, 256, 512, 1024, 2048], [5, 10, 20, 40, 80, 160, 320]):
        x = mel_spec(est, sr, win, n_mels, htk, norm); y = mel_spec(ref, sr, win, n_mels, htk, norm)
        total += np.mean(np.abs(np.log10(np.maximum(x ** pow_, 1e-5)) - np.log10(np.maximum(y ** pow_, 1e-5))))
        total += mag_weight * np.mean(np.abs(x - y))
    return total

# ---------------------------------------------------------------- STOI (pystoi 0.4)
EPS = np.finfo("float").eps

def resample_window_oct(p, q):
    g = np.gcd(p, q); p //= g; q //= g
    stop = 1.0 / (2 * max(p, q)); roll = stop / 10
    rej = 60.0
    L = np.ceil((rej - 8) / (28.714 * roll))
    t = np.arange(-L, L + 1)
    ideal = 2 * p * stop * np.sinc(2 * stop * t)
    beta = 0.1102 * (rej - 8.7)
    return np.kaiser(2 * L + 1, beta) * ideal

def resample_oct(x, p, q):
    h = resample_window_oct(p, q)
    return signal.resample_poly(x, p, q, window=h / np.sum(h))

def thirdoct(fs, nfft, num_bands, min_freq):
    f = np.linspace(0, fs, nfft + 1)[: nfft // 2 + 1]
    k = np.arange(num_bands).astype(float)
    lo = min_freq * np.power(2.0, (2 * k - 1) / 6); hi = min_freq * np.power(2.0, (2 * k + 1) / 6)
    obm = np.zeros((num_bands, len(f)))
    for i in range(num_bands):
        a = np.argmin(np.square(f - lo[i])); b = np.argmin(np.square(f - hi[i]))
        obm[i, a:b] = 1
    return obm

def stoi(x, y, fs):
    if fs != 10000:
        x = resample_oct(x, 10000, fs); y = resample_oct(y, 10000, fs)
    w = np.hanning(258)[1:-1]
    xf = np.array([w * x[i:i + 256] for i in range(0, len(x) - 256, 128)])
    yf = np.array([w * y[i:i + 256] for i in range(0, len(x) - 256, 128)])
    en = 20 * np.log10(np.linalg.norm(xf, axis=1) + EPS)
    mask = (np.max(en) - 40 - en) < 0
    xf, yf = xf[mask], yf[mask]
    n = (len(xf) - 1) * 128 + 256
    xs, ys = np.zeros(n), np.zeros(n)
    for i in range(len(xf)):
        xs[i * 128:i * 128 + 256] += xf[i]; ys[i * 128:i * 128 + 256] += yf[i]
    spec = lambda s: np.array([np.fft.rfft(w * s[i:i + 256], n=512) for i in range(0, len(s) - 256, 128)]).T
    obm = thirdoct(10000, 512, 15, 150)
    xt = np.sqrt(obm @ np.abs(spec(xs)) ** 2); yt = np.sqrt(obm @ np.abs(spec(ys)) ** 2)
    if xt.shape[1] < 30:
        return 1e-5
    xseg = np.array([xt[:, m - 30:m] for m in range(30, xt.shape[1] + 1)])
    yseg = np.array([yt[:, m - 30:m] for m in range(30, xt.shape[1] + 1)])
    yn = yseg * (np.linalg.norm(xseg, axis=2, keepdims=True) / (np.linalg.norm(yseg, axis=2, keepdims=True) + EPS))
    yp = np.minimum(yn, xseg * (1 + 10 ** (15 / 20)))
    yp = yp - yp.mean(axis=2, keepdims=True); xseg = xseg - xseg.mean(axis=2, keepdims=True)
    yp /= np.linalg.norm(yp, axis=2, keepdims=True) + EPS
    xseg /= np.linalg.norm(xseg, axis=2, keepdims=True) + EPS
    return float(np.sum(yp * xseg) / (xseg.shape[0] * xseg.shape[1]))

# ---------------------------------------------------------------- BD-rate (PCHIP, exact integral)
def bd_rate(ra, qa, rt, qt):
    ia, it = np.argsort(qa), np.argsort(qt)
    pa = PchipInterpolator(np.array(qa)[ia], np.log(np.array(ra)[ia]))
    pt = PchipInterpolator(np.array(qt)[it], np.log(np.array(rt)[it]))
    lo, hi = max(min(qa), min(qt)), min(max(qa), max(qt))
    return (np.exp((pt.integrate(lo, hi) - pa.integrate(lo, hi)) / (hi - lo)) - 1) * 100

def bd_quality(ra, qa, rt, qt):
    ia, it = np.argsort(ra), np.argsort(rt)
    pa = PchipInterpolator(np.log(np.array(ra)[ia]), np.array(qa)[ia])
    pt = PchipInterpolator(np.log(np.array(rt)[it]), np.array(qt)[it])
    lo, hi = max(np.log(min(ra)), np.log(min(rt))), min(np.log(max(ra)), np.log(max(rt)))
    return (pt.integrate(lo, hi) - pa.integrate(lo, hi)) / (hi - lo)

if __name__ == "__main__":
    out = {}
    a = pattern_image(193, 167); b = noisy_image(a)
    out["psnr_193x167"] = psnr(a, b)
    out["msssim_193x167_noisy"] = ms_ssim(a, b)
    out["psnr_193x167_heavy"] = psnr(a, noisy_image(a, 90))
    out["msssim_193x167_heavy"] = ms_ssim(a, noisy_image(a, 90))
    out["msssim_193x167_inverted"] = ms_ssim(a, 255 - a)
    a2 = pattern_image(176, 180); b2 = noisy_image(a2)
    out["msssim_176x180_noisy"] = ms_ssim(a2, b2)
    r16 = test_clip(16000, 2.0); d16 = degraded_clip(r16)
    out["sisnr_16k"] = si_snr(r16, d16)
    out["mel_16k"] = mel_distance(r16, d16, 16000)
    out["mel_16k_pow2_mag1"] = mel_distance(r16, d16, 16000, pow_=2.0, mag_weight=1.0)
    out["mel_16k_htk_nonorm"] = mel_distance(r16, d16, 16000, htk=True, norm=None)
    r44 = test_clip(44100, 1.5); d44 = degraded_clip(r44)
    out["mel_44k"] = mel_distance(r44, d44, 44100)
    out["stoi_16k"] = stoi(r16, d16, 16000)
    out["stoi_44k"] = stoi(r44, d44, 44100)
    out["stoi_10k_self"] = stoi(test_clip(10000, 2.0), test_clip(10000, 2.0), 10000)
    x = test_clip(44100, 0.01)
    out["resample_44k_to_10k_first8"] = list(resample_oct(x, 10000, 44100)[:8])
    out["resample_44k_to_10k_len"] = len(resample_oct(x, 10000, 44100))
    # BD-rate: the sharp JPEG / WebP Kodak points (shared/reference/kodak/sharp, rounded)
    jr = [0.1564, 0.3025, 0.4318, 0.5474, 0.6540, 0.7709, 0.9432, 1.2592, 1.9147, 2.7204]
    jq = [25.717, 28.145, 29.538, 30.513, 31.310, 32.087, 33.134, 34.675, 37.277, 39.777]
    wr = [0.2963, 0.4070, 0.5127, 0.6207, 0.7218, 0.8237, 0.9343, 1.2163, 2.0104, 2.9285]
    wq = [29.151, 30.407, 31.443, 32.425, 33.238, 33.972, 34.693, 36.369, 39.557, 41.759]
    out["bdrate_webp_vs_jpeg"] = bd_rate(jr, jq, wr, wq)
    out["bdquality_webp_vs_jpeg"] = bd_quality(jr, jq, wr, wq)
    out["bdrate_4pt"] = bd_rate([0.2, 0.5, 1.0, 2.0], [28, 31, 34, 37], [0.25, 0.4, 0.9, 1.6], [29, 31, 34.5, 36])
    for k, v in out.items():
        print(f"{k}: {json.dumps(v)}")
