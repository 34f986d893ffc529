// The declarations as a browser or bundler TypeScript user sees them (DOM, no Node).
import init, { Detector, type Alert } from "dynamodb-scan-detector";

await init();
await init({ module_or_path: new URL("https://example.com/dynamodb_scan_detector_bg.wasm") });
await init({ module_or_path: fetch("/dynamodb_scan_detector_bg.wasm") });
const detector = new Detector('{"profile":"seed"}');
const alerts: Alert[] = detector.process(new TextEncoder().encode("{}"));
const uuid: string | undefined = alerts[0]?.["kibana.alert.uuid"];
const observed = detector.processObserved("{}", { output: "ndjson", input: "ndjson" });
const alertText: string = observed.alerts;
const firstTime: number | undefined = observed.observed[0]?.time;
{
  using scoped = new Detector();
  scoped.stats();
}
export { uuid, alertText, firstTime };
