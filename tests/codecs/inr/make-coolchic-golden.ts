/**
 * Writes the Cool-chic golden files that coolchic-golden.test.ts checks (paths in
 * coolchic-golden-helpers.ts): fixtures/images/odd-33x17.png coded with the installed coolchic-v1 at
 * its default quality, 40 fitting steps, one thread; the image it decodes to; and the pinned values
 * (integer hashes, PSNR, model hash).
 *
 * Run after a deliberate change of the Cool-chic bitstream or decoder, or after re-exporting the model
 * in a way that changes its decode graph:
 *
 *   npx vite-node tests/codecs/inr/make-coolchic-golden.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openInr } from '../../../codecs/inr/index.js';
import { hex } from '../../../src/model/store.js';
import { loadImage, saveImage } from '../../../src/media/image.js';
import { psnr } from '../../../src/metrics/index.js';
import { GOLDEN, REGENERATE, decodeIntegers, goldenPath, sha256OfInts, type GoldenPins } from './coolchic-golden-helpers.js';

const MAX_STEPS = 40;

const codec = await openInr({ threads: 1, model: 'coolchic-v1' });
try {
  const quality = codec.info.defaultQuality;
  const bytes = await codec.encode(goldenPath(GOLDEN.source), { quality, maxSteps: MAX_STEPS });
  const decoded = await codec.decode(bytes);
  if (decoded.kind !== 'image') throw new Error('expected an image');
  const source = await loadImage(goldenPath(GOLDEN.source));
  const { header, params, network, latents } = decodeIntegers(bytes);
  const pins: GoldenPins = {
    regenerate: REGENERATE,
    source: GOLDEN.source,
    model: { id: header.modelId, hash: hex(header.modelHash!) },
    quality,
    maxSteps: MAX_STEPS,
    bytes: bytes.length,
    exponents: params.exponents,
    latentSha256: sha256OfInts(latents),
    networkSha256: sha256OfInts(network),
    psnr: psnr(source, decoded),
  };
  mkdirSync(path.dirname(goldenPath(GOLDEN.stream)), { recursive: true });
  writeFileSync(goldenPath(GOLDEN.stream), bytes);
  await saveImage(decoded, goldenPath(GOLDEN.decoded));
  writeFileSync(goldenPath(GOLDEN.pins), `${JSON.stringify(pins, null, 2)}\n`);
  console.log(`wrote ${GOLDEN.stream} (${bytes.length} bytes), ${GOLDEN.decoded} and ${GOLDEN.pins} (PSNR ${pins.psnr.toFixed(3)} dB)`);
} finally {
  await codec.dispose();
}
