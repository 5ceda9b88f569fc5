import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/core/audit/result.js';
import type { EntityAudit, Mismatch } from '../../src/core/audit/types.js';
import { renderAuditJson, renderAuditNdjsonEntity } from '../../src/render/audit.js';
import { writeAudit, writeAuditNdjsonEntity } from '../../src/render/audit-output.js';
import { renderJson } from '../../src/render/json.js';
import { paint } from '../../src/render/paint.js';
import { entityAudit, mismatch, noCounts } from '../support/audit-fixtures.js';

/** A list that can be read only by iterating it, as a spilled one is. */
function iterableOnly(items: readonly Mismatch[]): EntityAudit['mismatches'] {
  return { length: items.length, [Symbol.iterator]: () => items[Symbol.iterator]() };
}

const anyMismatch = fc
  .record({
    key: fc.string({ maxLength: 8 }),
    reason: fc.string({ maxLength: 12 }),
    source: fc.jsonValue({ maxDepth: 2 }),
    mirror: fc.jsonValue({ maxDepth: 2 }),
  })
  .map(({ key, reason, source, mirror }) =>
    mismatch({ key, reason, class: 'drift', fields: [{ column: 'c', source, mirror }] }),
  );

function result(lists: readonly (readonly Mismatch[])[]): AuditResult {
  const at = new Date('2026-12-06T00:00:00Z');
  const entities = lists.map((list, i) =>
    entityAudit([], { name: `e${i}`, mismatches: iterableOnly(list) }),
  );
  const mismatches = lists.reduce((n, list) => n + list.length, 0);
  return {
    startedAt: at,
    finishedAt: at,
    order: entities.map((e) => e.name),
    entities,
    totals: { ...noCounts(), sourceRows: 0, mirrorRows: 0, mismatches },
  };
}

/** What the JSON document was before it was written in pieces: one JSON.stringify of it all. */
function wholeDocument(audit: AuditResult): string {
  const { entities } = JSON.parse(renderAuditJson({ ...audit, entities: [] })) as object & {
    entities: unknown;
  };
  expect(entities).toEqual([]);
  return renderJson('audit', {
    startedAt: audit.startedAt.toISOString(),
    finishedAt: audit.finishedAt.toISOString(),
    shard: null,
    order: audit.order,
    entities: audit.entities.map((e) => {
      const { mismatches, ...summary } = JSON.parse(
        renderAuditJson({ ...audit, entities: [{ ...e, mismatches: [] }] }),
      ).entities[0];
      expect(mismatches).toEqual([]);
      return { ...summary, mismatches: [...e.mismatches] };
    }),
    totals: audit.totals,
    bytesRead: null,
    increases: [],
  });
}

function collect(): { out: { write(text: string): boolean }; text: () => string } {
  let text = '';
  const out = {
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
  return { out, text: () => text };
}

const style = { details: 5, width: 80, paint: paint({ color: false }), graph: undefined };

describe('the audit written in pieces', () => {
  it('is the JSON text of the whole document, byte for byte, for any lists', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyMismatch, { maxLength: 4 }), { maxLength: 4 }), (lists) => {
        const audit = result(lists);
        expect(renderAuditJson(audit)).toBe(wholeDocument(audit));
      }),
      { numRuns: 150 },
    );
  });

  it('writes the JSON, CSV and ndjson lines that the renderers return', async () => {
    const audit = result([
      [mismatch({ key: 'a' }), mismatch({ key: 'b', class: 'failed' })],
      [],
      [mismatch({ key: 'c\n"quoted"' })],
    ]);
    for (const format of ['json', 'csv', 'table', 'markdown', 'ndjson'] as const) {
      const { out, text } = collect();
      await writeAudit(out, audit, format, { ...style, increases: [] });
      const { renderAudit } = await import('../../src/render/audit-output.js');
      expect(text()).toBe(renderAudit(audit, format, { ...style, increases: [] }));
    }
    const { out, text } = collect();
    for (const entity of audit.entities) await writeAuditNdjsonEntity(out, entity);
    expect(text()).toBe(audit.entities.map(renderAuditNdjsonEntity).join(''));
    expect(text().split('\n')).toHaveLength(4);
  });
});
