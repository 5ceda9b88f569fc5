import { defineFaultCampaign } from '../support/fault-trials.js';

// 27 trials with fixed seeds; see defineFaultCampaign for what each one checks.
defineFaultCampaign('repair', 27, 1000);
