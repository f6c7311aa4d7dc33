// Placeholder: TensorDataset, DataLoader, IDX reader go here.
export {};
