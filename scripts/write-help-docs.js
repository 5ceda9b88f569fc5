// Refreshes the `--help` blocks of docs/commands.md from the CLI itself (run: npm run docs:help).
// Each block sits between <!-- help:COMMAND --> and <!-- /help -->; a test keeps them current.
// The table of `_hc_err` codes and hints, between <!-- hc-error-codes --> and its end, too.
import { readFileSync, writeFileSync } from 'node:fs';
import { helpTexts } from '../dist/cli/help-text.js';
import { errorCodesMarkdown } from '../dist/render/error-codes.js';

const file = new URL('../docs/commands.md', import.meta.url);
let text = readFileSync(file, 'utf8');
for (const [name, help] of helpTexts()) {
  const summary = `<summary><code>npx sfsync ${name} --help</code></summary>`;
  const block =
    `<!-- help:${name} -->\n<details>${summary}\n\n\`\`\`\n${help}\n\`\`\`\n\n` +
    '</details>\n<!-- /help -->';
  const pattern = new RegExp(`<!-- help:${name} -->[\\s\\S]*?<!-- /help -->`);
  if (!pattern.test(text)) throw new Error(`docs/commands.md has no <!-- help:${name} --> block`);
  text = text.replace(pattern, () => block);
}
const codes = /<!-- hc-error-codes -->[\s\S]*?<!-- \/hc-error-codes -->/;
if (!codes.test(text)) throw new Error('docs/commands.md has no <!-- hc-error-codes --> block');
text = text.replace(
  codes,
  () => `<!-- hc-error-codes -->\n${errorCodesMarkdown()}\n<!-- /hc-error-codes -->`,
);
writeFileSync(file, text);
