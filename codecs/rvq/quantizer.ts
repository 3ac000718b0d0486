/**
 * The residual vector quantizer of the RVQ model, in TypeScript, exactly as the manifest's
 * `quantizer.algorithm` spells it (SoundStream, Zeghidour et al. 2021, with the factorized,
 * L2-normalised codebooks of DAC, Kumar et al. 2023). For codebook k = 0 … nq − 1 and each frame f of
 * the latent r (the encoder output, D channels):
 *
 *   e = W_in,k · r_f + b_in,k                          project the residual to the d-dim code space
 *   i = argmax_j  ĉ_k[j] · e / max(‖e‖, 1e−12)         nearest code by cosine (first index on ties)
 *   v = W_out,k · c_k[i] + b_out,k                     the RAW code vector, back to D dims
 *   r_f ← r_f − v;   ẑ_f ← ẑ_f + v;   code[k][f] = i
 *
 * The decoder input is ẑ, the sum of v over the codebooks used; dequantizing codes alone gives the
 * same sum, so the first m codebooks of a stream coded with nq ≥ m decode to the ẑ of an m-codebook
 * encoding (what makes prefix decoding and quantizer dropout work).
 *
 * Tensors come from `quantizer.f32` (float32 little-endian, offsets in the manifest). Latents are
 * [D, F] row-major (channel after channel, as ONNX returns them); codes are [nq, F] row-major
 * (codebook after codebook). The search is the hot loop (K · d multiply-adds per frame and
 * codebook); it runs over flat Float32Arrays with the projected vector held in locals.
 */
import { readFileSync } from 'node:fs';
import { CodecError } from '../../src/errors.js';
import type { CodebookOffsets, RvqManifest } from './manifest.js';

/** One codebook's tensors as views into the quantizer file. */
interface Codebook {
  inProjWeight: Float32Array;
  inProjBias: Float32Array;
  codebook: Float32Array;
  codebookNormalized: Float32Array;
  outProjWeight: Float32Array;
  outProjBias: Float32Array;
  /** codebookNormalized widened to float64 once, so the search loop loads no float32 (measured 1.6× faster). */
  searchTable?: Float64Array;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

export class ResidualVectorQuantizer {
  /** Latent channels D, code dimension d, codes per codebook K. */
  readonly latentDim: number;
  readonly codebookDim: number;
  readonly codebookSize: number;
  private readonly codebooks: Codebook[];

  private constructor(manifest: RvqManifest, blob: Float32Array) {
    this.latentDim = manifest.latentDim;
    this.codebookDim = manifest.codebookDim;
    this.codebookSize = manifest.codebookSize;
    const D = this.latentDim, d = this.codebookDim, K = this.codebookSize;
    const sizes: Record<keyof CodebookOffsets, number> = {
      inProjWeight: d * D, inProjBias: d, codebook: K * d, codebookNormalized: K * d, outProjWeight: D * d, outProjBias: D,
    };
    this.codebooks = manifest.quantizer.codebooks.map((offsets, k) => {
      const views = {} as Codebook;
      for (const name of Object.keys(sizes) as (keyof CodebookOffsets)[]) {
        const at = offsets[name], n = sizes[name];
        if (at + n > blob.length) {
          throw new CodecError('ERR_MODEL_INVALID', `The rvq quantizer file has ${blob.length} floats but codebook ${k}'s ${name} ends at ${at + n}: re-export the model.`);
        }
        views[name] = blob.subarray(at, at + n);
      }
      return views;
    });
  }

  /** Reads `quantizer.f32` (float32 little-endian) for the manifest's codebooks. */
  static load(file: string, manifest: RvqManifest): ResidualVectorQuantizer {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new CodecError('ERR_MODEL_NOT_FOUND', `Could not read the rvq quantizer tables ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (bytes.length % 4 !== 0) throw new CodecError('ERR_MODEL_INVALID', `The rvq quantizer file ${file} is not a whole number of float32 values: re-export the model.`);
    const blob = new Float32Array(bytes.length / 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < blob.length; i++) blob[i] = view.getFloat32(4 * i, true);
    return new ResidualVectorQuantizer(manifest, blob);
  }

  /** Codebooks available (the model's n_q). */
  get codebookCount(): number {
    return this.codebooks.length;
  }

  /**
   * Codes of `frames` latent frames with the first `nq` codebooks. `latents` is [D, frames];
   * returns [nq, frames] codes in 0 … K − 1.
   */
  encode(latents: Float32Array, frames: number, nq: number): Int32Array {
    const D = this.latentDim, d = this.codebookDim;
    this.checkNq(nq);
    if (latents.length !== D * frames) throw new RangeError(`Expected ${D * frames} latent values ([${D}, ${frames}]) but received ${latents.length}`);
    const residual = transpose(latents, D, frames); // [frames, D]: one frame's residual is contiguous
    const codes = new Int32Array(nq * frames);
    const e = new Float64Array(d);
    for (let f = 0; f < frames; f++) {
      const r0 = f * D;
      for (let k = 0; k < nq; k++) {
        const cb = this.codebooks[k]!;
        this.project(cb, residual, r0, e);
        const i = this.nearest(cb.searchTable ??= Float64Array.from(cb.codebookNormalized), e);
        codes[k * frames + f] = i;
        // r_f -= W_out · c[i] + b_out, in float32 like the reference.
        const w = cb.outProjWeight, b = cb.outProjBias, c = cb.codebook, ci = i * d;
        for (let ch = 0; ch < D; ch++) {
          let v = b[ch]!;
          const wr = ch * d;
          for (let j = 0; j < d; j++) v += w[wr + j]! * c[ci + j]!;
          residual[r0 + ch] = residual[r0 + ch]! - v;
        }
      }
    }
    return codes;
  }

  /**
   * ẑ of the codes: [nq, frames] codes (the first `nq` codebooks) → [D, frames] latents, the sum of the
   * out-projected code vectors. Throws RangeError for a code outside 0 … K − 1.
   */
  decode(codes: Int32Array, frames: number, nq: number): Float32Array {
    const D = this.latentDim, d = this.codebookDim, K = this.codebookSize;
    this.checkNq(nq);
    if (codes.length < nq * frames) throw new RangeError(`Expected ${nq * frames} codes ([${nq}, ${frames}]) but received ${codes.length}`);
    const zq = new Float64Array(frames * D); // [frames, D]
    for (let k = 0; k < nq; k++) {
      const { outProjWeight: w, outProjBias: b, codebook: c } = this.codebooks[k]!;
      for (let f = 0; f < frames; f++) {
        const i = codes[k * frames + f]!;
        if (!(i >= 0 && i < K)) throw new RangeError(`Expected a code between 0 and ${K - 1} but received ${i}`);
        const ci = i * d, z0 = f * D;
        for (let ch = 0; ch < D; ch++) {
          let v = b[ch]!;
          const wr = ch * d;
          for (let j = 0; j < d; j++) v += w[wr + j]! * c[ci + j]!;
          zq[z0 + ch] = zq[z0 + ch]! + v;
        }
      }
    }
    const out = new Float32Array(D * frames); // [D, frames]
    for (let f = 0; f < frames; f++) for (let ch = 0; ch < D; ch++) out[ch * frames + f] = zq[f * D + ch]!;
    return out;
  }

  private checkNq(nq: number): void {
    if (!Number.isInteger(nq) || nq < 1 || nq > this.codebooks.length) {
      throw new RangeError(`Expected an integer between 1 and ${this.codebooks.length} for nq but received ${nq}`);
    }
  }

  /** e = (W_in · r + b_in) / max(‖·‖, 1e−12), for the residual frame at residual[r0 … r0 + D). */
  private project(cb: Codebook, residual: Float32Array, r0: number, e: Float64Array): void {
    const D = this.latentDim, d = this.codebookDim;
    const w = cb.inProjWeight, b = cb.inProjBias;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      let s = b[j]!;
      const wr = j * D;
      for (let ch = 0; ch < D; ch++) s += w[wr + ch]! * residual[r0 + ch]!;
      e[j] = s;
      norm += s * s;
    }
    const inv = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let j = 0; j < d; j++) e[j] = e[j]! * inv;
  }

  /** argmax_j table[j] · e over the K rows of `table` (first index on ties). */
  private nearest(table: Float64Array, e: Float64Array): number {
    const d = this.codebookDim, K = this.codebookSize;
    let best = -Infinity, index = 0;
    if (d === 8) {
      const e0 = e[0]!, e1 = e[1]!, e2 = e[2]!, e3 = e[3]!, e4 = e[4]!, e5 = e[5]!, e6 = e[6]!, e7 = e[7]!;
      for (let j = 0, at = 0; j < K; j++, at += 8) {
        const s = table[at]! * e0 + table[at + 1]! * e1 + table[at + 2]! * e2 + table[at + 3]! * e3 +
          table[at + 4]! * e4 + table[at + 5]! * e5 + table[at + 6]! * e6 + table[at + 7]! * e7;
        if (s > best) { best = s; index = j; }
      }
      return index;
    }
    for (let j = 0, at = 0; j < K; j++, at += d) {
      let s = 0;
      for (let t = 0; t < d; t++) s += table[at + t]! * e[t]!;
      if (s > best) { best = s; index = j; }
    }
    return index;
  }
}
