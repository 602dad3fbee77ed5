"""Read TensorFlow Lite FlatBuffer models with only the standard library and numpy.

Neither the `tflite` nor the `flatbuffers` Python package is available on the build machines, so
this module decodes the FlatBuffer wire format by hand. The schema is TensorFlow's
tensorflow/compiler/mlir/lite/schema/schema.fbs (file identifier "TFL3"). This module reads the
parts that the converters and the numpy reference need: subgraphs, tensors with their constant
data and quantization, operators with the builtin options of common float ops, operator codes
and buffers.

FlatBuffer layout in brief: every offset is little-endian. A table starts with an int32 that,
subtracted from the table position, gives its vtable. The vtable is a list of uint16 values
(vtable size, table size, then one field offset per field id, 0 for an absent field). Strings,
vectors and sub-tables are stored as uint32 offsets relative to the field position. A union
takes two field ids: a uint8 type tag followed by the offset of the table.
"""

import struct
from dataclasses import dataclass, field

import numpy as np

FILE_IDENTIFIER = b"TFL3"

# TensorType enum values and the numpy dtypes they store.
TENSOR_TYPES = {
    0: ("FLOAT32", np.float32),
    1: ("FLOAT16", np.float16),
    2: ("INT32", np.int32),
    3: ("UINT8", np.uint8),
    4: ("INT64", np.int64),
    5: ("STRING", None),
    6: ("BOOL", np.bool_),
    7: ("INT16", np.int16),
    8: ("COMPLEX64", np.complex64),
    9: ("INT8", np.int8),
    10: ("FLOAT64", np.float64),
    11: ("COMPLEX128", np.complex128),
    12: ("UINT64", np.uint64),
    15: ("UINT32", np.uint32),
    16: ("UINT16", np.uint16),
}

# BuiltinOperator enum values for the operators this module gives names to. Other codes are
# still read and are reported as "BUILTIN_<code>".
BUILTIN_OPERATORS = {
    0: "ADD",
    1: "AVERAGE_POOL_2D",
    2: "CONCATENATION",
    3: "CONV_2D",
    4: "DEPTHWISE_CONV_2D",
    6: "DEQUANTIZE",
    9: "FULLY_CONNECTED",
    11: "L2_NORMALIZATION",
    14: "LOGISTIC",
    17: "MAX_POOL_2D",
    18: "MUL",
    19: "RELU",
    21: "RELU6",
    22: "RESHAPE",
    25: "SOFTMAX",
    28: "TANH",
    32: "CUSTOM",
    34: "PAD",
    39: "TRANSPOSE",
    40: "MEAN",
    41: "SUB",
    42: "DIV",
    43: "SQUEEZE",
    45: "STRIDED_SLICE",
    54: "PRELU",
    55: "MAXIMUM",
    57: "MINIMUM",
    59: "NEG",
    75: "SQRT",
    76: "RSQRT",
    92: "SQUARE",
    98: "LEAKY_RELU",
    101: "ABS",
}

PADDING_NAMES = {0: "SAME", 1: "VALID"}
ACTIVATION_NAMES = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}

# BuiltinOptions union tags (position in the schema's union, NONE = 0) mapped to the option table
# name and its fields in field-id order. Each field is (name, kind, default). Kinds: "i8", "u8",
# "bool", "i32", "f32" scalars, "padding" and "activation" enums, "i32[]" vectors.
BUILTIN_OPTIONS = {
    1: ("Conv2DOptions", [
        ("padding", "padding", 0),
        ("stride_w", "i32", 0),
        ("stride_h", "i32", 0),
        ("fused_activation_function", "activation", 0),
        ("dilation_w_factor", "i32", 1),
        ("dilation_h_factor", "i32", 1),
    ]),
    2: ("DepthwiseConv2DOptions", [
        ("padding", "padding", 0),
        ("stride_w", "i32", 0),
        ("stride_h", "i32", 0),
        ("depth_multiplier", "i32", 0),
        ("fused_activation_function", "activation", 0),
        ("dilation_w_factor", "i32", 1),
        ("dilation_h_factor", "i32", 1),
    ]),
    5: ("Pool2DOptions", [
        ("padding", "padding", 0),
        ("stride_w", "i32", 0),
        ("stride_h", "i32", 0),
        ("filter_width", "i32", 0),
        ("filter_height", "i32", 0),
        ("fused_activation_function", "activation", 0),
    ]),
    8: ("FullyConnectedOptions", [
        ("fused_activation_function", "activation", 0),
        ("weights_format", "i8", 0),
        ("keep_num_dims", "bool", False),
        ("asymmetric_quantize_inputs", "bool", False),
    ]),
    9: ("SoftmaxOptions", [("beta", "f32", 0.0)]),
    10: ("ConcatenationOptions", [
        ("axis", "i32", 0),
        ("fused_activation_function", "activation", 0),
    ]),
    11: ("AddOptions", [
        ("fused_activation_function", "activation", 0),
        ("pot_scale_int16", "bool", True),
    ]),
    12: ("L2NormOptions", [("fused_activation_function", "activation", 0)]),
    17: ("ReshapeOptions", [("new_shape", "i32[]", None)]),
    21: ("MulOptions", [("fused_activation_function", "activation", 0)]),
    22: ("PadOptions", []),
    26: ("TransposeOptions", []),
    27: ("ReducerOptions", [("keep_dims", "bool", False)]),
    28: ("SubOptions", [
        ("fused_activation_function", "activation", 0),
        ("pot_scale_int16", "bool", True),
    ]),
    29: ("DivOptions", [("fused_activation_function", "activation", 0)]),
    30: ("SqueezeOptions", [("squeeze_dims", "i32[]", None)]),
    32: ("StridedSliceOptions", [
        ("begin_mask", "i32", 0),
        ("end_mask", "i32", 0),
        ("ellipsis_mask", "i32", 0),
        ("new_axis_mask", "i32", 0),
        ("shrink_axis_mask", "i32", 0),
        ("offset", "bool", False),
    ]),
    39: ("MaximumMinimumOptions", []),
    42: ("NegOptions", []),
    66: ("SquareOptions", []),
    75: ("LeakyReluOptions", [("alpha", "f32", 0.0)]),
    78: ("AbsOptions", []),
}

_SCALAR_FORMATS = {"i8": "<b", "u8": "<B", "bool": "<B", "i32": "<i", "u32": "<I", "f32": "<f", "u64": "<Q"}


class _Table:
    """View of one FlatBuffer table inside the file bytes."""

    def __init__(self, data, position):
        self.data = data
        self.position = position
        vtable = position - struct.unpack_from("<i", data, position)[0]
        self.vtable = vtable
        self.vtable_size = struct.unpack_from("<H", data, vtable)[0]

    def _field_position(self, field_id):
        """Returns the absolute position of a field, or None when the field is absent."""
        entry = 4 + 2 * field_id
        if entry + 2 > self.vtable_size:
            return None
        offset = struct.unpack_from("<H", self.data, self.vtable + entry)[0]
        if offset == 0:
            return None
        return self.position + offset

    def scalar(self, field_id, kind, default):
        position = self._field_position(field_id)
        if position is None:
            return default
        value = struct.unpack_from(_SCALAR_FORMATS[kind], self.data, position)[0]
        return bool(value) if kind == "bool" else value

    def _target(self, field_id):
        """Follows the uint32 offset stored in a field to the object it points at."""
        position = self._field_position(field_id)
        if position is None:
            return None
        return position + struct.unpack_from("<I", self.data, position)[0]

    def table(self, field_id):
        target = self._target(field_id)
        return None if target is None else _Table(self.data, target)

    def string(self, field_id):
        target = self._target(field_id)
        if target is None:
            return None
        length = struct.unpack_from("<I", self.data, target)[0]
        return bytes(self.data[target + 4 : target + 4 + length]).decode("utf-8")

    def vector(self, field_id, dtype):
        """Returns a vector of scalars as a numpy array (a copy), or None when absent."""
        target = self._target(field_id)
        if target is None:
            return None
        length = struct.unpack_from("<I", self.data, target)[0]
        return np.frombuffer(self.data, dtype=np.dtype(dtype).newbyteorder("<"), count=length,
                             offset=target + 4).copy()

    def byte_view(self, field_id):
        """Returns a vector of ubyte as a memoryview into the file bytes, or None when absent."""
        target = self._target(field_id)
        if target is None:
            return None
        length = struct.unpack_from("<I", self.data, target)[0]
        return memoryview(self.data)[target + 4 : target + 4 + length]

    def tables(self, field_id):
        """Returns a vector of tables as a list of _Table (empty when absent)."""
        target = self._target(field_id)
        if target is None:
            return []
        length = struct.unpack_from("<I", self.data, target)[0]
        result = []
        for index in range(length):
            element = target + 4 + 4 * index
            result.append(_Table(self.data, element + struct.unpack_from("<I", self.data, element)[0]))
        return result


@dataclass
class Quantization:
    """Affine quantization parameters: real = scale * (quantized - zero_point)."""

    scale: np.ndarray
    zero_point: np.ndarray
    quantized_dimension: int
    minimum: np.ndarray = None
    maximum: np.ndarray = None


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple
    type_name: str
    buffer: int
    data: np.ndarray = None  # constant contents reshaped to `shape`, None for activations
    quantization: Quantization = None
    shape_signature: tuple = None  # shape with -1 for dimensions unknown at conversion time
    is_variable: bool = False


@dataclass
class OperatorCode:
    builtin_code: int
    deprecated_builtin_code: int
    custom_code: str
    version: int

    @property
    def name(self):
        if self.builtin_code == 32 and self.custom_code:
            return f"CUSTOM:{self.custom_code}"
        return BUILTIN_OPERATORS.get(self.builtin_code, f"BUILTIN_{self.builtin_code}")


@dataclass
class Operator:
    index: int
    opcode_index: int
    type: str
    inputs: list
    outputs: list
    options_type: int
    options: dict = field(default_factory=dict)


@dataclass
class Subgraph:
    name: str
    tensors: list
    inputs: list
    outputs: list
    operators: list


@dataclass
class Model:
    version: int
    description: str
    operator_codes: list
    subgraphs: list
    buffers: list  # one bytes object per buffer, empty for activations and the sentinel buffer 0


def _read_operator_code(table):
    deprecated = table.scalar(0, "i8", 0)
    extended = table.scalar(3, "i32", 0)
    # Files written before schema version 3a carry only the int8 field. Newer writers fill both
    # and store 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) in the int8 field for larger codes, so the
    # larger of the two values is the real code.
    builtin = max(deprecated, extended)
    return OperatorCode(
        builtin_code=builtin,
        deprecated_builtin_code=deprecated,
        custom_code=table.string(1),
        version=table.scalar(2, "i32", 1),
    )


def _read_quantization(table):
    if table is None:
        return None
    scale = table.vector(2, np.float32)
    zero_point = table.vector(3, np.int64)
    minimum = table.vector(0, np.float32)
    maximum = table.vector(1, np.float32)
    if scale is None and minimum is None and maximum is None:
        return None
    return Quantization(
        scale=scale if scale is not None else np.zeros(0, np.float32),
        zero_point=zero_point if zero_point is not None else np.zeros(0, np.int64),
        quantized_dimension=table.scalar(6, "i32", 0),
        minimum=minimum,
        maximum=maximum,
    )


def _read_tensor(table, index, buffers):
    shape_vector = table.vector(0, np.int32)
    shape = tuple(int(d) for d in shape_vector) if shape_vector is not None else ()
    type_code = table.scalar(1, "i8", 0)
    if type_code not in TENSOR_TYPES:
        raise ValueError(f"tensor {index} has unsupported TensorType {type_code}")
    type_name, dtype = TENSOR_TYPES[type_code]
    buffer_index = table.scalar(2, "u32", 0)
    signature = table.vector(7, np.int32)

    data = None
    raw = buffers[buffer_index] if buffer_index < len(buffers) else b""
    if raw and dtype is not None:
        array = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
        expected = int(np.prod(shape)) if shape else 1
        if array.size != expected:
            raise ValueError(
                f"tensor {index} ({table.string(3)!r}) has {array.size} stored elements "
                f"but shape {shape} needs {expected}"
            )
        data = array.reshape(shape).copy()

    return Tensor(
        index=index,
        name=table.string(3) or f"tensor_{index}",
        shape=shape,
        type_name=type_name,
        buffer=buffer_index,
        data=data,
        quantization=_read_quantization(table.table(4)),
        shape_signature=tuple(int(d) for d in signature) if signature is not None else None,
        is_variable=table.scalar(5, "bool", False),
    )


def _read_options(table, options_type):
    """Decodes a builtin options table into a dict, or {} when the type is not described here."""
    if table is None or options_type not in BUILTIN_OPTIONS:
        return {}
    _, fields = BUILTIN_OPTIONS[options_type]
    options = {}
    for field_id, (name, kind, default) in enumerate(fields):
        if kind == "padding":
            options[name] = PADDING_NAMES[table.scalar(field_id, "i8", default)]
        elif kind == "activation":
            options[name] = ACTIVATION_NAMES[table.scalar(field_id, "i8", default)]
        elif kind == "i32[]":
            vector = table.vector(field_id, np.int32)
            options[name] = [int(v) for v in vector] if vector is not None else default
        else:
            options[name] = table.scalar(field_id, kind, default)
    return options


def _read_operator(table, index, operator_codes):
    opcode_index = table.scalar(0, "u32", 0)
    if opcode_index >= len(operator_codes):
        raise ValueError(f"operator {index} has opcode_index {opcode_index} out of range")
    inputs = table.vector(1, np.int32)
    outputs = table.vector(2, np.int32)
    options_type = table.scalar(3, "u8", 0)
    return Operator(
        index=index,
        opcode_index=opcode_index,
        type=operator_codes[opcode_index].name,
        inputs=[int(i) for i in inputs] if inputs is not None else [],
        outputs=[int(i) for i in outputs] if outputs is not None else [],
        options_type=options_type,
        options=_read_options(table.table(4), options_type),
    )


def _read_buffer(table, data):
    content = table.byte_view(0)
    if content is not None and len(content):
        return bytes(content)
    # Models over 2 GB keep buffers outside the FlatBuffer and record offset and size instead.
    offset = table.scalar(1, "u64", 0)
    size = table.scalar(2, "u64", 0)
    if offset > 1 and size:
        return bytes(data[offset : offset + size])
    return b""


def parse_model(data):
    """Parses TFLite FlatBuffer bytes into a Model."""
    data = bytes(data)
    if len(data) < 8:
        raise ValueError(f"TFLite data is too short ({len(data)} bytes)")
    if data[4:8] != FILE_IDENTIFIER:
        raise ValueError(f"not a TFLite FlatBuffer: file identifier is {data[4:8]!r}, expected {FILE_IDENTIFIER!r}")
    root = _Table(data, struct.unpack_from("<I", data, 0)[0])

    buffers = [_read_buffer(table, data) for table in root.tables(4)]
    operator_codes = [_read_operator_code(table) for table in root.tables(1)]

    subgraphs = []
    for subgraph_table in root.tables(2):
        tensors = [_read_tensor(t, i, buffers) for i, t in enumerate(subgraph_table.tables(0))]
        operators = [_read_operator(t, i, operator_codes) for i, t in enumerate(subgraph_table.tables(3))]
        inputs = subgraph_table.vector(1, np.int32)
        outputs = subgraph_table.vector(2, np.int32)
        subgraphs.append(Subgraph(
            name=subgraph_table.string(4) or "",
            tensors=tensors,
            inputs=[int(i) for i in inputs] if inputs is not None else [],
            outputs=[int(i) for i in outputs] if outputs is not None else [],
            operators=operators,
        ))

    return Model(
        version=root.scalar(0, "u32", 0),
        description=root.string(3) or "",
        operator_codes=operator_codes,
        subgraphs=subgraphs,
        buffers=buffers,
    )


def load_model(path):
    """Reads and parses a .tflite file."""
    with open(path, "rb") as handle:
        return parse_model(handle.read())


def describe(model):
    """Returns a multi-line text summary of subgraph 0: inputs, outputs and one line per operator."""
    subgraph = model.subgraphs[0]
    lines = [f"schema version {model.version}, {len(subgraph.tensors)} tensors, {len(subgraph.operators)} operators"]
    for label, indices in (("input", subgraph.inputs), ("output", subgraph.outputs)):
        for index in indices:
            tensor = subgraph.tensors[index]
            lines.append(f"{label} {index} {tensor.name!r} {tensor.type_name} {list(tensor.shape)}")
    for operator in subgraph.operators:
        operands = []
        for index in operator.inputs:
            if index < 0:
                operands.append("-")
                continue
            tensor = subgraph.tensors[index]
            marker = "const" if tensor.data is not None else "var"
            operands.append(f"{index}:{marker}{list(tensor.shape)}")
        results = [f"{i}{list(subgraph.tensors[i].shape)}" for i in operator.outputs]
        lines.append(f"{operator.index:3d} {operator.type:18s} {' '.join(operands)} -> {' '.join(results)} {operator.options}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: tflite_reader.py MODEL.tflite")
    print(describe(load_model(sys.argv[1])))
