import type { MethodContext, MethodInstance } from './methods.ts';

/** A tuning variant of the 2D value kernel, benchmarked beside the app's kernel (see bench/NOTES.md). */
export interface GpuVariant {
  id: string;
  label: string;
  /** FLOP per unit-evaluation the variant executes (see FLOP_NOTE). */
  flopPerUnitEval: number;
  create(ctx: MethodContext): MethodInstance;
}

/** The variants tried so far; `--methods` selects them by id. */
export const GPU_VARIANTS: GpuVariant[] = [];
