import { Fifo } from '../../../runtime/futures/fifo';

describe('Fifo', () => {
  it('keeps first-in first-out order across compactions', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift()!);
    }
    expect(q.length).toBe(5000 - out.length);
    for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('drain() hands back what is left, oldest first, and empties the queue', () => {
    const q = new Fifo<string>();
    for (const s of ['a', 'b', 'c', 'd']) q.push(s);
    q.shift();
    expect(q.drain()).toEqual(['b', 'c', 'd']);
    expect(q.length).toBe(0);
    q.push('e');
    expect(q.shift()).toBe('e');
  });
});
