// Registers scripts/raw-loader.mjs (see there); used as `tsx --import ./scripts/register-raw.mjs script.ts`.
import { register } from 'node:module';

register('./raw-loader.mjs', import.meta.url);
