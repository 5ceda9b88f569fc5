import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { html } from '../../src/render/html-text.js';

describe('the html tag', () => {
  it('escapes every value, in content and quoted attributes, keeping its own literal parts', () => {
    const value = `<script>"x" & 'y'</script>`;
    const escaped = '&#60;script&#62;&#34;x&#34; &#38; &#39;y&#39;&#60;/script&#62;';
    expect(String(html`<td title="${value}">${value}</td>`)).toBe(
      `<td title="${escaped}">${escaped}</td>`,
    );
  });

  it('leaves what the tag made as it is (never escaped twice), and joins lists', () => {
    const cell = (text: string) => html`<td>${text}</td>`;
    expect(String(html`<tr>${['a<', 'b&'].map(cell)}</tr>`)).toBe(
      '<tr><td>a&#60;</td><td>b&#38;</td></tr>',
    );
    expect(String(html`<p>${['a<', html`<b>b</b>`]}</p>`)).toBe('<p>a&#60;<b>b</b></p>');
  });

  it('prints numbers, and nothing for null and undefined', () => {
    expect(String(html`${1.5}|${0}|${null}|${undefined}|${''}`)).toBe('1.5|0|||');
  });

  it('refuses a value where escaping falls short: unquoted attribute, <script> or <style>', () => {
    expect(() => html`<td class=${'a onclick=alert(1)'}>`).toThrow(/unquoted attribute/);
    expect(() => html`<td id="a" class=${'a onclick=alert(1)'}>`).toThrow(/unquoted attribute/);
    expect(() => html`<script>f(${'x'});</script>`).toThrow(/inside <script> or <style>/);
    expect(() => html`<style>${'x'}</style>`).toThrow(/inside <script> or <style>/);
    expect(() => html`<script>var a = 1;${html`x`} f(${'y'})</script>`).toThrow(
      /inside <script> or <style>/,
    );
    // An = in text is text; after the element closes, values are text again; the tag's own output
    // may go anywhere.
    expect(String(html`<p>x = ${'<'}</p>`)).toBe('<p>x = &#60;</p>');
    expect(String(html`<script>${html`var a = 1;`}</script><p>${'<'}</p>`)).toBe(
      '<script>var a = 1;</script><p>&#60;</p>',
    );
  });

  it('makes any text inert: parsed back, escaped text is the text (fast-check, fixed seed)', () => {
    const decode = (text: string) =>
      text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = String(html`<td title="${text}">${text}</td>`);
        const inner = out.slice('<td title="'.length, -'</td>'.length);
        const [attribute, content] = [
          inner.slice(0, inner.indexOf('">')),
          inner.slice(inner.indexOf('">') + 2),
        ];
        expect(attribute).not.toMatch(/[<>"'&](?!#\d+;)/);
        expect(decode(attribute)).toBe(text);
        expect(decode(content)).toBe(text);
        expect(content).not.toMatch(/[<>"']/);
      }),
      { seed: 18, numRuns: 2000 },
    );
  });
});
