import { EventEmitter } from 'node:events';
import { throttledWarn, warnQueueErrors, workerErrorWarning } from './queue-errors';

describe('throttled warnings', () => {
  let now = 1_000_000;
  let said: string[];
  const logger = { warn: (message: string) => void said.push(message) };

  beforeEach(() => {
    said = [];
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => jest.restoreAllMocks());

  it('says a warning at once, then at most once per interval', () => {
    const warn = throttledWarn(logger, 10_000);
    warn('a');
    now += 9_999;
    warn('b');
    now += 1;
    warn('c');
    warn('d');
    expect(said).toEqual(['a', 'c']);
  });

  it("gives a queue's errors a listener that logs them now and then, with the queue's name", () => {
    const queue = Object.assign(new EventEmitter(), { name: 'events' });
    warnQueueErrors(queue, logger);
    queue.emit('error', new Error('connect ECONNREFUSED'));
    queue.emit('error', new Error('connect ECONNREFUSED'));
    now += 10_000;
    queue.emit('error', new Error('Missing key for job 1'));
    expect(said).toEqual([
      'queue events: connect ECONNREFUSED',
      'queue events: Missing key for job 1',
    ]);
  });

  it("keeps each worker's errors apart from another's", () => {
    const email = workerErrorWarning('email', logger);
    const webhooks = workerErrorWarning('webhooks', logger);
    email(new Error('x'));
    webhooks(new Error('y'));
    email(new Error('z'));
    expect(said).toEqual(['queue email worker: x', 'queue webhooks worker: y']);
  });
});
