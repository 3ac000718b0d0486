declare module 'wav-decoder' {
  interface AudioData {
    sampleRate: number;
    channelData: Float32Array[];
  }
  const WavDecoder: {
    decode(buffer: ArrayBuffer, options?: { symmetric?: boolean }): Promise<AudioData>;
    decode: { sync(buffer: ArrayBuffer): AudioData };
  };
  export default WavDecoder;
}
