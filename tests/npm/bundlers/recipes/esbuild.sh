npx esbuild main.js --bundle --format=esm --outfile=dist/main.js
cp node_modules/dynamodb-scan-detector/web/dynamodb_scan_detector_bg.wasm dist/
