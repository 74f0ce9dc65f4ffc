import { describe, expect, it } from 'vitest';
import { ownedByField } from '../../src/app/keyboard.ts';

const plain = { ctrlKey: false, metaKey: false, altKey: false };

describe('page shortcuts', () => {
  it('leave keys to text fields, selects, editable content and modifier chords', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) expect(ownedByField(plain, { tagName })).toBe(true);
    expect(ownedByField(plain, { tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(ownedByField({ ...plain, ctrlKey: true }, { tagName: 'BODY' })).toBe(true);
    expect(ownedByField({ ...plain, metaKey: true }, null)).toBe(true);
  });

  it('take keys on the page, the plot and buttons', () => {
    expect(ownedByField(plain, { tagName: 'BODY' })).toBe(false);
    expect(ownedByField(plain, { tagName: 'CANVAS' })).toBe(false);
    expect(ownedByField(plain, { tagName: 'BUTTON' })).toBe(false);
    expect(ownedByField(plain, null)).toBe(false);
  });
});
