// Op codes shared with lib/native.ts (the TS side mirrors these numbers; test/native/opcodes.test.ts
// checks the two lists agree).
#pragma once

namespace torchlet {

enum UnaryOp : int {
  kNeg = 0,
  kExp = 1,
  kLog = 2,
  kSqrt = 3,
  kAbs = 4,
  kRelu = 5,
  kSigmoid = 6,
  kTanh = 7,
  kSquare = 8,
  kReciprocal = 9,
  kSign = 10,
  kUnaryCount = 11
};

enum BinaryOp : int {
  kAdd = 0,
  kSub = 1,
  kMul = 2,
  kDiv = 3,
  kPow = 4,
  kMaximum = 5,
  kMinimum = 6,
  kEq = 7,
  kGt = 8,
  kLt = 9,
  kGe = 10,
  kLe = 11,
  kNe = 12,
  kBinaryCount = 13
};

enum ReduceOp : int { kSum = 0, kMean = 1, kMax = 2, kMin = 3, kReduceCount = 4 };

}  // namespace torchlet
