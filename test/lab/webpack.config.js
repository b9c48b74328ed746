// Bundles index.js into build/ (served as the Lab page's static files by lab-server.py), after copying every listed
// extension's settings schemas and themes there and generating build/style.js — the steps of JupyterLab's
// examples/app, on the same @jupyterlab/builder.
const crypto = require('crypto');
const path = require('path');
const webpack = require('webpack');
const { Build } = require('@jupyterlab/builder');
const { jupyterlab } = require('./package.json');

// Some loaders still ask for md4, which OpenSSL 3 no longer provides.
const createHash = crypto.createHash;
crypto.createHash = (algorithm) => createHash(algorithm === 'md4' ? 'sha256' : algorithm);

const output = path.join(__dirname, 'build');
const assets = Build.ensureAssets({
  packageNames: [...jupyterlab.extensions, ...jupyterlab.mimeExtensions],
  output,
  hashFunction: 'sha256',
});

const urlLoader = (mimetype) => ({ loader: 'url-loader', options: { limit: 10000, mimetype } });

module.exports = [
  {
    entry: ['whatwg-fetch', './index.js'],
    output: { path: output, filename: 'bundle.js', hashFunction: 'sha256' },
    bail: true,
    // Production mode would double the build time for nothing a test looks at; no source maps for the same reason.
    mode: 'development',
    devtool: false,
    module: {
      rules: [
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.html$/, use: 'file-loader' },
        { test: /\.md$/, use: 'raw-loader' },
        { test: /\.(jpg|png|gif)$/, use: 'file-loader' },
        { test: /\.js.map$/, use: 'file-loader' },
        { test: /\.woff2?(\?v=\d+\.\d+\.\d+)?$/, use: urlLoader('application/font-woff') },
        { test: /\.ttf(\?v=\d+\.\d+\.\d+)?$/, use: urlLoader('application/octet-stream') },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, use: 'file-loader' },
        // SVGs are data URIs inside CSS, and raw strings for the icons the JavaScript builds.
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.css$/, use: { loader: 'svg-url-loader', options: { encoding: 'none', limit: 10000 } } },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, use: { loader: 'raw-loader' } },
      ],
    },
    plugins: [
      // Browser code that still reads process.env / process.cwd() (Blueprint, the path polyfill).
      new webpack.DefinePlugin({ 'process.env': '{}', process: { cwd: () => '/' } }),
    ],
  },
].concat(assets);
