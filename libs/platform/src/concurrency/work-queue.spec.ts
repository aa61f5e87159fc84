import { ServiceBusyError, WorkQueue } from './work-queue';

const deferred = () => {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('WorkQueue', () => {
  it('runs at most `concurrency` tasks at once and the rest in order', async () => {
    const queue = new WorkQueue('test', 2, 10);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      queue.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(queue.size).toEqual({ running: 2, waiting: 2 });
    gates[0]?.resolve();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(queue.size).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses at once with a 503 and a retry time when the line is full', async () => {
    const queue = new WorkQueue('hashing', 1, 1, 2);
    const gate = deferred();
    const first = queue.run(() => gate.promise);
    const second = queue.run(() => Promise.resolve());
    await expect(queue.run(() => Promise.resolve())).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryAfterSeconds: 2,
    });
    await expect(queue.run(() => Promise.resolve())).rejects.toBeInstanceOf(ServiceBusyError);
    gate.resolve();
    await Promise.all([first, second]);
  });

  it('frees the slot when a task fails', async () => {
    const queue = new WorkQueue('test', 1, 0);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(queue.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('refuses a task that waited longer than maxWaitMs, and the line moves on', async () => {
    const queue = new WorkQueue('hashing', 1, 5, 3, 50);
    const gate = deferred();
    const first = queue.run(() => gate.promise);
    const late = queue.run(() => Promise.resolve('ran'));
    await expect(late).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 3 });
    expect(queue.size).toEqual({ running: 1, waiting: 0 });
    gate.resolve();
    await first;
    expect(queue.size).toEqual({ running: 0, waiting: 0 });
    await expect(queue.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
