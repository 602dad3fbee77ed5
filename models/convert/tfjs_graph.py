"""Convert a TensorFlow.js graph model (model.json + weight shards) to ONNX.

TF.js graph models store a TensorFlow GraphDef as JSON in NHWC layout. The ONNX graph written here
is NCHW, because that is what OpenCV's DNN module runs natively: convolution filters are
transposed once at conversion time, and tensors go back to NHWC only right before a Reshape, so
the flattening order matches TensorFlow's. The supported operators are the ones MediaPipe's
BlazeFace graphs use; any other operator stops the conversion with its name.
"""

import base64
import json
import os

import numpy as np

from onnx_graph import GraphBuilder

# TF.js weight dtypes and their numpy equivalents.
_DTYPES = {"float32": np.float32, "int32": np.int32}


def _read_file(path):
    with open(path, "rb") as f:
        return f.read()


def load_weights(model_dir, manifest):
    """Returns {name: numpy array} for every weight listed in the model's weightsManifest."""
    weights = {}
    for group in manifest:
        data = b"".join(_read_file(os.path.join(model_dir, p)) for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            quant = spec.get("quantization")
            if quant:
                qtype = np.dtype(quant["dtype"])
                raw = np.frombuffer(data, qtype, count, offset).astype(np.float32)
                offset += count * qtype.itemsize
                value = raw * quant["scale"] + quant["min"]
            else:
                dtype = np.dtype(_DTYPES[spec["dtype"]])
                value = np.frombuffer(data, dtype, count, offset)
                offset += count * dtype.itemsize
            weights[spec["name"]] = np.array(value).reshape(spec["shape"])
        if offset != len(data):
            raise ValueError(f"tfjs: weight shards of {group['paths']} have {len(data)} bytes, "
                             f"the manifest describes {offset}")
    return weights


def decode_attr(attr):
    """Returns a plain Python value for one GraphDef attribute in TF.js JSON form."""
    if "s" in attr:
        return base64.b64decode(attr["s"]).decode()
    if "i" in attr:
        return int(attr["i"])
    if "f" in attr:
        return float(attr["f"])
    if "b" in attr:
        return bool(attr["b"])
    if "list" in attr:
        values = attr["list"]
        if "s" in values:
            return [base64.b64decode(s).decode() for s in values["s"]]
        if "i" in values:
            return [int(i) for i in values["i"]]
        return []
    if "shape" in attr:
        return [int(d["size"]) for d in attr["shape"].get("dim", [])]
    return attr


def same_padding(in_size, kernel, stride):
    """Returns (before, after) padding of TensorFlow's SAME rule, which puts the odd pixel after."""
    out_size = -(-in_size // stride)
    total = max((out_size - 1) * stride + kernel - in_size, 0)
    return total // 2, total - total // 2


def topological_order(nodes):
    by_name = {n["name"]: n for n in nodes}
    order, state = [], {}

    def visit(name):
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError(f"tfjs: cycle at node {name}")
        state[name] = 1
        for inp in by_name[name].get("input", []):
            visit(inp.split(":")[0].lstrip("^"))
        state[name] = 2
        order.append(by_name[name])

    for n in nodes:
        visit(n["name"])
    return order


class TfjsConverter:
    """Walks a TF.js GraphDef and emits the NCHW ONNX graph, tracking each tensor's NCHW shape."""

    def __init__(self, model_json_path, name, variable_height=False):
        """With variable_height the model also accepts inputs less tall than declared (any
        height with the same layer shapes at the bottom edge, e.g. multiples of 32 for
        BlazeFace): each Reshape keeps the batch and infers its second axis, which then grows
        with the height. The input keeps its declared height, because OpenCV 4.6 fails on
        batches above 1 when the input height is left symbolic."""
        self.variable_height = variable_height
        with open(model_json_path) as f:
            self.model = json.load(f)
        model_dir = os.path.dirname(model_json_path)
        self.weights = load_weights(model_dir, self.model["weightsManifest"])
        self.graph = GraphBuilder(name)
        self.tensors = {}  # TF node name -> (ONNX tensor name, NCHW shape)

    def convert(self, outputs):
        """Builds the ONNX model. outputs maps ONNX output names to lists of TF node names; a list
        of several nodes is concatenated along axis 1 (the anchor axis of detector heads)."""
        nodes = self.model["modelTopology"]["node"]
        for node in topological_order(nodes):
            self._emit(node)
        onnx_outputs = []
        for out_name, sources in outputs.items():
            parts = [self._resolve(s) for s in sources]
            names = [p[0] for p in parts]
            shape = list(parts[0][1])
            shape[1] = sum(p[1][1] for p in parts)
            if len(names) == 1:
                self.graph.nodes.append(_identity(names[0], out_name))
            else:
                self.graph.nodes.append(_concat(names, out_name, axis=1))
            if self.variable_height:
                shape[1] = "rows"
            onnx_outputs.append((out_name, ["N"] + shape[1:]))
        inputs = [(self.input_name, ["N"] + self.input_shape[1:])]
        return self.graph.build(inputs, onnx_outputs)

    def _resolve(self, tf_name):
        return self.tensors[tf_name.split(":")[0]]

    def _emit(self, node):
        op = node["op"]
        handler = getattr(self, "_op_" + op.lstrip("_"), None)
        if handler is None:
            raise ValueError(f"tfjs: unsupported operator {op} at node {node['name']}")
        handler(node, {k: decode_attr(v) for k, v in node.get("attr", {}).items()})

    def _op_Const(self, node, attrs):
        pass  # read lazily from self.weights by the consumer

    def _op_Placeholder(self, node, attrs):
        n, h, w, c = attrs["shape"]
        self.input_name = "input"
        self.input_shape = [n, c, h, w]
        self.tensors[node["name"]] = ("input", [n, c, h, w])

    def _op_Identity(self, node, attrs):
        self.tensors[node["name"]] = self._resolve(node["input"][0])

    def _conv(self, node, attrs, filters, group, bias_name=None, fused=()):
        src, shape = self._resolve(node["input"][0])
        _, c, h, w = shape
        kh, kw = filters.shape[2], filters.shape[3]
        stride = attrs["strides"][1:3]
        if attrs.get("dilations", [1, 1, 1, 1]) != [1, 1, 1, 1]:
            raise ValueError(f"tfjs: dilated convolution at {node['name']} is not supported")
        pads = [0, 0, 0, 0]
        if attrs["padding"] == "SAME":
            top, bottom = same_padding(h, kh, stride[0])
            left, right = same_padding(w, kw, stride[1])
            pads = [top, left, bottom, right]
        inputs = [src, self.graph.const(node["name"] + "/W", filters)]
        if bias_name is not None:
            inputs.append(self.graph.const(node["name"] + "/B", self.weights[bias_name]))
        out = self.graph.op("Conv", inputs, node["name"], kernel_shape=[kh, kw],
                            strides=list(stride), pads=pads, group=group)
        for fused_op in fused:
            if fused_op == "Relu":
                out = self.graph.op("Relu", [out], node["name"] + "/Relu")
            elif fused_op != "BiasAdd":
                raise ValueError(f"tfjs: fused operator {fused_op} at {node['name']} unsupported")
        out_h = (h + pads[0] + pads[2] - kh) // stride[0] + 1
        out_w = (w + pads[1] + pads[3] - kw) // stride[1] + 1
        self.tensors[node["name"]] = (out, [shape[0], filters.shape[0], out_h, out_w])

    def _op_FusedConv2D(self, node, attrs):
        # HWIO -> OIHW
        filters = self.weights[node["input"][1]].transpose(3, 2, 0, 1)
        self._conv(node, attrs, filters, 1, node["input"][2], attrs.get("fused_ops", []))

    def _op_Conv2D(self, node, attrs):
        filters = self.weights[node["input"][1]].transpose(3, 2, 0, 1)
        self._conv(node, attrs, filters, 1)

    def _op_DepthwiseConv2dNative(self, node, attrs):
        # [H, W, C, M] -> [C*M, 1, H, W] with one group per input channel
        raw = self.weights[node["input"][1]]
        kh, kw, c, m = raw.shape
        filters = raw.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw)
        self._conv(node, attrs, filters, c)

    def _op_AddV2(self, node, attrs):
        (a, shape_a), (b, _) = (self._resolve(i) for i in node["input"])
        self.tensors[node["name"]] = (self.graph.op("Add", [a, b], node["name"]), shape_a)

    _op_Add = _op_AddV2

    def _op_Relu(self, node, attrs):
        src, shape = self._resolve(node["input"][0])
        self.tensors[node["name"]] = (self.graph.op("Relu", [src], node["name"]), shape)

    def _op_MaxPool(self, node, attrs):
        src, shape = self._resolve(node["input"][0])
        n, c, h, w = shape
        kh, kw = attrs["ksize"][1:3]
        sh, sw = attrs["strides"][1:3]
        pads = [0, 0, 0, 0]
        if attrs["padding"] == "SAME":
            top, bottom = same_padding(h, kh, sh)
            left, right = same_padding(w, kw, sw)
            pads = [top, left, bottom, right]
        if any(pads):
            # Padding with -inf is what TensorFlow's SAME max pooling means; no graph here needs it.
            raise ValueError(f"tfjs: padded max pooling at {node['name']} is not supported")
        out = self.graph.op("MaxPool", [src], node["name"], kernel_shape=[kh, kw],
                            strides=[sh, sw], pads=pads)
        self.tensors[node["name"]] = (out, [n, c, (h - kh) // sh + 1, (w - kw) // sw + 1])

    def _op_Pad(self, node, attrs):
        src, shape = self._resolve(node["input"][0])
        paddings = self.weights[node["input"][1]]  # NHWC rows of (before, after)
        nchw = paddings[[0, 3, 1, 2]]
        pads = [int(v) for v in list(nchw[:, 0]) + list(nchw[:, 1])]
        out = self.graph.op("Pad", [src, self.graph.const(node["name"] + "/pads", pads)],
                            node["name"], mode="constant")
        new_shape = [d + int(b) + int(a) for d, (b, a) in zip(shape, nchw)]
        self.tensors[node["name"]] = (out, new_shape)

    def _op_Reshape(self, node, attrs):
        src, shape = self._resolve(node["input"][0])
        target = [int(v) for v in self.weights[node["input"][1]]]
        if len(shape) == 4:
            # Back to NHWC first so the flattened order is TensorFlow's.
            src = self.graph.op("Transpose", [src], node["name"] + "/nhwc", perm=[0, 2, 3, 1])
        if self.variable_height and len(target) > 2:
            target = [0, -1] + target[2:]  # 0 keeps the batch, which OpenCV 4.6 accepts
        else:
            target[0] = -1  # keep the batch dynamic
        out = self.graph.op("Reshape", [src, self.graph.const(node["name"] + "/shape", target)],
                            node["name"])
        self.tensors[node["name"]] = (out, [shape[0]] + target[1:])


def _identity(src, dst):
    from onnx import helper
    return helper.make_node("Identity", [src], [dst])


def _concat(srcs, dst, axis):
    from onnx import helper
    return helper.make_node("Concat", srcs, [dst], axis=axis)
