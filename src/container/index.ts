export * from './header.js';
export * from './format.js';
export { crc32 } from './crc32.js';
export { ContainerParser, MAX_STREAM_SECTION, type ParserEvent } from './parser.js';
