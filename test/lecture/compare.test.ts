/** The comparator itself: normalisation must not hide real differences. */
import { normaliseLine, unexplainedDifferences } from './compare';

describe('normaliseLine', () => {
  test('masks addresses and elapsed times', () => {
    expect(normaliseLine('<Future at 0x7f4fac082890 state=running>')).toBe('<Future at 0xADDR state=running>');
    expect(normaliseLine('\n Time : 6.53s'.trim())).toBe('Time : T');
  });

  test('reads a set of futures as a set', () => {
    const a = normaliseLine('{<Future at 0x1 state=running>, <Future at 0x2 state=finished returned int>}');
    const b = normaliseLine('{<Future at 0x3 state=finished returned int>, <Future at 0x4 state=running>}');
    expect(a).toBe(b);
  });

  test('reads a list from a set as a multiset only where asked', () => {
    expect(normaliseLine('[3, 1, 2]', { listFromSet: true })).toBe('[1, 2, 3]');
    expect(normaliseLine('[3, 1, 2]')).toBe('[3, 1, 2]');
  });
});

describe('unexplainedDifferences', () => {
  test('explains the state right after submit, for the same work item only', () => {
    const py = ['Scheduled for 100000 : <Future at 0xa state=finished returned int>'];
    expect(unexplainedDifferences(1, py, ['Scheduled for 100000 : <Future at 0xb state=running>'])).toEqual([]);
    expect(unexplainedDifferences(1, py, ['Scheduled for 1000000 : <Future at 0xb state=running>'])).toHaveLength(1);
  });

  test('reports a different state elsewhere, a different result and a missing line', () => {
    expect(unexplainedDifferences(1, ['{<Future at 0x1 state=running>}'], ['{<Future at 0x1 state=pending>}'])).toHaveLength(1);
    expect(unexplainedDifferences(1, ['[1, 2]'], ['[1, 3]'], { listFromSet: true })).toHaveLength(1);
    expect(unexplainedDifferences(1, ['a', 'b'], ['a'])).toEqual([{ cell: 1, line: 2, python: 'b', typescript: undefined }]);
  });
});

describe('as_completed blocks', () => {
  const block = (n: string) => [`Future Result : ${n}, Done : True`, 'Future Cancelled : x', ''];
  test('compare as a multiset, but not with a changed result', () => {
    const rules = { asCompletedBlocks: true };
    expect(unexplainedDifferences(6, ['S', '', ...block('2'), ...block('1'), 'T'], ['S', '', ...block('1'), ...block('2'), 'T'], rules)).toEqual([]);
    expect(unexplainedDifferences(6, [...block('2'), ...block('1')], [...block('1'), ...block('3')], rules)).toHaveLength(1);
    expect(unexplainedDifferences(6, [...block('2'), ...block('1')], [...block('1'), ...block('2')])).toHaveLength(2);
  });
});
