/** Quality metrics: images (PSNR, MS-SSIM) and audio (SI-SNR, multi-scale mel distance, STOI). */
export { mse, psnr, peakOf } from './psnr.js';
export { msSsim, msSsimDb, prepareMsSsim, MS_SSIM_MIN_SIDE, MS_SSIM_WEIGHTS, type MsSsimReference } from './msssim.js';
export { siSnr } from './sisnr.js';
export {
  melDistance, prepareMelDistance, melSpectrogram, melFilterBank, DAC_MEL_WINDOW_LENGTHS, DAC_MEL_BANDS,
  type MelDistanceOptions, type MelDistanceReference,
} from './mel.js';
export { stoi } from './stoi.js';
export { resampleOctave } from './resample.js';
export { RealFft } from '../media/fft.js';
export {
  psnrYuv420, psnrRgb, mseYuv420, mseRgb, meanPsnr, msePsnr, yuv420ToRgb8, PSNR_CAP_DB, type YuvPsnr, type YuvMse,
} from './video.js';
