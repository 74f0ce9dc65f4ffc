/** The WebGPU canvas of a view: one configuration (the preferred format, premultiplied alpha) shared by the modules drawing into it. */

/**
 * Configures `canvas` for `device` (configuring again with the same device is harmless) and returns its context
 * and format. Throws when the canvas cannot show WebGPU output (it already has a 2D context).
 */
export function configureGpuCanvas(device: GPUDevice, canvas: HTMLCanvasElement): { context: GPUCanvasContext; format: GPUTextureFormat } {
  const context = canvas.getContext('webgpu');
  if (!context) throw new Error('this canvas cannot show WebGPU output');
  const format = navigator.gpu.getPreferredCanvasFormat();
  context.configure({ device, format, alphaMode: 'premultiplied' });
  return { context, format };
}
