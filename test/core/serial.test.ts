// The serial queues: order, failures, at-once answers.
import { SerialByKey, SerialQueue } from '../../src/core/serial';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((done) => setTimeout(() => done(value), ms));

describe('SerialByKey: one task at a time per key', () => {
  test('with nothing under way, a task that answers at once answers at once (no promise)', () => {
    const serial = new SerialByKey();
    expect(serial.run('a', () => 42)).toBe(42);
    expect(serial.size).toBe(0);
  });

  test('tasks on one key run in order, each after the previous settled; other keys do not wait', async () => {
    const serial = new SerialByKey();
    const log: string[] = [];
    const slow = serial.run('a', async () => { log.push('a1 start'); await later(30, null); log.push('a1 end'); });
    const next = serial.run('a', () => { log.push('a2'); return 'a2'; });
    const other = serial.run('b', () => { log.push('b1'); return 'b1'; });
    expect(other).toBe('b1'); // key b had nothing under way
    await expect(next).resolves.toBe('a2');
    await slow;
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  test('a failed task fails its own caller only; the next one still runs, and no key is left behind', async () => {
    const serial = new SerialByKey();
    const failing = serial.run('a', () => later(10, null).then(() => { throw new Error('store down'); }));
    const following = serial.run('a', () => 'ran');
    await expect(failing).rejects.toThrow('store down');
    await expect(following).resolves.toBe('ran');
    await later(0, null);
    expect(serial.size).toBe(0);
  });

  test('a task that throws at once becomes a rejection, not a throw', async () => {
    const serial = new SerialByKey();
    const result = serial.run('a', () => { throw new Error('bad data'); });
    await expect(result).rejects.toThrow('bad data');
  });
});

describe('SerialQueue: one request\'s commits', () => {
  test('a second task waits for the first; idle is reported once, when the last one settles', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let idle = 0;
    const first = queue.run(() => later(20, 'first').then((v) => (log.push(v), v)), () => (idle += 1));
    const second = queue.run(() => (log.push('second'), 'second'), () => (idle += 1));
    await expect(Promise.all([first, second])).resolves.toEqual(['first', 'second']);
    await later(0, null);
    expect(log).toEqual(['first', 'second']);
    expect(idle).toBe(1);
  });
});
