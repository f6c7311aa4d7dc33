// Placeholder: the nn.Module owner replaces this barrel (keep the functional/init/loss exports).
import * as functional from '../functional';
export { functional };
export * from './modules/loss';
