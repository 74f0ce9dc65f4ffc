// Regenerates the variant shaders listed in generated.ts: npx tsx bench/tools/emit.ts (from any directory).
import { writeFileSync } from 'node:fs';
import { GENERATED_SHADERS, generatedShaderUrl } from './generated.ts';

for (const shader of GENERATED_SHADERS) {
  writeFileSync(generatedShaderUrl(shader), shader.generate());
  console.log(`wrote ${shader.file}`);
}
