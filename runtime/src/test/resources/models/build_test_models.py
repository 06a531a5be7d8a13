"""Tiny ONNX models for runtime tests only (not samples: nothing serves or benchmarks them).

Each one makes ONNX Runtime do something no sample model does, to test the runtime's safety paths
for reused tensors with pinned outputs (dev.starling.runtime.model.CallSlot):

- passthrough.onnx: x [N,4] -> squared = x*x [N,4], and x itself as a second graph output. ONNX
  Runtime hands a graph output that is a graph input back as the input's value and leaves a
  pre-allocated output buffer for it untouched ("produced elsewhere").
- tiled.onnx: x [N,4] -> y = Tile(x, [2,1]), declared [N,4] but really [2N,4]. A call with the
  output pinned at [N,4] fails (shape verification), a call without pinned outputs succeeds.

Run with the pinned toolchain of samples/models (onnx==1.19.1, see its requirements.txt):
    samples/models/build.sh --script runtime/src/test/resources/models/build_test_models.py
The output is byte-for-byte reproducible with that onnx version.
"""

import os

import onnx
from onnx import TensorProto, helper

OPSET = 17  # ONNX Runtime 1.23 (the runtime's) loads opsets up to 23
IR_VERSION = 8
HERE = os.path.dirname(os.path.abspath(__file__))


def floats(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def save(name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        producer_name="starling-test-models",
    )
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(HERE, name + ".onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print("wrote", path)


def main():
    save(
        "passthrough",
        [helper.make_node("Mul", ["x", "x"], ["squared"])],
        [floats("x", ["N", 4])],
        [floats("squared", ["N", 4]), floats("x", ["N", 4])],
    )
    save(
        "tiled",
        [helper.make_node("Tile", ["x", "repeats"], ["y"])],
        [floats("x", ["N", 4])],
        [floats("y", ["N", 4])],
        [helper.make_tensor("repeats", TensorProto.INT64, [2], [2, 1])],
    )


if __name__ == "__main__":
    main()
