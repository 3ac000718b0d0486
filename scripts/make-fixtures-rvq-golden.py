"""Writes fixtures/rvq/quantizer-golden.json: the reference quantizer (np_quantize of
models/train/rvq/export.py) on a random latent with the tiny test model; run by make-fixtures-rvq.sh."""
import json, sys, os
sys.path.insert(0, 'models/train')
import numpy as np
from rvq.export import read_tables, np_quantize
d = 'fixtures/models/rvq/tiny-test'
m = json.load(open(os.path.join(d, 'manifest.json')))
t = read_tables(os.path.join(d, 'quantizer.f32'), m['quantizer']['tensors'])
rng = np.random.default_rng(5)
F = 6
lat = (rng.standard_normal((128, F)) * 2.0).astype(np.float32)
codes, zq = np_quantize(lat, t, 16)
json.dump({"description": "np_quantize (models/train/rvq/export.py) of a random [128, 6] latent with the 16 codebooks of fixtures/models/rvq/tiny-test; latents and zq row-major [D, F], codes [nq, F]",
           "frames": F, "latents": [float(v) for v in lat.reshape(-1)], "codes": [int(v) for v in codes.reshape(-1)],
           "zq": [float(v) for v in zq.reshape(-1)]}, open('fixtures/rvq/quantizer-golden.json', 'w'))
print(codes)
