import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { ROOT } from '../support/paths.js';

const CORPUS = `${ROOT}fixtures/hostile-configs/`;

/**
 * Loading may succeed or fail with a ConfigError; anything else (a TypeError, a stack overflow) is
 * a bug.
 */
function loadsOrRefuses(text: string): void {
  try {
    parseConfig(text, 'fuzz.json');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One clear message: never empty, never a value pasted in full.
    expect(error.message.length).toBeGreaterThan(0);
  }
}

describe('hostile config corpus: NAME.json gets exactly NAME.expected (a message or "ok")', () => {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    it(file, () => {
      const expected = readFileSync(
        `${CORPUS}${file.replace(/\.json$/, '.expected')}`,
        'utf8',
      ).trimEnd();
      let got = 'ok';
      try {
        parseConfig(readFileSync(`${CORPUS}${file}`, 'utf8'), file);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        got = (error as ConfigError).message;
      }
      expect(got).toBe(expected);
    });
  }
});

describe('an injection attempt in every identifier position', () => {
  const attack = 'x"; DROP TABLE students; --';
  const positions: [string, (c: Record<string, any>) => void][] = [
    ['source.schema', (c) => (c.source.schema = attack)],
    ['mirror.schema', (c) => (c.mirror.schema = attack)],
    ['entities[0].name', (c) => (c.entities[0].name = attack)],
    ['entities[0].source.table', (c) => (c.entities[0].source.table = attack)],
    ['entities[0].source.key', (c) => (c.entities[0].source.key = attack)],
    ['entities[0].mirror.table', (c) => (c.entities[0].mirror.table = attack)],
    ['entities[0].mirror.externalId', (c) => (c.entities[0].mirror.externalId = attack)],
    ['entities[0].fields.name', (c) => (c.entities[0].fields.name = attack)],
    ['entities[2].parents[0].entity', (c) => (c.entities[2].parents[0].entity = attack)],
    ['entities[2].parents[0].column', (c) => (c.entities[2].parents[0].column = attack)],
    ['entities[2].parents[0].lookup', (c) => (c.entities[2].parents[0].lookup = attack)],
  ];
  for (const [path, inject] of positions) {
    it(`is refused at ${path}`, () => {
      const config = fixtureConfigObject();
      inject(config);
      expect(() => parseConfig(JSON.stringify(config), 'cfg.json')).toThrow(
        `${path}: "x\\"; DROP TABLE students; --" is not a plain SQL identifier`,
      );
    });
  }

  it('is refused as a mirror column name (a key under "fields")', () => {
    const config = fixtureConfigObject();
    config.entities[0].fields[attack] = 'name';
    expect(() => parseConfig(JSON.stringify(config), 'cfg.json')).toThrow(
      /entities\[0\]\.fields\["x\\"; DROP TABLE students; --"\]: .* is not a plain SQL identifier/,
    );
  });
});

describe('fuzzing (fast-check, fixed seeds): loading throws nothing but a ConfigError', () => {
  it('on any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), loadsOrRefuses), {
      seed: 8,
      numRuns: 3000,
    });
  });

  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => loadsOrRefuses(JSON.stringify(value))),
      { seed: 8, numRuns: 3000 },
    );
  });

  it('on the fixture config with one part replaced by anything', () => {
    const valid = fixtureConfigObject();
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value))
          walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
    };
    walk(valid, []);
    const replacement = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        '',
        ' ',
        'env:',
        '\u0000',
        '\ud800',
        'a'.repeat(70),
        'x"; drop table t; --',
        'DATABASE_URL',
      ),
    );
    const mutation = fc.record({
      at: fc.integer({ min: 0, max: paths.length - 1 }),
      value: replacement,
      asKey: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const config = structuredClone(valid);
        for (const { at, value, asKey } of mutations) {
          const path = paths[at]!;
          if (path.length === 0) continue;
          let parent: any = config;
          for (const segment of path.slice(0, -1)) parent = parent?.[segment];
          if (!parent || typeof parent !== 'object') continue;
          const last = path.at(-1)!;
          if (asKey && !Array.isArray(parent) && typeof value === 'string') {
            Object.defineProperty(parent, value, {
              value: parent[last],
              enumerable: true,
              configurable: true,
              writable: true,
            });
            delete parent[last];
          } else {
            parent[last] = value;
          }
        }
        loadsOrRefuses(JSON.stringify(config));
      }),
      { seed: 8, numRuns: 5000 },
    );
  });
});

describe('a config far larger than any real one', () => {
  it('is refused in a screen-sized message, not a stack overflow (300,000 array elements)', () => {
    const huge = { ...fixtureConfigObject(), entities: Array.from({ length: 300_000 }, () => 1) };
    let error: unknown;
    try {
      parseConfig(JSON.stringify(huge), 'huge.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split('\n');
    expect(lines[0]).toBe('invalid configuration in huge.json (300000 problems):');
    expect(lines).toHaveLength(52);
    expect(lines.at(-1)).toBe('  … and 299950 more');
  });
});
