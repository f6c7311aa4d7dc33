// Placeholder: implemented by its owner (see the issue); exports fixed so lib/index.ts compiles.
/* eslint-disable */
export function maxPool2d(..._args: any[]): any { throw new Error('maxPool2d: not implemented yet'); }
export function avgPool2d(..._args: any[]): any { throw new Error('avgPool2d: not implemented yet'); }
export function adaptiveAvgPool2d(..._args: any[]): any { throw new Error('adaptiveAvgPool2d: not implemented yet'); }
export function adaptiveMaxPool2d(..._args: any[]): any { throw new Error('adaptiveMaxPool2d: not implemented yet'); }
