'use strict';
/** The LeNet-5 of the MNIST example (examples/mnist) and the serving example (examples/serve). */
const torch = require('../..');

const { nn } = torch;

class LeNet extends nn.Module {
  constructor() {
    super();
    this.c1 = new nn.Conv2d(1, 6, 5, { padding: 2 });  // 6 x 28 x 28
    this.s2 = new nn.MaxPool2d(2);                    // 6 x 14 x 14 (used after c3 too)
    this.c3 = new nn.Conv2d(6, 16, 5);                // 16 x 10 x 10 -> pool 16 x 5 x 5
    this.flatten = new nn.Flatten();
    this.f5 = new nn.Linear(16 * 5 * 5, 120);
    this.f6 = new nn.Linear(120, 84);
    this.f7 = new nn.Linear(84, 10);
    this.act = new nn.ReLU();
  }

  forward(x) {
    x = this.s2(this.act(this.c1(x)));
    x = this.s2(this.act(this.c3(x)));
    x = this.flatten(x);
    x = this.act(this.f5(x));
    x = this.act(this.f6(x));
    return this.f7(x);
  }
}

module.exports = { LeNet };
