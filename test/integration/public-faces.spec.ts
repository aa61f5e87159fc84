import * as admin from '@jewelshot/admin';
import * as aiJobs from '@jewelshot/ai-jobs';
import * as audit from '@jewelshot/audit';
import * as creditLedger from '@jewelshot/credit-ledger';
import * as email from '@jewelshot/email';
import * as identity from '@jewelshot/identity';
import * as platform from '@jewelshot/platform';
import * as webhooks from '@jewelshot/webhooks';

/**
 * Each lib's index.ts is its public face: a named list of what other floors may use. The
 * snapshot makes any change of a face (a name added, renamed or dropped) show in review.
 * Types are erased at run time, so only runtime names are listed.
 */
describe('public faces of the libs', () => {
  it.each([
    ['platform', platform],
    ['audit', audit],
    ['email', email],
    ['identity', identity],
    ['credit-ledger', creditLedger],
    ['ai-jobs', aiJobs],
    ['webhooks', webhooks],
    ['admin', admin],
  ])('@jewelshot/%s exports exactly its listed names', (_name, lib) => {
    expect(Object.keys(lib).sort()).toMatchSnapshot();
  });
});
