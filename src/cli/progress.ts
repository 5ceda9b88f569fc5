import type { CliContext } from './context.js';

export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, succeed: () => undefined, stop: () => undefined };

/** An ora spinner on stderr when stderr is a terminal; nothing otherwise (CI logs stay clean). */
export async function startProgress(context: CliContext, text: string): Promise<Progress> {
  if (!context.stderr.isTTY) return SILENT;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: context.stderr as NodeJS.WriteStream }).start();
  return {
    update: (next) => {
      spinner.text = next;
    },
    succeed: (done) => {
      spinner.succeed(done);
      spinner.start(text);
    },
    stop: () => spinner.stop(),
  };
}
