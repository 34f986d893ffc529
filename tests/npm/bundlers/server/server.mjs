// A server-side use of the package, as a server-rendering framework bundles it: the
// Node entry through `import`, judging the file named on the command line.
import { readFileSync } from 'node:fs';
import { Detector } from 'dynamodb-scan-detector';

const detector = new Detector(null, { detectionTime: 'event' });
const alerts =
  detector.processBatch(readFileSync(process.argv[2] ?? ''), { output: 'ndjson' }) +
  detector.flush({ output: 'ndjson' });
detector.free();
process.stdout.write(alerts);
