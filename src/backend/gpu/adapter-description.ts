/**
 * A GPU adapter as gpuseg describes it (`gpuseg devices`, listDevices()). In a module of its own,
 * without WebGPU types, so that the public declarations need no @webgpu/types (issue 15).
 */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software implementation (e.g. lavapipe): correct, but slower than the CPU backend. */
  isFallback: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  features: string[];
}
