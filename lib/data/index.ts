/**
 * `torch.utils.data`: datasets, the DataLoader, and the IDX reader for MNIST-style files.
 * @example
 * const { TensorDataset, DataLoader } = torch.utils.data;
 * for (const [x, y] of new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true })) { ... }
 */
export { TensorDataset, DataLoader, Subset, randomSplit, defaultCollate } from './dataset';
export type { Dataset, DataLoaderOptions } from './dataset';
export { readIdx, parseIdx } from './idx';
