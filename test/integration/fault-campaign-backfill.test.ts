import { defineFaultCampaign } from '../support/fault-trials.js';

// 27 trials with fixed seeds; see defineFaultCampaign for what each one checks.
defineFaultCampaign('backfill', 27, 2000);
