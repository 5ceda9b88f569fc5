import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/**
 * bench/ and scripts/ are plain JavaScript run against dist/, so the type
 * checker never sees them: this keeps a refactor from breaking them silently.
 */
const SCRIPTS = ['bench/audit.js', 'scripts/write-config-schema.js', 'scripts/write-help-docs.js'];

describe('scripts that run against dist/', () => {
  for (const script of SCRIPTS) {
    it(`${script} imports only names dist/ exports`, async () => {
      const text = readFileSync(`${ROOT}${script}`, 'utf8');
      const missing: string[] = [];
      for (const match of text.matchAll(
        new RegExp(
          String.raw`(?:import\s*\{([^}]*)\}\s*from\s*|const\s*\{([^}]*)\}\s*=\s*await import\()` +
            String.raw`'\.\.\/(dist\/[^']+)'`,
          'g',
        ),
      )) {
        const names = (match[1] ?? match[2] ?? '')
          .split(',')
          .map((n) => n.trim().split(/\s+as\s+/)[0]!)
          .filter(Boolean);
        const module = (await import(`${ROOT}${match[3]}`)) as Record<string, unknown>;
        for (const name of names) if (!(name in module)) missing.push(`${match[3]}: ${name}`);
      }
      expect(missing).toEqual([]);
    });
  }
});
