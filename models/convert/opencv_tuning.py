"""Rewrites converted ONNX graphs into equivalent forms that OpenCV 4.6's CPU backend runs faster.

Four rewrites, all equivalent (outputs agree to float rounding, about 1e-5 on these models):

1. A zero constant Pad that only pads height and width and feeds only a Conv is folded into the
   Conv's own pads (OpenCV accepts different begin and end pads on a Conv).

2. OpenCV 4.6 runs a depthwise convolution whose output is narrower than 18 columns on a slow
   general path. Measured on this machine, a 3x3 depthwise layer over 256 channels of 14x14 took
   0.45 to 0.68 ms, and the same layer with 18 output columns 0.11 ms. (The limit of 18 was found
   by timing widths 12 to 32; OpenCV does not document it.) Such a layer gets extra zero padding
   on the right, so that it computes 18 columns, and a Slice keeps the real ones. They are
   unchanged, because the extra columns read only padding. Extra padding on the left as well
   would push the layer back onto the slow path. When the convolution's only consumer is a Relu
   or PRelu, the Slice goes after it so that OpenCV still fuses the activation into the
   convolution.

3. A residual block, relu(x + 1x1 conv(3x3 depthwise conv(x))) with the same channel count
   throughout, becomes one menjin.SeparableResidualBlock node (menjin_layers.py), which menjin's
   C++ layer runs in one pass over x. In OpenCV the three layers each stream a whole tensor
   through memory, so a 24x96x128 block of BlazeFace took 0.74 ms as three layers and 0.26 ms
   fused here.

4. Every other 3x3 depthwise convolution, with the PRelu after it when it has one, becomes a
   menjin.Depthwise3x3 node. OpenCV's importer splits a convolution with uneven padding
   (TensorFlow's stride-2 "SAME") into a Padding layer and a convolution, and narrow outputs
   need rewrite 2 with its Slice. The menjin layer pads in cache and computes only the real
   columns: 128 channels of 56x56 at stride 2 took 0.17 ms against 0.36 ms, and 256 channels of
   14x14 0.054 ms against 0.20 ms with the widening.

Only menjin (or cv2 after menjin_layers.register_with_opencv) can read a graph with rewrites 3
or 4, so the manifest lists the custom layers the model needs.

The widening needs the width of every depthwise output, so the model's input width must be
fixed; its height and batch may vary.
"""

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

import menjin_layers

# Narrowest depthwise output, in columns, that OpenCV 4.6 runs on its fast path (measured).
FAST_DEPTHWISE_MIN_WIDTH = 18


def _attribute(node, name, default):
    for attribute in node.attribute:
        if attribute.name == name:
            return helper.get_attribute_value(attribute)
    return default


def _set_attribute(node, name, value):
    for index, attribute in enumerate(node.attribute):
        if attribute.name == name:
            del node.attribute[index]
            break
    node.attribute.append(helper.make_attribute(name, value))


def _consumers(graph):
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    return consumers


def _initialisers(graph):
    return {tensor.name: tensor for tensor in graph.initializer}


def fold_pads_into_convs(model):
    """Folds spatial zero Pads that feed only a Conv into the Conv's pads. Returns the count."""
    graph = model.graph
    consumers = _consumers(graph)
    constants = _initialisers(graph)
    graph_outputs = {output.name for output in graph.output}
    folded = 0
    for pad in list(graph.node):
        if pad.op_type != "Pad" or _attribute(pad, "mode", b"constant") not in (b"constant", "constant"):
            continue
        if len(pad.input) > 2 and pad.input[2]:
            value = constants.get(pad.input[2])
            if value is None or np.any(numpy_helper.to_array(value) != 0):
                continue
        amounts = constants.get(pad.input[1]) if len(pad.input) > 1 else None
        users = consumers.get(pad.output[0], [])
        if amounts is None or len(users) != 1 or users[0].op_type != "Conv" or pad.output[0] in graph_outputs:
            continue
        pads = [int(v) for v in numpy_helper.to_array(amounts)]
        if len(pads) != 8 or any(pads[i] for i in (0, 1, 4, 5)) or min(pads) < 0:
            continue  # pads batch or channels, or crops
        conv = users[0]
        if _attribute(conv, "auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            continue
        top, left, bottom, right = _attribute(conv, "pads", [0, 0, 0, 0])
        _set_attribute(conv, "pads", [top + pads[2], left + pads[3], bottom + pads[6], right + pads[7]])
        conv.input[0] = pad.input[0]
        graph.node.remove(pad)
        folded += 1
    return folded


def _shapes(model):
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        shapes[info.name] = [d.dim_value if d.HasField("dim_value") else None
                             for d in info.type.tensor_type.shape.dim]
    return shapes


def widen_narrow_depthwise(model, shapes=None):
    """Pads narrow depthwise convolutions on the right up to the fast width and slices the real
    columns back. Returns the number of convolutions widened. `shapes` maps tensor names to
    shapes. By default ONNX shape inference computes them, and it cannot see through menjin's
    own operators."""
    graph = model.graph
    shapes = shapes or _shapes(model)
    constants = _initialisers(graph)
    consumers = _consumers(graph)
    widened = 0
    for conv in list(graph.node):
        if conv.op_type != "Conv":
            continue
        weights = constants.get(conv.input[1])
        in_shape = shapes.get(conv.input[0])
        out_shape = shapes.get(conv.output[0])
        if weights is None or not in_shape or not out_shape or len(out_shape) != 4:
            continue
        channels, width = in_shape[1], out_shape[3]
        group = _attribute(conv, "group", 1)
        if channels is None or group == 1 or group != channels or weights.dims[0] != channels:
            continue
        # A layer that reduces a whole row to one column is fast enough as it is.
        if width is None or width <= 1 or width >= FAST_DEPTHWISE_MIN_WIDTH:
            continue
        top, left, bottom, right = _attribute(conv, "pads", [0, 0, 0, 0])
        stride = _attribute(conv, "strides", [1, 1])[1]
        _set_attribute(conv, "pads", [top, left, bottom, right + (FAST_DEPTHWISE_MIN_WIDTH - width) * stride])

        # Slice after a lone activation so that OpenCV can still fuse it into the convolution.
        last = conv
        users = consumers.get(conv.output[0], [])
        if len(users) == 1 and users[0].op_type in ("Relu", "PRelu"):
            last = users[0]
        original = last.output[0]
        wide = original + "/wide"
        last.output[0] = wide
        if last is not conv:
            last.input[0] = conv.output[0]
        names = [original + suffix for suffix in ("/starts", "/ends", "/axes")]
        for name, value in zip(names, ([0], [width], [3])):
            graph.initializer.append(numpy_helper.from_array(np.array(value, np.int64), name))
        position = list(graph.node).index(last) + 1
        graph.node.insert(position, helper.make_node("Slice", [wide] + names, [original], name=original + "/slice"))
        widened += 1
    return widened


def _is_conv(node, constants, kernel, group_of_channels):
    """True for a Conv with constant weights of `kernel` size, stride 1 and no dilation, that is
    depthwise (group_of_channels) or ungrouped."""
    if node.op_type != "Conv" or node.input[1] not in constants:
        return False
    if len(node.input) > 2 and node.input[2] and node.input[2] not in constants:
        return False
    dims = list(constants[node.input[1]].dims)
    group = _attribute(node, "group", 1)
    if len(dims) != 4 or dims[2:] != [kernel, kernel]:
        return False
    if group_of_channels != (group == dims[0] and dims[1] == 1 and group > 1):
        return False
    if not group_of_channels and group != 1:
        return False
    padding = [kernel // 2] * 4
    return (_attribute(node, "strides", [1, 1]) == [1, 1]
            and _attribute(node, "dilations", [1, 1]) == [1, 1]
            and _attribute(node, "pads", [0, 0, 0, 0]) == padding
            and _attribute(node, "auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET"))


def _bias_of(node, channels, graph, constants):
    """Name of the Conv's bias, adding a zero initialiser when it has none."""
    if len(node.input) > 2 and node.input[2]:
        return node.input[2]
    name = node.output[0] + "/zero_bias"
    if name not in constants:
        graph.initializer.append(numpy_helper.from_array(np.zeros(channels, np.float32), name))
    return name


def fuse_separable_residual_blocks(model):
    """Replaces each relu(x + pointwise(depthwise(x))) block by one SeparableResidualBlock node.
    Returns the number of blocks fused."""
    graph = model.graph
    constants = _initialisers(graph)
    consumers = _consumers(graph)
    graph_outputs = {output.name for output in graph.output}

    def only_user(node, op_type):
        users = consumers.get(node.output[0], [])
        if len(users) != 1 or users[0].op_type != op_type or node.output[0] in graph_outputs:
            return None
        return users[0]

    fused = 0
    for depthwise in list(graph.node):
        if not _is_conv(depthwise, constants, 3, True):
            continue
        pointwise = only_user(depthwise, "Conv")
        if pointwise is None or not _is_conv(pointwise, constants, 1, False):
            continue
        channels = constants[depthwise.input[1]].dims[0]
        if list(constants[pointwise.input[1]].dims) != [channels, channels, 1, 1]:
            continue
        add = only_user(pointwise, "Add")
        x = depthwise.input[0]
        if add is None or sorted(add.input) != sorted([x, pointwise.output[0]]):
            continue
        relu = only_user(add, "Relu")
        if relu is None:
            continue
        block = helper.make_node(
            menjin_layers.SEPARABLE_RESIDUAL_BLOCK,
            [x, depthwise.input[1], _bias_of(depthwise, channels, graph, constants),
             pointwise.input[1], _bias_of(pointwise, channels, graph, constants)],
            [relu.output[0]], name=relu.output[0] + "/fused_block", domain=menjin_layers.DOMAIN)
        position = list(graph.node).index(depthwise)
        for node in (depthwise, pointwise, add, relu):
            graph.node.remove(node)
        graph.node.insert(position, block)
        consumers = _consumers(graph)
        fused += 1
    return fused


def _channel_slopes(node, channels, constants):
    """True for a PRelu whose constant slope has one value per channel of an NCHW tensor."""
    if node.op_type != "PRelu" or node.input[1] not in constants:
        return False
    dims = list(constants[node.input[1]].dims)
    return dims in ([channels, 1, 1], [1, channels, 1, 1])


def replace_depthwise_convs(model):
    """Replaces 3x3 depthwise convolutions (and a PRelu that alone follows one) by
    Depthwise3x3 nodes. Returns the number replaced."""
    graph = model.graph
    constants = _initialisers(graph)
    consumers = _consumers(graph)
    graph_outputs = {output.name for output in graph.output}
    replaced = 0
    for conv in list(graph.node):
        if conv.op_type != "Conv" or conv.input[1] not in constants:
            continue
        if len(conv.input) > 2 and conv.input[2] and conv.input[2] not in constants:
            continue
        dims = list(constants[conv.input[1]].dims)
        group = _attribute(conv, "group", 1)
        if len(dims) != 4 or dims[1:] != [1, 3, 3] or group != dims[0] or group < 2:
            continue
        strides = list(_attribute(conv, "strides", [1, 1]))
        pads = list(_attribute(conv, "pads", [0, 0, 0, 0]))
        if (strides not in ([1, 1], [2, 2]) or len(pads) != 4 or not all(0 <= p <= 2 for p in pads)
                or list(_attribute(conv, "dilations", [1, 1])) != [1, 1]
                or _attribute(conv, "auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")):
            continue
        channels = dims[0]
        inputs = [conv.input[0], conv.input[1], _bias_of(conv, channels, graph, constants)]
        last = conv
        users = consumers.get(conv.output[0], [])
        if (len(users) == 1 and conv.output[0] not in graph_outputs
                and _channel_slopes(users[0], channels, constants)):
            last = users[0]
            inputs.append(last.input[1])
        node = helper.make_node(menjin_layers.DEPTHWISE_3X3, inputs, [last.output[0]],
                                name=last.output[0] + "/depthwise", domain=menjin_layers.DOMAIN,
                                strides=strides, pads=pads)
        position = list(graph.node).index(conv)
        graph.node.remove(conv)
        if last is not conv:
            graph.node.remove(last)
        graph.node.insert(position, node)
        consumers = _consumers(graph)
        replaced += 1
    return replaced


def _declare_domain(model):
    """Adds the menjin domain to the model's opsets when a node uses it."""
    if any(node.domain == menjin_layers.DOMAIN for node in model.graph.node) and not any(
            opset.domain == menjin_layers.DOMAIN for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid(menjin_layers.DOMAIN, menjin_layers.DOMAIN_VERSION))


def custom_layers(model):
    """Returns the OpenCV layer types of menjin's own operators that `model` uses, sorted."""
    return sorted({menjin_layers.opencv_type(node.op_type) for node in model.graph.node
                   if node.domain == menjin_layers.DOMAIN})


def tune(model):
    """Applies the rewrites in place, checks the model and returns the number of each."""
    folded = fold_pads_into_convs(model)
    shapes = _shapes(model)  # taken first, because shape inference cannot see through fused nodes
    fused = fuse_separable_residual_blocks(model)
    replaced = replace_depthwise_convs(model)
    widened = widen_narrow_depthwise(model, shapes)
    _declare_domain(model)
    onnx.checker.check_model(model)
    return {"pads_folded": folded, "residual_blocks_fused": fused, "depthwise_replaced": replaced,
            "depthwise_widened": widened}
