/**
 * torchvision's ResNet-18 and ResNet-34 (`torchvision.models.resnet18/34`): the same module tree
 * and names, so a torchvision state dict (`resnet18-f37072fd.pth`) loads strictly. Random weights
 * initialised as torchvision does (kaiming normal, fan_out, for convolutions; BatchNorm 1 / 0).
 */
import { Tensor } from '../tensor';
import * as nn from '../nn';

/** torchvision's BasicBlock: two 3x3 convolutions with batch norm, and the residual add. */
export class BasicBlock extends nn.Module<[Tensor], Tensor> {
  conv1: nn.Conv2d; bn1: nn.BatchNorm2d; relu: nn.ReLU; conv2: nn.Conv2d; bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null;
  constructor(inplanes: number, planes: number, stride = 1, downsample: nn.Sequential | null = null) {
    super();
    this.conv1 = new nn.Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv2 = new nn.Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    this.downsample = downsample;
  }
  forward(x: Tensor): Tensor {
    const identity = this.downsample ? this.downsample(x) : x;
    let out = this.relu(this.bn1(this.conv1(x)));
    out = this.bn2(this.conv2(out));
    out.add_(identity);
    return this.relu(out);
  }
}

/** torchvision's ResNet with BasicBlocks; `layers` blocks per stage ([2, 2, 2, 2]: ResNet-18). */
export class ResNet extends nn.Module<[Tensor], Tensor> {
  conv1 = new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  bn1 = new nn.BatchNorm2d(64);
  relu = new nn.ReLU({ inplace: true });
  maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: nn.Sequential; layer2: nn.Sequential; layer3: nn.Sequential; layer4: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;
  constructor(layers: readonly [number, number, number, number] = [2, 2, 2, 2], numClasses = 1000) {
    super();
    let inplanes = 64;
    const layer = (planes: number, stride: number, count: number) => {
      const down = stride !== 1 || inplanes !== planes
        ? new nn.Sequential(new nn.Conv2d(inplanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes))
        : null;
      const blocks = [new BasicBlock(inplanes, planes, stride, down)];
      inplanes = planes;
      for (let i = 1; i < count; i++) blocks.push(new BasicBlock(planes, planes));
      return new nn.Sequential(...blocks);
    };
    this.layer1 = layer(64, 1, layers[0]);
    this.layer2 = layer(128, 2, layers[1]);
    this.layer3 = layer(256, 2, layers[2]);
    this.layer4 = layer(512, 2, layers[3]);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);  // registered after layer4, as torchvision's
    this.fc = new nn.Linear(512, numClasses);
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) nn.init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      else if (m instanceof nn.BatchNorm2d) { nn.init.ones_(m.weight!); nn.init.zeros_(m.bias!); }
    }
  }
  forward(x: Tensor): Tensor {
    x = this.maxpool(this.relu(this.bn1(this.conv1(x))));
    x = this.layer4(this.layer3(this.layer2(this.layer1(x))));
    return this.fc(this.avgpool(x).flatten(1));
  }
}

/** `torchvision.models.resnet18(num_classes=...)` (random weights; load a state dict for trained ones). */
export function resnet18(opts: { numClasses?: number } = {}): ResNet {
  return new ResNet([2, 2, 2, 2], opts.numClasses ?? 1000);
}

/** `torchvision.models.resnet34(num_classes=...)`. */
export function resnet34(opts: { numClasses?: number } = {}): ResNet {
  return new ResNet([3, 4, 6, 3], opts.numClasses ?? 1000);
}
