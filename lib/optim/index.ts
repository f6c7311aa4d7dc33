// Placeholder: optimisers and LR schedulers go here.
export {};
