'use client';
// The matrix's page as a Next.js client component, with a static import of the package
// (the module is also rendered on the server, which imports the package there too):
// replays fixture.ndjson in the browser and posts the alert NDJSON, or the error, to the
// test's report address (`?report=` in the page's URL).
import { useEffect, useState } from 'react';
import init, { Detector } from 'dynamodb-scan-detector';

async function replay() {
  await init();
  const input = new Uint8Array(await (await fetch('/fixture.ndjson')).arrayBuffer());
  const detector = new Detector(null, { detectionTime: 'event' });
  const alerts =
    detector.processBatch(input, { output: 'ndjson' }) + detector.flush({ output: 'ndjson' });
  detector.free();
  return alerts;
}

export default function Page() {
  const [alerts, setAlerts] = useState('replaying…');
  useEffect(() => {
    const report = new URLSearchParams(location.search).get('report') ?? '';
    const post = (result) => fetch(report, { method: 'POST', body: JSON.stringify(result) });
    replay().then(
      (text) => {
        setAlerts(text);
        return post({ alerts: text, agent: navigator.userAgent });
      },
      (error) => post({ error: String((error && error.stack) || error) }),
    );
  }, []);
  return <pre id="alerts">{alerts}</pre>;
}
