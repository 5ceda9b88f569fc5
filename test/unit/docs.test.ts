import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpTexts } from '../../src/cli/help-text.js';
import { errorCodesMarkdown } from '../../src/render/error-codes.js';
import { loadConfig } from '../../src/config/load.js';
import {
  commandNamed,
  invocationIn,
  invocationProblems,
  optionsOf,
  program,
} from '../support/cli-usage.js';
import { ROOT } from '../support/paths.js';

const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
];
const read = (file: string) => readFile(join(ROOT, file), 'utf8');

/**
 * Shell lines of fenced sh/bash/yaml blocks and inline code spans: where documentation shows
 * commands to type.
 */
function commandLines(text: string): string[] {
  const lines: string[] = [];
  const prose: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const opening = /^```(\w*)/.exec(line);
    if (opening) {
      fence = fence === undefined ? opening[1] : undefined;
      continue;
    }
    if (fence === undefined) prose.push(line);
    else if (['sh', 'bash', 'shell', 'yaml', 'yml'].includes(fence)) lines.push(line);
  }
  // A code span may wrap onto the next line of a paragraph.
  for (const span of prose.join('\n').matchAll(/`([^`]+)`/g))
    lines.push(span[1]!.replace(/\s+/g, ' '));
  return lines;
}

describe('the documentation', () => {
  it.each(DOCS)('%s: every `sfsync <command> --option` it shows exists', async (file) => {
    const problems = commandLines(await read(file)).flatMap((line) => {
      const invocation = invocationIn(line);
      return invocation
        ? invocationProblems(invocation).map((p) => `${p}   (in: ${line.trim()})`)
        : [];
    });
    expect(problems).toEqual([]);
  });

  it('the command reference: one section per command, naming only its own options', async () => {
    const text = await read('docs/commands.md');
    const sections = text.split(/^## `sfsync /m).slice(1);
    const documented = sections.map((section) => /^([a-z]+)/.exec(section)![1]!);
    expect(new Set(documented)).toEqual(new Set(program.commands.map((c) => c.name())));
    const problems: string[] = [];
    for (const section of sections) {
      const name = /^([a-z]+)/.exec(section)![1]!;
      const options = optionsOf(commandNamed(name)!);
      for (const span of section.matchAll(/`(--[a-z][a-z-]*)[^`]*`/g)) {
        if (!options.some((o) => o.long === span[1])) problems.push(`sfsync ${name}: ${span[0]}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("shows each command's --help exactly as printed (refresh: npm run docs:help)", async () => {
    const text = await read('docs/commands.md');
    for (const [name, help] of helpTexts()) {
      const block = new RegExp(
        `<!-- help:${name} -->[\\s\\S]*?\`\`\`\\n([\\s\\S]*?)\\n\`\`\`[\\s\\S]*?<!-- /help -->`,
      ).exec(text);
      expect(block?.[1], `the --help block of sfsync ${name}`).toBe(help);
    }
  });

  it('lists every _hc_err code with its hint exactly as the audit gives it', async () => {
    const text = await read('docs/commands.md');
    const block = /<!-- hc-error-codes -->\n([\s\S]*?)\n<!-- \/hc-error-codes -->/.exec(text);
    expect(block?.[1], 'refresh with npm run docs:help').toBe(errorCodesMarkdown());
  });

  it("the README's config example is a valid config", async () => {
    const readme = await read('README.md');
    const example = /```json\n([\s\S]*?"entities"[\s\S]*?)\n```/.exec(readme)![1]!;
    const dir = await mkdtemp(join(tmpdir(), 'sfsync-docs-'));
    await writeFile(join(dir, 'sfsync.config.json'), example);
    const config = loadConfig({ cwd: dir });
    expect(config.graph.order.length).toBeGreaterThan(1);
  });

  it.each(DOCS)('%s: every relative link points at a file that exists', async (file) => {
    const text = await read(file);
    const missing = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => !existsSync(join(ROOT, dirname(file), target)));
    expect(missing).toEqual([]);
  });

  it('the checker itself refuses what does not exist', () => {
    expect(invocationProblems(['audit', '--no-such-flag'])).toEqual([
      'sfsync audit --no-such-flag: no such option',
    ]);
    expect(invocationProblems(['nope'])).toEqual(['sfsync nope: no such command']);
    expect(invocationIn('run `sfsync repair --yes`')).toEqual(['repair', '--yes']);
  });
});
