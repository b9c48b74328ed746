#!/usr/bin/env node
// A plain-JS shim so the command works from the compiled build without ts tooling at start-up.
'use strict';
require('../dist/kernel/cli.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
