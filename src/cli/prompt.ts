import { createInterface } from 'node:readline/promises';
import type { CliContext } from './context.js';

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirmOnTerminal(context: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: context.stdin, output: context.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
