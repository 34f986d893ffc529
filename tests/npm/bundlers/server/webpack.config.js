// What a server-rendering framework's bundler does with server code (Next.js's
// webpack build, for one): everything, node_modules included, into one output
// directory, for Node.
module.exports = {
  mode: 'production',
  target: 'node',
  entry: './server.mjs',
  output: { path: `${__dirname}/dist`, filename: 'server.js', clean: true },
  performance: { hints: false },
};
