/**
 * Result types of the rate–distortion benchmark (`ncodec bench`). Everything the JSON report holds is
 * one of these; numbers that cannot be computed (MS-SSIM of a small image, a BD-rate without overlap)
 * are `null`, and so are non-finite values once written to JSON (JSON has no Infinity).
 */

export type BenchMedia = 'image' | 'audio';

/**
 * Quality measures the benchmark reports; rate is bpp for images and video, kbps for audio. `psnr` is
 * PSNR-RGB; `psnrYuv` is the video bench's (6Y + U + V) / 8 on 4:2:0 (src/bench/video).
 */
export type QualityMetric = 'psnr' | 'msSsimDb' | 'melDistance' | 'siSnr' | 'stoi' | 'psnrYuv';

/** How a codec was asked for a rate: a quality level (baselines' 0–100, a model's level) or a bitrate in kbps. */
export interface BenchSetting {
  kind: 'quality' | 'bitrate';
  value: number;
}

/** Where a measured codec comes from. */
export type CodecSource = 'baseline' | 'ncodec';

export interface ImageItemResult {
  /** File name within the dataset. */
  item: string;
  width: number;
  height: number;
  /** Every byte of the encoded file. */
  bytes: number;
  /** bytes × 8 / (width × height). */
  bpp: number;
  /** PSNR over all RGB samples, peak 255 (Infinity when lossless). */
  psnr: number;
  /** MS-SSIM (RGB, per channel then averaged); null when the shorter side is ≤ 160 px. */
  msSsim: number | null;
  /** Whole-call wall time of encoding (raw pixels → file bytes). */
  encodeMs: number;
  /** Whole-call wall time of decoding (file bytes → raw pixels). */
  decodeMs: number;
}

export interface ImagePoint {
  setting: BenchSetting;
  /** Means over items (as CompressAI reports: per image, then averaged). */
  bpp: number;
  psnr: number;
  msSsim: number | null;
  /** −10·log10(1 − mean MS-SSIM): the decibel scale used for plots and BD-rates. */
  msSsimDb: number | null;
  encodeMsMedian: number;
  decodeMsMedian: number;
  items: ImageItemResult[];
}

export interface AudioItemResult {
  item: string;
  sampleRate: number;
  /** Duration of the source clip. */
  seconds: number;
  bytes: number;
  /** bytes × 8 / seconds / 1000. */
  kbps: number;
  /** DAC 7-scale log-mel L1 distance (lower is better). */
  melDistance: number;
  /** SI-SNR in dB. */
  siSnr: number;
  /** STOI (Taal et al. 2011), null when not computed. */
  stoi: number | null;
  encodeMs: number;
  decodeMs: number;
}

export interface AudioPoint {
  setting: BenchSetting;
  kbps: number;
  melDistance: number;
  siSnr: number;
  stoi: number | null;
  encodeMsMedian: number;
  decodeMsMedian: number;
  /**
   * Speed as a multiple of real time: seconds of audio over seconds of encode + decode, summed over
   * all items (so long clips weigh more, as they do for a user). Absent in reports from before it.
   */
  realTime?: number;
  items: AudioItemResult[];
}

export interface CodecResult<P> {
  /** Codec id as given to `--codecs`. */
  codec: string;
  source: CodecSource;
  /** How it was run (encoder settings, model id). */
  description: string;
  points: P[];
}

export interface SkippedCodec {
  codec: string;
  reason: string;
}

/** A published RD curve drawn beside the measured ones (never a measurement of this project). */
export interface PublishedCurve {
  /** Display label, ending in "(published)". */
  label: string;
  /** The JSON file it came from. */
  file: string;
  /** bpp (images) or kbps (audio). */
  rate: number[];
  quality: Partial<Record<QualityMetric, number[]>>;
}

/** One Bjøntegaard comparison of `test` against `anchor` on one quality metric. */
export interface BdEntry {
  metric: QualityMetric;
  anchor: string;
  anchorKind: 'measured' | 'published';
  test: string;
  /** Percent; negative = the test needs fewer bits for the same quality. */
  bdRate: number | null;
  /** Mean quality difference at equal rate, in the metric's unit, oriented so that positive = better. */
  bdQuality: number | null;
}

export interface BenchEnvironment {
  node: string;
  platform: string;
  cpus: number;
  /** Library versions behind the baselines (sharp/libvips/mozjpeg/libwebp/libaom, ffmpeg). */
  versions: Record<string, string>;
}

interface BenchReportBase {
  format: 'neural-codec-bench/1';
  dataset: string;
  items: string[];
  anchor: string;
  startedAt: string;
  elapsedMs: number;
  environment: BenchEnvironment;
  skipped: SkippedCodec[];
  references: PublishedCurve[];
  bd: BdEntry[];
}

export interface ImageBenchReport extends BenchReportBase {
  media: 'image';
  codecs: CodecResult<ImagePoint>[];
}

/**
 * Mel filter bank of the mel distance: `dac` = librosa's Slaney scale with area normalisation (DAC's
 * loss); `torchaudio` = HTK scale, unnormalised triangles (torchaudio.transforms.MelSpectrogram's
 * defaults), which is what TRAINING.md's "7-scale log-mel distance" figures match.
 */
export type MelVariant = 'dac' | 'torchaudio';

export interface AudioBenchReport extends BenchReportBase {
  media: 'audio';
  mel: MelVariant;
  codecs: CodecResult<AudioPoint>[];
}

export type BenchReport = ImageBenchReport | AudioBenchReport;

/** Progress of a run: one step per (item, codec, setting). */
export interface BenchProgress {
  done: number;
  total: number;
  /** What just finished, e.g. `jpeg q=50 kodim03.png`. */
  label: string;
}
