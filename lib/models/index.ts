/** `torch.models`: torchvision's reference architectures, ported with the same module names. */
export { BasicBlock, ResNet, resnet18, resnet34 } from './resnet';
