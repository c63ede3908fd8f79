/** The report's escaper: every value is text unless it is already markup the report made or trusts. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../app/report/html';

describe('html', () => {
  it('escapes the five characters that end text or a double- or single-quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('escapes interpolated text and attribute values, and leaves the template itself alone', () => {
    const value = '"><script>alert(1)</script>';
    expect(html`<td title="${value}">${value}</td>`.text).toBe(
      '<td title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>',
    );
  });

  it('writes nested templates and trusted markup as they are, lists joined, nothing for absent values', () => {
    const cells = ['a<b', 'c&d'].map((c) => html`<td>${c}</td>`);
    expect(html`<tr>${cells}${undefined}${null}${false}${trusted('<svg></svg>')}${0}</tr>`.text).toBe(
      '<tr><td>a&lt;b</td><td>c&amp;d</td><svg></svg>0</tr>',
    );
  });

  it('fails a number that is not finite rather than writing NaN on the page', () => {
    expect(() => html`<td>${Number.NaN}</td>`).toThrow('not a finite number: NaN');
  });
});
