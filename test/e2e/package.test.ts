import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

const run = promisify(execFile);

describe('the published package', () => {
  it('holds the CLI, its licence and the demo; no source maps, types or fixtures', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
    });
    const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
    const files = pack!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'bin/sfsync.js',
        'dist/cli/main.js',
        'schema/sfsync.config.schema.json',
        // What `sfsync demo` loads.
        'fixtures/connect/runtime.sql',
        'fixtures/editor-api/source.sql',
        'fixtures/editor-api/mirror.sql',
        'fixtures/editor-api/sfsync.config.json',
      ]),
    );
    expect(files.filter((f) => /\.(map|d\.ts)$/.test(f))).toEqual([]);
    const fixtures = files.filter((f) => f.startsWith('fixtures/'));
    expect(fixtures.filter((f) => !/^fixtures\/(connect|editor-api)\//.test(f))).toEqual([]);
  });
});
