/** One definition per uniform struct a view's shaders declare, so packing and WGSL can be checked against each other. */

/** A member of a WGSL uniform struct: its name, WGSL type and byte offset. */
export interface UniformMember {
  name: string;
  type: 'f32' | 'u32' | 'vec2<f32>' | 'vec4<f32>';
  offset: number;
}

/** Word (4-byte) index of each member, for packing through Float32Array / Uint32Array views. */
export function wordIndex<const L extends readonly UniformMember[]>(layout: L): Record<L[number]['name'], number> {
  return Object.fromEntries(layout.map((m) => [m.name, m.offset / 4])) as Record<L[number]['name'], number>;
}

const SIZE_ALIGN: Record<UniformMember['type'], [number, number]> = { 'f32': [4, 4], 'u32': [4, 4], 'vec2<f32>': [8, 8], 'vec4<f32>': [16, 16] };

/**
 * The members of `struct <name>` in WGSL source, with offsets by WGSL's alignment rules, and the struct's size
 * (rounded to its alignment) — what the tests compare with the TypeScript layout so the two cannot drift.
 */
export function wgslStructLayout(source: string, name: string): { members: UniformMember[]; size: number } {
  const body = new RegExp(`struct ${name} \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1];
  if (!body) throw new Error(`no struct ${name}`);
  let offset = 0;
  let align = 4;
  const members = body
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .map((line): UniformMember => {
      const m = /^(\w+)\s*:\s*([\w<>]+),?$/.exec(line);
      if (!m || !(m[2] in SIZE_ALIGN)) throw new Error(`cannot parse member "${line}"`);
      const type = m[2] as UniformMember['type'];
      const [size, a] = SIZE_ALIGN[type];
      align = Math.max(align, a);
      offset = Math.ceil(offset / a) * a;
      const member = { name: m[1], type, offset };
      offset += size;
      return member;
    });
  return { members, size: Math.ceil(offset / align) * align };
}
