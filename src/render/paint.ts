/**
 * Colour for the human formats: ANSI escapes on a colour terminal, the text unchanged elsewhere.
 */
export interface Paint {
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly bold: (text: string) => string;
}

const plain = (text: string) => text;
const sgr = (open: number, close: number) => (text: string) =>
  `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * ANSI colours when the mode has colour, the text unchanged otherwise (so piped output never
 * carries escapes).
 */
export function paint(mode: { readonly color: boolean }): Paint {
  if (!mode.color) return { red: plain, green: plain, bold: plain };
  return { red: sgr(31, 39), green: sgr(32, 39), bold: sgr(1, 22) };
}
