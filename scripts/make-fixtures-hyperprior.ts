/**
 * Writes the hyperprior golden files (see make-fixtures-hyperprior.sh): the bitstream of
 * fixtures/images/scene-128x96.png at quality 6 with the tiny test model, and its decoded image.
 * Run: npx vite-node scripts/make-fixtures-hyperprior.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { openHyperprior } from '../codecs/hyperprior/index.js';
import { saveImage } from '../src/media/image.js';

const out = 'fixtures/hyperprior';
mkdirSync(out, { recursive: true });
const codec = await openHyperprior({ model: 'fixtures/models/hyperprior/tiny-test', threads: 1 });
try {
  const bytes = await codec.encode('fixtures/images/scene-128x96.png', { quality: 6 });
  writeFileSync(`${out}/scene-128x96-q6.ncd`, bytes);
  const image = await codec.decode(bytes);
  await saveImage(image, `${out}/scene-128x96-q6.png`);
  console.log(`wrote ${out}/scene-128x96-q6.ncd (${bytes.length} bytes) and ${out}/scene-128x96-q6.png`);
} finally {
  await codec.dispose();
}
