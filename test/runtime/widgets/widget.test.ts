/** Widget models without a kernel (no comm): traits, invariants, observers, reprs and errors as ipywidgets has them. */
import { Button, HBox, IntProgress, Label } from '../../../runtime/widgets/controls';
import { repr } from '../../../runtime/python/repr';

test('a progress bar keeps its value in [min, max]; one change is observed once, with the old value', () => {
  const bar = new IntProgress({ max: 8 });
  const seen: unknown[] = [];
  bar.observe((c) => seen.push([c.name, c.old, c.new]));
  bar.value = 99;
  expect(bar.value).toBe(8);
  bar.max = 4;
  expect([bar.max, bar.value]).toEqual([4, 4]);
  expect(seen).toEqual([['value', 0, 8], ['max', 8, 4], ['value', 8, 4]]);
  bar.value = 4; // no change, no event
  expect(seen).toHaveLength(3);
});

test("reprs are ipywidgets': the non-default public traits, sorted; the widget view only with a comm", () => {
  const bar = new IntProgress({ value: 3, max: 8, description: 'work' });
  expect(repr(bar)).toBe("IntProgress(description='work', max=8, value=3)");
  expect(repr(new HBox([new Label({ value: 'a' }), new Button({ description: 'Go' })]))).toBe("HBox(children=[Label(value='a'), Button(description='Go')])");
  expect(bar._repr_mimebundle_()).toEqual({ 'text/plain': "IntProgress(description='work', max=8, value=3)" });
});

test('unknown options and traits are clear errors; on_click runs on click()', () => {
  expect(() => new IntProgress({ colour: 'red' } as never)).toThrow("IntProgress() got an unexpected keyword argument 'colour'");
  expect(() => new Label().set('nope', 1)).toThrow("'Label' object has no trait 'nope'");
  const clicks: string[] = [];
  const go = new Button({ description: 'Go' });
  const handler = (b: Button) => clicks.push(b.description);
  go.on_click(handler);
  go.click();
  go.on_click(handler, true);
  go.click();
  expect(clicks).toEqual(['Go']);
});
