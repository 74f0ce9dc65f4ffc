// Registers scripts/raw-loader.mjs (see there). Imported first by the scripts that load shaders (scripts/*.ts,
// bench/tools) and usable as `tsx --import ./scripts/register-raw.mjs`; Node evaluates it once either way.
import { register } from 'node:module';

register('./raw-loader.mjs', import.meta.url);
