/**
 * What the Cool-chic golden test (coolchic-golden.test.ts) and its generator (make-coolchic-golden.ts)
 * share: the fixture paths, the pinned values' shape, and the integer decode of a stream's sections —
 * the network integers (section 1, weights.ts) and the latents (section 0, the native ARM with the Q8
 * weights rebuilt from section 1, the header's exponents and, for relative streams, the model's initial
 * network). Both are integer paths: the same on every machine.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { decodeCoolChicParams, type CoolChicParams } from '../../../codecs/inr/coolchic.js';
import { NETWORK, NETWORK_SHAPES, levelSizes, sizeOf } from '../../../codecs/inr/coolchic-model.js';
import { armWeightsQ8 } from '../../../codecs/inr/coolchic-weights.js';
import { decodeWeights } from '../../../codecs/inr/weights.js';
import { readContainer } from '../../../src/container/index.js';
import type { ContainerHeader } from '../../../src/container/header.js';
import { armDecode } from '../../../src/entropy/arm.js';
import { parseManifest } from '../../../codecs/inr/manifest.js';
import { resolveModel } from '../../../src/model/store.js';

export const ROOT = path.join(__dirname, '../../..');
export const REGENERATE = 'npx vite-node tests/codecs/inr/make-coolchic-golden.ts';

/** The golden files, relative to the repository root. */
export const GOLDEN = {
  source: 'fixtures/images/odd-33x17.png',
  stream: 'fixtures/inr/coolchic-golden.ncd',
  decoded: 'fixtures/inr/coolchic-golden.png',
  pins: 'fixtures/inr/coolchic-golden.json',
} as const;
export const goldenPath = (file: string) => path.join(ROOT, file);

/** The pinned values (fixtures/inr/coolchic-golden.json). */
export interface GoldenPins {
  regenerate: string;
  source: string;
  model: { id: string; hash: string };
  quality: number;
  maxSteps: number;
  bytes: number;
  exponents: CoolChicParams['exponents'];
  /** SHA-256 (hex) of the latents (coarsest grid first, int32 little-endian) and of the network integers (NETWORK order). */
  latentSha256: string;
  networkSha256: string;
  /** PSNR (dB, RGB) of the decoded image against the source. */
  psnr: number;
}

/** SHA-256 (hex) of integer arrays, concatenated as int32 little-endian. */
export function sha256OfInts(arrays: readonly Int32Array[]): string {
  const hash = createHash('sha256');
  for (const a of arrays) {
    const bytes = Buffer.alloc(4 * a.length);
    a.forEach((v, i) => bytes.writeInt32LE(v, 4 * i));
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The stream's header, parameters, network integers and latents (coarsest grid first), decoded without any ONNX graph. */
export function decodeIntegers(bytes: Uint8Array): { header: ContainerHeader; params: CoolChicParams; network: Int32Array[]; latents: Int32Array[] } {
  const { header, sections } = readContainer(bytes);
  if (header.media.kind !== 'image') throw new Error('the golden stream must hold an image');
  const params = decodeCoolChicParams(header.params);
  const network = decodeWeights(sections[1]!, NETWORK.map((n) => sizeOf(NETWORK_SHAPES.get(n)!)), params.maxAbs);
  const sizes = levelSizes(header.media.height, header.media.width).reverse();
  const init = params.relative ? parseManifest(resolveModel('inr', header.modelId, 'coolchic-v1').manifest).coolchic?.init ?? null : null;
  if (params.relative && !init) throw new Error(`model ${header.modelId} has no initial network`);
  const latents = armDecode(armWeightsQ8(network, params.exponents.arm, init), sections[0]!, sizes);
  return { header, params, network, latents };
}
