/**
 * torchvision 0.14's MobileNetV2 (torchvision/models/mobilenetv2.py and ops/misc.py's
 * Conv2dNormActivation), written in torchlet as a PyTorch user would port it: same module tree,
 * names, state-dict keys, initialisation and repr.
 */
import * as torch from '../../lib';
import type { Tensor } from '../../lib';

const { nn } = torch;
const F = torch.nn.functional;

/** torchvision's `_make_divisible`: round to a multiple of divisor, never below 90% of v. */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const min = minValue ?? divisor;
  let nv = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (nv < 0.9 * v) nv += divisor;
  return nv;
}

/** torchvision.ops.misc.Conv2dNormActivation with BatchNorm2d and ReLU6 (as MobileNetV2 uses it). */
export class Conv2dNormActivation extends nn.Sequential {
  declare outChannels: number;
  constructor(inChannels: number, outChannels: number, { kernelSize = 3, stride = 1, groups = 1 } = {}) {
    const padding = Math.floor((kernelSize - 1) / 2);
    super(
      new nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding, groups, bias: false }),
      new nn.BatchNorm2d(outChannels),
      new nn.ReLU6(true),
    );
    this.outChannels = outChannels;
  }
}

export class InvertedResidual extends nn.Module<[Tensor], Tensor> {
  declare stride: number;
  declare useResConnect: boolean;
  declare conv: InstanceType<typeof nn.Sequential>;
  declare outChannels: number;
  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    if (stride !== 1 && stride !== 2) throw new RangeError(`stride should be 1 or 2 instead of ${stride}`);
    this.stride = stride;
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: torch.nn.Module<[Tensor], Tensor>[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hidden, { kernelSize: 1 }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, { stride, groups: hidden }),
      new nn.Conv2d(hidden, oup, 1, { stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(oup),
    );
    this.conv = new nn.Sequential(...layers);
    this.outChannels = oup;
  }
  forward(x: Tensor): Tensor {
    return this.useResConnect ? x.add(this.conv(x)) : this.conv(x);
  }
}

export interface MobileNetV2Options {
  numClasses?: number;
  widthMult?: number;
  roundNearest?: number;
  dropout?: number;
}

export class MobileNetV2 extends nn.Module<[Tensor], Tensor> {
  declare lastChannel: number;
  declare features: InstanceType<typeof nn.Sequential>;
  declare classifier: InstanceType<typeof nn.Sequential>;
  constructor({ numClasses = 1000, widthMult = 1.0, roundNearest = 8, dropout = 0.2 }: MobileNetV2Options = {}) {
    super();
    const setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1.0, widthMult), roundNearest);
    const features: torch.nn.Module<[Tensor], Tensor>[] = [new Conv2dNormActivation(3, inputChannel, { stride: 2 })];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1 }));
    this.features = new nn.Sequential(...features);
    this.classifier = new nn.Sequential(new nn.Dropout(dropout), new nn.Linear(this.lastChannel, numClasses));
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaimingNormal_(m.weight, { mode: 'fan_out' });
        if (m.bias) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.ones_(m.weight!);
        nn.init.zeros_(m.bias!);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, 0, 0.01);
        nn.init.zeros_(m.bias!);
      }
    }
  }
  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = F.adaptiveAvgPool2d(x, [1, 1]);
    x = torch.flatten(x, 1);
    return this.classifier(x);
  }
}
