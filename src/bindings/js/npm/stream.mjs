// @ts-check
// ES module entry of the Node stream helper: the same classes as `require` gets.
import stream from './stream.cjs';

export const { DetectorStream, createDetectorStream } = stream;
