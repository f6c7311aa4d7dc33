/**
 * torchvision's ResNet-18, ported as a PyTorch user would write it (same module names, so a
 * torchvision state dict loads strictly): BasicBlock with in-place ReLU and `out += identity`.
 */
import { Tensor } from '../../lib/tensor';
import { nn } from '../../lib';

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

export class ResNet18 extends nn.Module<[Tensor], Tensor> {
  conv1 = new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  bn1 = new nn.BatchNorm2d(64);
  relu = new nn.ReLU({ inplace: true });
  maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: nn.Sequential; layer2: nn.Sequential; layer3: nn.Sequential; layer4: nn.Sequential;
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear;
  constructor(numClasses = 1000) {
    super();
    let inplanes = 64;
    const layer = (planes: number, stride: number) => {
      const down = stride !== 1 || inplanes !== planes
        ? new nn.Sequential(new nn.Conv2d(inplanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes))
        : null;
      const blocks = [new BasicBlock(inplanes, planes, stride, down), new BasicBlock(planes, planes)];
      inplanes = planes;
      return new nn.Sequential(...blocks);
    };
    this.layer1 = layer(64, 1);
    this.layer2 = layer(128, 2);
    this.layer3 = layer(256, 2);
    this.layer4 = layer(512, 2);
    this.fc = new nn.Linear(512, numClasses);
  }
  forward(x: Tensor): Tensor {
    x = this.maxpool(this.relu(this.bn1(this.conv1(x))));
    x = this.layer4(this.layer3(this.layer2(this.layer1(x))));
    return this.fc(this.avgpool(x).flatten(1));
  }
}
