import { describe, expect, it } from 'vitest';
import { ownedByField, spaceToggles } from '../../src/app/keyboard.ts';

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

describe('Space', () => {
  const inScope = (tagName: string) => ({ tagName, closest: (sel: string) => (sel.includes('#plot') ? {} : null) });
  const outside = (tagName: string) => ({ tagName, closest: () => null });
  it('toggles training on the plot, the surface or the panel', () => {
    expect(spaceToggles(inScope('CANVAS'))).toBe(true);
    expect(spaceToggles(inScope('DIV'))).toBe(true);
  });
  it('never on the page body, outside the views and panel, or on a button', () => {
    expect(spaceToggles(outside('BODY'))).toBe(false);
    expect(spaceToggles(outside('DIV'))).toBe(false);
    expect(spaceToggles(inScope('BUTTON'))).toBe(false);
    expect(spaceToggles(null)).toBe(false);
  });
});
