import { describe } from 'vitest';
import { defineFaultCampaign } from '../support/fault-trials.js';

// The campaign again with the mirror database defaulting to each stricter isolation level (sfsync's
// write transactions must set READ COMMITTED themselves): 6 trials per command and level, fixed
// seeds, every target twice.
describe('repeatable read', () => {
  describe('repair', () => defineFaultCampaign('repair', 6, 3000, 'repeatable read'));
  describe('backfill', () => defineFaultCampaign('backfill', 6, 4000, 'repeatable read'));
});
describe('serializable', () => {
  describe('repair', () => defineFaultCampaign('repair', 6, 5000, 'serializable'));
  describe('backfill', () => defineFaultCampaign('backfill', 6, 6000, 'serializable'));
});
