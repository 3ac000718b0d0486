/**
 * The Cool-chic golden bitstream (fixtures/inr/coolchic-golden.*): pins the stream format. The latents
 * (section 0, native integer ARM) and the network integers (section 1) must decode to the pinned
 * SHA-256 on every machine; the decoded image (float ONNX synthesis) must match the stored PNG within
 * 1 per sample and the pinned PSNR within 0.05 dB.
 *
 * The stream carries the hash of the model folder, which changes with every re-export; the image
 * checks decode it with the installed model's hash written into a copy of the header, so re-exporting
 * with other λ, learning rates or levels leaves this test green. A change of the latent coder, weight
 * coder, header parameters, dequantization or decode graph makes it fail; when the change is meant,
 * regenerate the golden files (stream, PNG and pins) with one command and commit them:
 *
 *   npx vite-node tests/codecs/inr/make-coolchic-golden.ts
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCoolChicParams } from '../../../codecs/inr/coolchic.js';
import { openInr } from '../../../codecs/inr/index.js';
import { readContainer, writeContainer } from '../../../src/container/index.js';
import { resolveModel } from '../../../src/model/store.js';
import { loadImage } from '../../../src/media/image.js';
import { psnr } from '../../../src/metrics/index.js';
import { GOLDEN, REGENERATE, decodeIntegers, goldenPath, sha256OfInts, type GoldenPins } from './coolchic-golden-helpers.js';

const golden = new Uint8Array(readFileSync(goldenPath(GOLDEN.stream)));
const pins = JSON.parse(readFileSync(goldenPath(GOLDEN.pins), 'utf8')) as GoldenPins;
const hint = `the Cool-chic format changed; if that is meant, regenerate the golden files: ${REGENERATE}`;

describe('inr Cool-chic golden bitstream', () => {
  it('has the pinned header', () => {
    const { header } = readContainer(golden);
    expect(golden.length).toBe(pins.bytes);
    expect(header).toMatchObject({
      codecId: 'inr', modelId: pins.model.id, rate: { kind: 'quality', value: pins.quality },
      media: { kind: 'image', width: 33, height: 17, channels: 3, bitDepth: 8 },
    });
    expect(Buffer.from(header.modelHash!).toString('hex')).toBe(pins.model.hash);
    expect(decodeCoolChicParams(header.params).exponents, hint).toEqual(pins.exponents);
  });

  it('decodes the pinned latents and network integers (integer paths, the same on every machine)', () => {
    const { network, latents } = decodeIntegers(golden);
    expect(sha256OfInts(network), hint).toBe(pins.networkSha256);
    expect(sha256OfInts(latents), hint).toBe(pins.latentSha256);
  });

  it('decodes to the stored image within 1 per sample and to the pinned PSNR', async () => {
    const { header, sections } = readContainer(golden);
    const installed = resolveModel('inr', pins.model.id, pins.model.id);
    await using codec = await openInr({ threads: 1, model: pins.model.id });
    const back = await codec.decode(writeContainer({ ...header, modelHash: installed.hash }, sections));
    if (back.kind !== 'image') throw new Error('expected an image');
    const expected = await loadImage(goldenPath(GOLDEN.decoded));
    expect(back).toMatchObject({ width: expected.width, height: expected.height, channels: expected.channels });
    let maxDiff = 0;
    back.data.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - expected.data[i]!)); });
    expect(maxDiff, hint).toBeLessThanOrEqual(1);
    const source = await loadImage(goldenPath(pins.source));
    expect(Math.abs(psnr(source, back) - pins.psnr), hint).toBeLessThanOrEqual(0.05);
  });
});
