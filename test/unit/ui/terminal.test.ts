import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../../src/ui/terminal.js';

describe('colorLevel', () => {
  it('follows the terminal when neither variable is set', () => {
    expect(colorLevel({}, 0)).toBe(0);
    expect(colorLevel({}, 2)).toBe(2);
  });

  it('NO_COLOR (any non-empty value) turns colour off; an empty one does not', () => {
    expect(colorLevel({ NO_COLOR: '1' }, 3)).toBe(0);
    expect(colorLevel({ NO_COLOR: 'yes' }, 1)).toBe(0);
    expect(colorLevel({ NO_COLOR: '' }, 2)).toBe(2);
  });

  it('FORCE_COLOR wins over NO_COLOR and a pipe, read as chalk reads it', () => {
    expect(colorLevel({ FORCE_COLOR: '1', NO_COLOR: '1' }, 0)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '' }, 0)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: 'true' }, 0)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '3' }, 0)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '1' }, 3)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '0' }, 3)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: 'false' }, 3)).toBe(0);
  });
});
