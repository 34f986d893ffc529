// The page every bundler in the matrix builds: the package's browser entry, imported
// by its bare name as a user's app does, replays fixture.ndjson (served next to the
// page) and posts the alert NDJSON, or the error, to the test's report address
// (`?report=` in the page's URL; a text body, so no CORS preflight).
import init, { Detector } from 'dynamodb-scan-detector';

const report = new URLSearchParams(location.search).get('report') ?? '';
const post = (result) => fetch(report, { method: 'POST', body: JSON.stringify(result) });

try {
  await init();
  const input = new Uint8Array(await (await fetch('/fixture.ndjson')).arrayBuffer());
  const detector = new Detector(null, { detectionTime: 'event' });
  const alerts =
    detector.processBatch(input, { output: 'ndjson' }) + detector.flush({ output: 'ndjson' });
  detector.free();
  document.querySelector('#alerts').textContent = alerts;
  await post({ alerts, agent: navigator.userAgent });
} catch (error) {
  await post({ error: String((error && error.stack) || error) });
}
