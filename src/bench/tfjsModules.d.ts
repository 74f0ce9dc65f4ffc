/**
 * The part of TensorFlow.js the peers use, typed here rather than by TF.js's own declarations: those reference
 * @webgpu/types 0.1.38 (nested under tfjs-core), whose GPUFeatureName lacks 'subgroups' and overrides the
 * project's 0.1.74 for the whole program. Keeping the imports in tfjsModules.js means tsc never reads them.
 */
export interface TfTensor {
  readonly shape: number[];
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
export type TfVariable = TfTensor;
/** A kernel's gradient, as tf.registerGradient takes it (see tfjs-core's gradients/*_grad). */
export interface TfGradConfig {
  kernelName: string;
  inputsToSave: string[];
  gradFunc(dy: TfTensor, saved: TfTensor[], attrs: Record<string, unknown>): Record<string, () => TfTensor>;
}
export interface TfOptimizer {
  minimize(f: () => TfTensor, returnCost?: boolean, varList?: TfVariable[]): TfTensor | null;
  dispose(): void;
}
export interface TfCore {
  version_core: string;
  tensor1d(values: Float32Array): TfTensor;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  scalar(value: number): TfTensor;
  matMul(a: TfTensor, b: TfTensor, transposeA?: boolean, transposeB?: boolean): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  sub(a: TfTensor, b: TfTensor): TfTensor;
  relu(x: TfTensor): TfTensor;
  reshape(x: TfTensor, shape: number[]): TfTensor;
  mean(x: TfTensor): TfTensor;
  square(x: TfTensor): TfTensor;
  sum(x: TfTensor, axis?: number[]): TfTensor;
  mul(a: TfTensor, b: TfTensor | number): TfTensor;
  div(a: TfTensor, b: TfTensor | number): TfTensor;
  neg(x: TfTensor): TfTensor;
  step(x: TfTensor): TfTensor;
  cast(x: TfTensor, dtype: 'float32'): TfTensor;
  ones(shape: number[]): TfTensor;
  getGradient(kernelName: string): unknown;
  registerGradient(config: TfGradConfig): void;
  tidy<T extends TfTensor>(f: () => T): T;
  dispose(t: TfTensor | TfTensor[]): void;
  variable(initial: TfTensor): TfVariable;
  train: { adam(learningRate: number, beta1: number, beta2: number, epsilon: number): TfOptimizer };
  getBackend(): string;
  setBackend(name: string): Promise<boolean>;
  backend(): unknown;
  registerBackend(name: string, factory: () => unknown, priority?: number): boolean;
  removeBackend(name: string): void;
  findBackend(name: string): unknown;
  findBackendFactory(name: string): unknown;
}
/** tfjs-core. */
export function loadTfCore(): Promise<TfCore>;
/** tfjs-backend-cpu (registers the 'cpu' backend on import). */
export function loadTfCpuModule(): Promise<unknown>;
/** tfjs-backend-webgpu's backend class. */
export function loadTfWebGpuModule(): Promise<{ WebGPUBackend: new (device: GPUDevice, adapterInfo?: GPUAdapterInfo) => unknown }>;
