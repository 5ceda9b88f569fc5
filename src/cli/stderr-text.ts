import { redactSecrets } from '../core/redact.js';
import { terminalSafe } from '../render/terminal-text.js';

/**
 * A message on its way to stderr: no secret in it, and nothing a terminal
 * would act on — a file name, a webhook's answer or a server's message may
 * hold escape sequences or bidi overrides.
 */
export function stderrText(text: string): string {
  return terminalSafe(redactSecrets(text));
}
