import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Injectable, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  AfterCommit,
  declareEvents,
  DomainEvent,
  EventRegistry,
  InTransaction,
  repoRoot,
} from '@jewelshot/platform';
import { baseTestEnv } from '../support/test-env';

class Declared extends DomainEvent<{ id: string }> {
  static readonly eventName = 'test.declared';
}
class Undeclared extends DomainEvent<{ id: string }> {
  static readonly eventName = 'test.undeclared';
}

@Injectable()
class DeclaredSubscriber {
  @InTransaction(Declared)
  async onDeclared(): Promise<void> {}
}

@Injectable()
class UndeclaredSubscriber {
  @AfterCommit(Undeclared)
  async onUndeclared(): Promise<void> {}
}

/**
 * Starts a context with the given providers beside the registry (the outbox's publishing side
 * needs a database, its start-up check does not); resolves to its start-up error.
 */
async function startupError(providers: Provider[]): Promise<string> {
  @Module({ providers: [EventRegistry, ...providers] })
  class Root {}
  try {
    const app = await NestFactory.createApplicationContext(Root, {
      logger: false,
      abortOnError: false,
    });
    await app.close();
    return '';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe('the event registry, checked at start-up', () => {
  it('starts when every declared event has a subscriber and every subscriber a declared event', async () => {
    expect(await startupError([declareEvents([Declared]), DeclaredSubscriber])).toBe('');
  });

  it('refuses an event nobody subscribes to', async () => {
    expect(await startupError([declareEvents([Declared])])).toMatch(
      /event test\.declared has no subscriber/,
    );
  });

  it('refuses a subscriber of an event no module declares', async () => {
    expect(
      await startupError([declareEvents([Declared]), DeclaredSubscriber, UndeclaredSubscriber]),
    ).toMatch(
      /subscriber UndeclaredSubscriber\.onUndeclared listens to test\.undeclared, which no module declares/,
    );
  });
});

describe('events:map', () => {
  it('prints every event of the API and the worker with its subscribers and their kind', async () => {
    const root = repoRoot();
    const child = spawn(
      process.execPath,
      ['-r', join(root, 'test', 'support', 'register.js'), join(root, 'scripts', 'events-map.ts')],
      { cwd: root, env: { ...process.env, ...baseTestEnv() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close' waits for the pipes to drain; 'exit' may come before the last output.
    const code = await new Promise<number | null>((resolve) =>
      child.once('close', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(0);
    expect(output).toBe(
      [
        'ai-jobs.batch-finished',
        '  -> webhooks.batch-finished (after-commit)',
        'ai-jobs.job-ended',
        '  -> webhooks.job-ended (after-commit)',
        'ai.batch-submitted',
        '  -> abuse.batch-submitted (after-commit)',
        'ai.job-submitted',
        '  -> abuse.job-submitted (after-commit)',
        'credit-ledger.credits-low',
        '  -> webhooks.credits-low (after-commit)',
        'email.queued',
        '  -> email.hand-to-queue (after-commit)',
        'identity.email-verified',
        '  -> abuse.email-verified (after-commit)',
        '  -> ledger.signup-credits-on-verified (in-transaction)',
        'identity.user-logged-in',
        '  -> abuse.logged-in (after-commit)',
        'identity.user-registered',
        '  -> abuse.registered (after-commit)',
        '  -> ledger.signup-credits (in-transaction)',
        'ledger.signup-credits-granted',
        '  -> abuse.signup-grant (after-commit)',
        'webhooks.delivery-requested',
        '  -> webhooks.enqueue-requested (after-commit)',
        '',
      ].join('\n'),
    );
  });
});
