/**
 * Values that live in a GPU buffer, as the evaluator hands them out: the views draw from them without a
 * read-back. Structurally the evaluator's handle; f32 values, STORAGE usage, valid until the next evaluator call.
 */
export interface DeviceValues {
  buffer: GPUBuffer;
  /** Byte offset of the first value (a multiple of 4). */
  offset: number;
  /** Number of f32 values. */
  count: number;
  device: GPUDevice;
}

/** Whether `v` is a device buffer handle rather than an array (a typed array has `buffer` but no `device`). */
export function isDeviceValues(v: unknown): v is DeviceValues {
  return typeof v === 'object' && v !== null && 'device' in v && 'count' in v && 'offset' in v;
}

/**
 * The range of `values` to bind as a storage buffer: its start rounded down to the device's storage offset
 * alignment, and the index of the first value inside that range (the shader adds it).
 * Throws a RangeError when the handle does not describe f32 values inside its buffer.
 */
export function storageRange(values: DeviceValues): { start: number; size: number; first: number } {
  const { buffer, offset, count, device } = values;
  if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0) throw new RangeError(`device values offset ${offset} is not a multiple of 4`);
  if (!Number.isInteger(count) || count < 0 || offset + 4 * count > buffer.size) {
    throw new RangeError(`device values (${count} at byte ${offset}) do not fit in a buffer of ${buffer.size} bytes`);
  }
  const align = device.limits.minStorageBufferOffsetAlignment;
  const start = Math.floor(offset / align) * align;
  const size = Math.min(buffer.size - start, Math.floor(device.limits.maxStorageBufferBindingSize / 4) * 4);
  const first = (offset - start) / 4;
  if (4 * (first + count) > size) throw new RangeError(`device values (${count} at byte ${offset}) exceed the largest storage binding`);
  return { start, size, first };
}

/**
 * Reads device values back into a Float32Array (a staging buffer per call): for views that colour on the CPU
 * where that measured faster (CPU-like adapters), never on the hardware drawing path.
 */
export async function readDeviceValues(values: DeviceValues): Promise<Float32Array> {
  const { device, buffer, offset, count } = values;
  const bytes = Math.max(4, 4 * count);
  const staging = device.createBuffer({ label: 'device values read-back', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const enc = device.createCommandEncoder({ label: 'device values read-back' });
    enc.copyBufferToBuffer(buffer, offset, staging, 0, 4 * count);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new Float32Array(staging.getMappedRange().slice(0, 4 * count));
  } finally {
    staging.destroy();
  }
}
