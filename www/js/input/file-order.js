// The order files are replayed in: time order, because the detector judges each
// event against what came before it. CloudTrail's S3 file names carry the time of
// their events (`<account>_CloudTrail_<region>_20261103T1900Z_<id>.json.gz`), so files
// that have that stamp are ordered by it (which also interleaves regions and accounts
// correctly); ties and files without one keep path order, numbers compared as numbers.

const CLOUDTRAIL_STAMP = /_(\d{8}T\d{4}Z)_[^/]*$/;
const collator = new Intl.Collator('en', { numeric: true });

/** The CloudTrail time stamp in a file name (`20261103T1900Z`), or ''. */
export function cloudTrailStamp(path) {
  return CLOUDTRAIL_STAMP.exec(path)?.[1] ?? '';
}

/**
 * `inputs` ({file, path}) sorted for replay: files without a CloudTrail stamp first
 * in path order, then stamped files by stamp, then path.
 */
export function replayOrder(inputs) {
  const keyed = inputs.map((input) => ({ input, stamp: cloudTrailStamp(input.path) }));
  keyed.sort((a, b) => {
    if (a.stamp !== b.stamp) return a.stamp < b.stamp ? -1 : 1;
    return collator.compare(a.input.path, b.input.path);
  });
  return keyed.map((k) => k.input);
}

/** Names a folder may hold that are worth reading (files picked one by one always are). */
const LOG_NAME = /\.(json|jsonl|ndjson|log|txt)(\.gz)?$|\.gz$/i;

/** Whether a file found inside a folder is read: log-like names, no hidden files. */
export function isLogFileInFolder(path) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return !name.startsWith('.') && LOG_NAME.test(name);
}
