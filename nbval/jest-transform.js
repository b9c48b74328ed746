// Jest transform for .ipynb files: each notebook becomes a test module that describes its cells
// (see nbval/jest-notebook.ts, which runs from the tsc build in dist/).
//   transform: { '\\.ipynb$': '<rootDir>/nbval/jest-transform.js' }
const crypto = require('node:crypto');
const path = require('node:path');

const runtime = path.join(__dirname, '..', 'dist', 'nbval', 'jest-notebook.js');
const VERSION = '1';

module.exports = {
  process(_source, filename) {
    if (/\.executed\.ipynb$/.test(filename) || filename.split(path.sep).includes('.ipynb_checkpoints')) {
      // Our own run outputs and Jupyter's autosaves are not tests; jest needs at least one (skipped) test.
      return { code: `test.skip(${JSON.stringify(`${path.basename(filename)} (not a test)`)}, () => {});` };
    }
    const code =
      `require(${JSON.stringify(runtime)}).describeNotebook(${JSON.stringify(filename)}, ` +
      `{ describe, test, beforeAll, afterAll, expect });\n`;
    return { code };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(VERSION).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
