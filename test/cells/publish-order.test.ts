/**
 * A cell's declarations are printed for the later cells' checks (publishCell) after its reply is on its way, not
 * between its check and its run: the runner's turn of the event loop before a cell runs must not be where that
 * happens, or it sits on every declaring cell's round trip.
 */
import * as path from 'node:path';
import { createEngine } from '../../kernel/cells';
import { CellProject } from '../../kernel/cells/project';

test("a declaring cell runs before its declarations are published, and they are published in the turn after", async () => {
  const order: string[] = [];
  const engine = createEngine({ cwd: path.join(__dirname, '..', '..'), globals: { mark: () => order.push('run') } });
  const original = CellProject.prototype.setGlobalScripts;
  CellProject.prototype.setGlobalScripts = function (this: CellProject, ...args: Parameters<typeof original>) {
    order.push('publish');
    return original.apply(this, args);
  };
  try {
    const outcome = await engine.execute('const publishedLater = 41;\nmark();\npublishedLater + 1');
    expect(outcome).toMatchObject({ status: 'ok', value: 42 });
    expect(order).toEqual(['run']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['run', 'publish']);
    // The next cell sees the name.
    expect(await engine.execute('publishedLater')).toMatchObject({ status: 'ok', value: 41 });
  } finally {
    CellProject.prototype.setGlobalScripts = original;
  }
});
