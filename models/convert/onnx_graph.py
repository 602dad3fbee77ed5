"""Small builder for ONNX graphs that OpenCV 4.6's ONNX importer accepts.

The converters in this folder emit only operators and forms that cv::dnn::readNetFromONNX in
OpenCV 4.6 loads. It rejects Clip with min/max inputs, Gemm with transB=0 plus a bias, Max/Min
against a constant, LpNormalization, opset-13 Squeeze and linear Upsample, so the converters use
the older or equivalent forms (Relu, MatMul + Add, explicit Pad, opset 11).
"""

import hashlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 11


class GraphBuilder:
    """Collects nodes and initialisers and assigns unique tensor names."""

    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.initializers = []
        self._used_names = set()

    def unique(self, base):
        name = base
        index = 1
        while name in self._used_names:
            name = f"{base}_{index}"
            index += 1
        self._used_names.add(name)
        return name

    def const(self, base, array):
        """Adds a float32 (or int64 for integer arrays) initialiser and returns its name."""
        array = np.asarray(array)
        if np.issubdtype(array.dtype, np.integer):
            array = array.astype(np.int64)
        else:
            array = array.astype(np.float32)
        name = self.unique(base)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, inputs, base=None, **attrs):
        """Adds one node with a single output and returns the output name."""
        output = self.unique(base or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], **attrs))
        return output

    def build(self, inputs, outputs, doc=""):
        """Returns a checked ModelProto.

        inputs and outputs are lists of (name, shape) pairs with float32 element type.
        """
        graph = helper.make_graph(
            self.nodes,
            self.name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
            initializer=self.initializers,
        )
        model = helper.make_model(
            graph,
            producer_name="menjin-convert",
            opset_imports=[helper.make_opsetid("", OPSET)],
            doc_string=doc,
        )
        model.ir_version = 7
        onnx.checker.check_model(model)
        return model


def save(model, path):
    """Writes `model` to `path` and returns the sha256 hex digest of the written bytes."""
    data = model.SerializeToString()
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()
