import type { SimStats } from '../sim/simulator.js';
import { renderJson } from './json.js';

export function renderSimStats(stats: SimStats, format: 'table' | 'json'): string {
  if (format === 'json') return renderJson('sim', { ...stats });
  return (
    `processed ${stats.processed} trigger-log entries: ` +
    `${stats.succeeded} succeeded, ${stats.failed} failed, ${stats.ignored} ignored\n`
  );
}
