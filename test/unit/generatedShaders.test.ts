import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMIT_COMMAND, GENERATED_SHADERS, generatedShaderUrl } from '../../bench/tools/generated.ts';

// A hand edit to a generated shader is lost at the next emit, and a generator change not emitted never ships.
describe('generated shaders match their generators', () => {
  it('lists each file once', () => {
    const files = GENERATED_SHADERS.map((s) => s.file);
    expect(new Set(files).size).toBe(files.length);
  });

  it.each(GENERATED_SHADERS.map((s) => [s.file, s] as const))('%s', (file, shader) => {
    const onDisk = readFileSync(generatedShaderUrl(shader), 'utf8');
    const fresh = shader.generate();
    if (onDisk !== fresh) {
      let at = 0;
      while (at < fresh.length && fresh[at] === onDisk[at]) at++;
      const line = fresh.slice(0, at).split('\n').length;
      expect.fail(`${file} differs from its generator (first at line ${line}): run \`${EMIT_COMMAND}\` and commit the result`);
    }
  });
});
