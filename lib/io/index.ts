// Placeholder: torch.save / torch.load (safetensors) are implemented by the training/IO owner.
/* eslint-disable */
export function save(..._args: any[]): any { throw new Error('save: not implemented yet'); }
export function load(..._args: any[]): any { throw new Error('load: not implemented yet'); }
