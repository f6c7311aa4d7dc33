/** `torch.save` / `torch.load`: weights in and out as safetensors. */
export { save, load, loadMetadata, encode, decode, parseHeader } from './safetensors';
export type { SaveOptions, SafetensorsInfo } from './safetensors';
