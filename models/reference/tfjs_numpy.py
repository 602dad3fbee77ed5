"""Reference executor for TF.js graph models, written in numpy and independent of the converter.

It runs the GraphDef exactly as TensorFlow defines each operator, in NHWC layout, and reads the
weights itself. The converter parity test compares OpenCV's output on the converted ONNX model
with this executor, so a mistake in the converter's layout or padding handling shows up as a
mismatch instead of being repeated here.
"""

import base64
import json
import os

import numpy as np


def _read_file(path):
    with open(path, "rb") as f:
        return f.read()


def _read_weights(model_dir, manifest):
    values = {}
    for group in manifest:
        blob = b"".join(_read_file(os.path.join(model_dir, p)) for p in group["paths"])
        pos = 0
        for spec in group["weights"]:
            size = int(np.prod(spec["shape"], dtype=np.int64))
            if "quantization" in spec:
                q = spec["quantization"]
                item = np.dtype(q["dtype"]).itemsize
                raw = np.frombuffer(blob[pos:pos + size * item], q["dtype"]).astype(np.float64)
                arr = raw * q["scale"] + q["min"]
            else:
                item = 4
                arr = np.frombuffer(blob[pos:pos + size * item],
                                    np.float32 if spec["dtype"] == "float32" else np.int32)
            pos += size * item
            values[spec["name"]] = np.asarray(arr).reshape(spec["shape"])
    return values


def _attr(node, key):
    raw = node.get("attr", {}).get(key)
    if raw is None:
        return None
    if "s" in raw:
        return base64.b64decode(raw["s"]).decode()
    if "list" in raw:
        lst = raw["list"]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        return [base64.b64decode(v).decode() for v in lst.get("s", [])]
    return raw


def _pad_same(x, kh, kw, sh, sw, fill=0.0):
    """Pads an NHWC tensor as TensorFlow's SAME rule does (the extra pixel goes after)."""
    _, h, w, _ = x.shape
    ph = max((-(-h // sh) - 1) * sh + kh - h, 0)
    pw = max((-(-w // sw) - 1) * sw + kw - w, 0)
    return np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)),
                  constant_values=fill)


def _windows(x, kh, kw, sh, sw):
    """Returns strided views [N, OH, OW, KH, KW, C] of every kernel window."""
    n, h, w, c = x.shape
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, oh, ow, kh, kw, c), (s[0], s[1] * sh, s[2] * sw, s[1], s[2], s[3]))


def conv2d(x, filters, strides, padding):
    kh, kw = filters.shape[:2]
    if padding == "SAME":
        x = _pad_same(x, kh, kw, strides[0], strides[1])
    win = _windows(x, kh, kw, strides[0], strides[1])
    return np.einsum("nhwijc,ijco->nhwo", win, filters)


def depthwise_conv2d(x, filters, strides, padding):
    kh, kw, c, m = filters.shape
    if padding == "SAME":
        x = _pad_same(x, kh, kw, strides[0], strides[1])
    win = _windows(x, kh, kw, strides[0], strides[1])
    out = np.einsum("nhwijc,ijcm->nhwcm", win, filters)
    return out.reshape(out.shape[0], out.shape[1], out.shape[2], c * m)


def max_pool(x, ksize, strides, padding):
    if padding == "SAME":
        x = _pad_same(x, ksize[0], ksize[1], strides[0], strides[1], fill=-np.inf)
    return _windows(x, ksize[0], ksize[1], strides[0], strides[1]).max(axis=(3, 4))


class TfjsReference:
    """Executes one TF.js graph model on NHWC float inputs."""

    def __init__(self, model_json_path):
        with open(model_json_path) as f:
            model = json.load(f)
        self.nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
        self.weights = _read_weights(os.path.dirname(model_json_path), model["weightsManifest"])

    def run(self, nhwc, outputs):
        """Returns {name: array} for the requested node names, computed in float64."""
        cache = {}

        def value(name):
            name = name.split(":")[0]
            if name not in cache:
                cache[name] = self._eval(self.nodes[name], value, nhwc)
            return cache[name]

        return {name: value(name) for name in outputs}

    def _eval(self, node, value, feed):
        op, ins = node["op"], node.get("input", [])
        if op == "Placeholder":
            return feed.astype(np.float64)
        if op == "Const":
            return self.weights[node["name"]]
        if op == "Identity":
            return value(ins[0])
        strides = (_attr(node, "strides") or [1, 1, 1, 1])[1:3]
        padding = _attr(node, "padding")
        if op in ("_FusedConv2D", "Conv2D"):
            out = conv2d(value(ins[0]), value(ins[1]), strides, padding)
            fused = _attr(node, "fused_ops") or []
            if "BiasAdd" in fused:
                out = out + value(ins[2])
            if "Relu" in fused:
                out = np.maximum(out, 0)
            return out
        if op == "DepthwiseConv2dNative":
            return depthwise_conv2d(value(ins[0]), value(ins[1]), strides, padding)
        if op in ("AddV2", "Add"):
            return value(ins[0]) + value(ins[1])
        if op == "Relu":
            return np.maximum(value(ins[0]), 0)
        if op == "MaxPool":
            return max_pool(value(ins[0]), _attr(node, "ksize")[1:3], strides, padding)
        if op == "Pad":
            return np.pad(value(ins[0]), value(ins[1]).astype(np.int64))
        if op == "Reshape":
            x = value(ins[0])
            shape = [int(v) for v in value(ins[1])]
            if len(shape) == 3:
                # Detector heads: keep the batch and let the anchor count follow the input
                # height, so the graph also runs on inputs less tall than it was made for.
                return x.reshape([x.shape[0], -1, shape[2]])
            shape[0] = -1
            return x.reshape(shape)
        raise ValueError(f"reference: operator {op} not implemented")
