/** Printing sender text: every control character a terminal could act on is written out; printable Unicode stays. */
import { describe, expect, it } from 'vitest';
import { sanitize, terminalSafeJson, withoutColors } from '../../../src/ui/sanitize.js';

describe('sanitize', () => {
  it('writes out C0, ESC, DEL, C1, line separators and bidi controls', () => {
    expect(sanitize('a\u001b[2Jb')).toBe('a\\e[2Jb');
    expect(sanitize('\u001b]0;title\u0007')).toBe('\\e]0;title\\u0007');
    expect(sanitize('x\r\ny\tz\u0000')).toBe('x\\r\\ny\\tz\\u0000');
    expect(sanitize('\u007f\u0080\u009b31m')).toBe('\\u007f\\u0080\\u009b31m');
    expect(sanitize('\u2028\u202egnp.exe\u2066')).toBe('\\u2028\\u202egnp.exe\\u2066');
  });

  it('keeps printable Unicode as it is', () => {
    const text = 'Zoë 東京 🚀 invoice.paid — ok';
    expect(sanitize(text)).toBe(text);
  });

  it('leaves no character in the C0, DEL or C1 ranges, for any input', () => {
    let all = '';
    for (let code = 0; code < 0x100; code++) all += String.fromCharCode(code);
    expect(sanitize(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe('terminalSafeJson', () => {
  it('is the same JSON value, with DEL and C1 escaped too', () => {
    const value = { type: 'a\u001b[2J\u009b\u007f\u2028', n: 1 };
    const text = terminalSafeJson(value);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
    expect(JSON.parse(terminalSafeJson(value, 2))).toEqual(value);
  });
});

describe('withoutColors', () => {
  it('drops SGR colour codes and nothing else', () => {
    expect(withoutColors('\u001b[32mok\u001b[0m \u001b]0;t\u0007')).toBe('ok \u001b]0;t\u0007');
  });
});
