import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv, runCli } from '../support/cli.js';
import { useFixtureDatabases } from '../support/databases.js';

/**
 * Tables a config cannot name — a quote, a semicolon, non-ASCII, an escape
 * sequence, a dot — in both schemas: init leaves each out with a note, writes
 * a config that loads, and prints none of them raw.
 */
const db = useFixtureDatabases();
const ESC = '\u001b';
const ODD = ['we"ird', 'semi;colon', 'café', `esc${ESC}[31mred`, 'dot.ted'];
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const MAPS = [
  'editor__c=schools',
  'contact_editor_affiliation__c=roles',
  'classroom__c=school_classes',
  'contact_classroom_affiliation__c=class_teachers',
];
let dir: string;
const sfsync = (...args: string[]) => runCli(args, { env: fixtureEnv(db), cwd: dir });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfsync-odd-names-'));
  for (const name of ODD) {
    // A Connect mirror table in every respect but its name, and an app table of the same name.
    await db.asConnect(
      `CREATE TABLE salesforce.${ident(name)} (id serial PRIMARY KEY, sfid varchar(18) UNIQUE,
        _hc_lastop varchar(32), _hc_err text, ext__c text UNIQUE)`,
    );
    await db.asConnect(
      `INSERT INTO salesforce.${ident(name)} (sfid, ext__c) VALUES ('a00000000000001AAA', '1')`,
    );
    await db.source(`CREATE TABLE public.${ident(name)} (id uuid PRIMARY KEY, name text)`);
  }
  // Odd columns in tables init maps.
  await db.asConnect(`ALTER TABLE salesforce.editor__c ADD COLUMN ${ident(`na;me${ESC}__c`)} text`);
  await db.source(`ALTER TABLE public.schools ADD COLUMN ${ident('café')} text`);
});

describe('sfsync init on tables and columns a config cannot name', () => {
  it('leaves each out with a todo note; the config loads; escaped for the terminal', async () => {
    const init = await sfsync('init', ...MAPS.flatMap((m) => ['--map', m]));
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).not.toContain(ESC);

    const text = await readFile(join(dir, 'sfsync.config.json'), 'utf8');
    expect(text).not.toContain(ESC);
    const config = JSON.parse(text) as {
      todo?: string[];
      entities: {
        name: string;
        mirror: { table: string };
        source?: { table: string };
        todo?: string[];
      }[];
    };
    const named = config.entities.flatMap((e) => [
      e.name,
      e.mirror.table,
      e.source?.table ?? 'none',
    ]);
    for (const name of named) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    const notes = config.todo ?? [];
    for (const role of ['mirror', 'source']) {
      for (const name of ODD) {
        const shown = JSON.stringify(name);
        expect(notes.filter((n) => n.startsWith(`${role} table ${shown} left out: `))).toHaveLength(
          1,
        );
      }
    }
    expect(notes.some((n) => n.includes('\\u001b[31mred'))).toBe(true);
    expect(config.entities.find((e) => e.mirror.table === 'editor__c')!.todo).toContain(
      'columns left out, their names not ones the config can hold ' +
        '(sfsync names only plain SQL identifiers: ASCII letters, digits and _, ' +
        'at most 63 characters, not __proto__, constructor, prototype): ' +
        'editor__c."na;me\\u001b__c", schools."café"',
    );

    // It loads, and doctor finds nothing wrong with the databases.
    const doctor = await sfsync('doctor', '--allow-todo');
    expect(doctor.stderr).toBe('');
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).not.toContain(ESC);
    expect(doctor.stdout).toContain('"esc\\u001b[31mred"');
  });
});
