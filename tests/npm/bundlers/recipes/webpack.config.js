module.exports = {
  mode: 'production',
  entry: './main.js',
  output: { path: `${__dirname}/dist`, filename: 'main.js', clean: true },
  // The .wasm is one asset loaded once; webpack's 244 KiB hint is for scripts.
  performance: { assetFilter: (file) => !file.endsWith('.wasm') },
};
