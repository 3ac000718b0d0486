/** The rate–distortion benchmark: run it, compare curves (BD-rate), report (Markdown, SVG). */
export { runBench, knownCodecs, DEFAULT_CODECS, DEFAULT_ANCHOR, MEL_OPTIONS, type BenchOptions } from './bench.js';
export { benchCommand, reportPlot, BENCH_USAGE, type BenchIo } from './command.js';
export { bdRate, bdQuality, Pchip, type RdCurve } from './bdrate.js';
export { markdownReport } from './markdown.js';
export { svgPlot, type PlotOptions } from './svg.js';
export { loadReferences, readReferenceFile } from './reference.js';
export type * from './types.js';
export { runLosslessBench, DEFAULT_LOSSLESS_CODECS, type LosslessBenchOptions } from './lossless/bench.js';
export { losslessMarkdownReport } from './lossless/markdown.js';
export type * from './lossless/types.js';
