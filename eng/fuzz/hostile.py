"""Structurally valid hostile ONNX graphs (python3-onnx), like the reproducers in ../shared/repro.

Each family takes a random.Random and returns (name, model bytes); the parameters (sizes, counts, depths, attributes)
come from the generator, so a campaign's seed fixes every graph. No graph is checked by onnx.checker: many are meant
to be invalid in ways only the runtime can see (overflowing shapes, cycles, missing inputs).
"""
from __future__ import annotations

import json
import random

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

I64_MAX = (1 << 63) - 1
BIG_DIMS = [1 << 20, 1 << 24, 1 << 26, 1 << 31, (1 << 32) + 1, 1 << 40, 1 << 62, I64_MAX, -1, -2, 0]


def _vi(name, elem=TensorProto.FLOAT, shape=(1, 1, 1)):
    return helper.make_tensor_value_info(name, elem, list(shape))


def _i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def _f32(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def _model(nodes, inputs, outputs, inits=(), opset=None, rnd=None, metadata=None):
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, initializer=list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset or 14)])
    m.ir_version = 8
    if metadata:
        for k, v in metadata.items():
            p = m.metadata_props.add()
            p.key, p.value = k, v
    return m.SerializeToString()


def expand_big(rnd):
    k = rnd.choice([1, 2, 8, 32])
    dims = [rnd.choice([1, 8, 1024, 1 << 20]), rnd.choice(BIG_DIMS[:6])]
    nodes, outs, inits = [], [], [_f32("one", [1.0]), _i64("shape", dims)]
    for i in range(k):
        nodes.append(helper.make_node("Expand", ["one", "shape"], [f"e{i}"]))
        outs.append(_vi(f"e{i}", shape=[]))
    return f"expand_{dims}_x{k}", _model(nodes, [], outs, inits)


def constantofshape_big(rnd):
    k = rnd.choice([1, 4, 16])
    dims = [rnd.choice(BIG_DIMS) for _ in range(rnd.randint(1, 4))]
    dtype = rnd.choice([TensorProto.FLOAT, TensorProto.INT64, TensorProto.DOUBLE, TensorProto.INT8])
    value = helper.make_tensor("value", dtype, [1], [1])
    inits = [_i64("shape", dims)]
    nodes = [helper.make_node("ConstantOfShape", ["shape"], [f"c{i}"], value=value) for i in range(k)]
    return f"constantofshape_{dims}_x{k}", _model(nodes, [], [_vi(f"c{i}", dtype, []) for i in range(k)], inits)


def tile_big(rnd):
    reps = [rnd.choice(BIG_DIMS + [3, 7]) for _ in range(2)]
    data = _f32("d", np.ones((rnd.choice([1, 2, 3]), rnd.choice([1, 2, 3]))))
    nodes = [helper.make_node("Tile", ["d", "r"], ["t"])]
    return f"tile_{reps}", _model(nodes, [], [_vi("t", shape=[])], [data, _i64("r", reps)])


def pad_big(rnd):
    pads = [rnd.choice([0, 1, 1 << 30, I64_MAX, -1, -(1 << 62), 1 << 40]) for _ in range(4)]
    data = _f32("d", np.ones((2, 3)))
    mode = rnd.choice(["constant", "reflect", "edge"])
    nodes = [helper.make_node("Pad", ["d", "p"], ["y"], mode=mode)]
    return f"pad_{pads}_{mode}", _model(nodes, [], [_vi("y", shape=[])], [data, _i64("p", pads)])


def matmul_broadcast(rnd):
    a = rnd.choice([(1024, 1, 64, 64), (64, 64, 64, 64), (1 << 16, 1, 8, 8), (1, 1, 1, 1)])
    b = rnd.choice([(1, 1024, 64, 64), (64, 64, 64), (1, 1 << 16, 8, 8), (8,)])
    # Expand to the shapes from tiny constants, so the file stays small and only folding is big.
    inits = [_f32("one", [1.0]), _i64("sa", list(a)), _i64("sb", list(b))]
    nodes = [helper.make_node("Expand", ["one", "sa"], ["A"]), helper.make_node("Expand", ["one", "sb"], ["B"]),
             helper.make_node(rnd.choice(["MatMul", "Add", "Mul", "Sub", "Div"]), ["A", "B"], ["y"])]
    return f"matmul_broadcast_{a}_{b}", _model(nodes, [], [_vi("y", shape=[])], inits)


def deep_chain(rnd):
    depth = rnd.choice([100, 1000, 5000, 20000])
    op = rnd.choice(["Identity", "Relu", "Tanh", "Sigmoid", "Add"])
    nodes = []
    prev = "x"
    for i in range(depth):
        ins = [prev, prev] if op == "Add" else [prev]
        nodes.append(helper.make_node(op, ins, [f"n{i}"]))
        prev = f"n{i}"
    return f"chain_{op}_{depth}", _model(nodes, [_vi("x", shape=[1, 1, 1])], [_vi(prev)])


def many_initializers(rnd):
    count = rnd.choice([1000, 20000, 100000])
    inits = [onnx.TensorProto(name=f"w{i}", data_type=TensorProto.FLOAT, dims=[0]) for i in range(count)]
    nodes = [helper.make_node("Identity", ["x"], ["y"])]
    return f"initializers_{count}", _model(nodes, [_vi("x")], [_vi("y")], inits)


def rnn_family(rnd):
    op = rnd.choice(["LSTM", "GRU", "RNN"])
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    hidden = rnd.choice([1, 4, 16])
    declared = rnd.choice([hidden, hidden, 0, -1, 1 << 20, 1 << 31, 7])
    inp = rnd.choice([1, 5])
    dirs = rnd.choice([1, 1, 2])
    direction = "bidirectional" if dirs == 2 else rnd.choice(["forward", "reverse", "sideways"])
    w = _f32("W", np.full((dirs, gates * hidden, inp), 0.1))
    r = _f32("R", np.full((dirs, gates * hidden, hidden), rnd.choice([0.1, float("nan"), 1e30])))
    b = _f32("B", np.zeros((dirs, 2 * gates * hidden)))
    seq = rnd.choice([None, [1], [-1], [1 << 31], [0]])
    inits = [w, r, b]
    ins = ["X", "W", "R", "B"]
    if seq is not None:
        inits.append(numpy_helper.from_array(np.array(seq, dtype=np.int32), "L"))
        ins.append("L")
    chain = rnd.choice([1, 1, 2, 50, 2000])
    nodes = []
    x = "X"
    for i in range(chain):
        attrs = {"hidden_size": declared, "direction": direction}
        if rnd.random() < 0.2:
            attrs["activations"] = rnd.choice([["Sigmoid", "Tanh", "Tanh"], ["Relu"] * 3, ["Bogus"] * 3, []])
        if rnd.random() < 0.1:
            attrs["clip"] = rnd.choice([0.0, -1.0, float("nan"), 1e-30])
        if op == "GRU" and rnd.random() < 0.3:
            attrs["linear_before_reset"] = rnd.choice([0, 1, 7])
        nodes.append(helper.make_node(op, [x] + ins[1:], [f"Y{i}", f"H{i}"] + (["C%d" % i] if op == "LSTM" else []), **attrs))
        if chain > 1:
            nodes.append(helper.make_node("Squeeze", [f"Y{i}", "ax"], [f"S{i}"]))
            x = f"S{i}"
            if i == 0:
                inits.append(_i64("ax", [1]))
    xshape = [rnd.choice([1, "T", -1, 1 << 40]), 1, rnd.choice([inp, inp, 3])]
    return f"{op}_h{declared}_chain{chain}_{direction}", _model(
        nodes, [helper.make_tensor_value_info("X", TensorProto.FLOAT, xshape)], [_vi(f"Y{chain - 1}", shape=[])], inits)


def shape_ops(rnd):
    kind = rnd.choice(["gather", "slice", "transpose", "softmax", "squeeze", "unsqueeze", "reshape", "concat", "flatten", "cast", "gemm"])
    x = _f32("d", np.arange(12, dtype=np.float32).reshape(3, 4))
    inits = [x]
    if kind == "gather":
        inits.append(_i64("i", [rnd.choice([0, 3, -4, I64_MAX, -(1 << 63), 1 << 40])]))
        nodes = [helper.make_node("Gather", ["d", "i"], ["y"], axis=rnd.choice([0, 1, 2, -3, 1 << 40]))]
    elif kind == "slice":
        inits += [_i64("s", [rnd.choice([0, -1, I64_MAX, -(1 << 63)])]), _i64("e", [rnd.choice([0, 2, I64_MAX, -(1 << 63)])]),
                  _i64("a", [rnd.choice([0, 1, 2, -3])]), _i64("st", [rnd.choice([1, -1, 0, I64_MAX, -(1 << 63)])])]
        nodes = [helper.make_node("Slice", ["d", "s", "e", "a", "st"], ["y"])]
    elif kind == "transpose":
        nodes = [helper.make_node("Transpose", ["d"], ["y"], perm=rnd.choice([[1, 0], [0, 0], [2, 0], [-1, 0], [0, 1, 2]]))]
    elif kind == "softmax":
        nodes = [helper.make_node("Softmax", ["d"], ["y"], axis=rnd.choice([-1, 1, 5, -(1 << 40)]))]
    elif kind == "squeeze":
        inits.append(_i64("ax", [rnd.choice([0, 1, 5, -7])]))
        nodes = [helper.make_node("Squeeze", ["d", "ax"], ["y"])]
    elif kind == "unsqueeze":
        inits.append(_i64("ax", [rnd.choice([0, 1, 2]) for _ in range(rnd.choice([1, 3, 64]))]))
        nodes = [helper.make_node("Unsqueeze", ["d", "ax"], ["y"])]
    elif kind == "reshape":
        inits.append(_i64("sh", rnd.choice([[-1, -1], [0, 0, 0], [12], [13], [-1], [1 << 40, 0], [-1, 1 << 62], [2, 0, 3]])))
        nodes = [helper.make_node("Reshape", ["d", "sh"], ["y"], allowzero=rnd.choice([0, 1]))]
    elif kind == "concat":
        n = rnd.choice([2, 1000, 30000])
        nodes = [helper.make_node("Concat", ["d"] * n, ["y"], axis=rnd.choice([0, 1, 2, -3]))]
    elif kind == "flatten":
        nodes = [helper.make_node("Flatten", ["d"], ["y"], axis=rnd.choice([0, 2, 3, -3]))]
    elif kind == "cast":
        nodes = [helper.make_node("Cast", ["d"], ["y"], to=rnd.choice([0, 8, 16, 1000, TensorProto.INT8, TensorProto.BOOL]))]
    else:
        inits.append(_f32("w", np.ones((rnd.choice([4, 5, 1 << 20 if False else 3]), 2))))
        nodes = [helper.make_node("Gemm", ["d", "w"], ["y"], transA=rnd.choice([0, 1]), transB=rnd.choice([0, 1, 5]))]
    return f"shape_{kind}", _model(nodes, [], [_vi("y", shape=[])], inits)


def quantized(rnd):
    scale = rnd.choice([0.0, float("nan"), float("inf"), -1.0, 1e-45, 0.1])
    zp = rnd.choice([0, 127, -128])
    inits = [_f32("x", np.ones((4, 4))), _f32("s", [scale]),
             numpy_helper.from_array(np.array([zp], dtype=np.int8), "z"),
             numpy_helper.from_array(np.ones((4, 4), dtype=np.int8), "q")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["qx"]),
             helper.make_node("DequantizeLinear", [rnd.choice(["qx", "q"]), "s", "z"], ["y"], axis=rnd.choice([0, 1, 7]))]
    return f"quant_s{scale}_z{zp}", _model(nodes, [], [_vi("y", shape=[])], inits)


def broken_graph(rnd):
    kind = rnd.choice(["cycle", "missing", "dupout", "noop", "unknownop", "emptyname", "selfloop", "subgraph", "opset"])
    inits = []
    opset = None
    if kind == "cycle":
        nodes = [helper.make_node("Add", ["x", "b"], ["a"]), helper.make_node("Relu", ["a"], ["b"])]
    elif kind == "missing":
        nodes = [helper.make_node("Add", ["x", "nowhere"], ["y"])]
    elif kind == "dupout":
        nodes = [helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Tanh", ["x"], ["y"])]
    elif kind == "noop":
        nodes = []
    elif kind == "unknownop":
        nodes = [helper.make_node(rnd.choice(["Loop", "If", "Scan", "Foo", ""]), ["x"], ["y"], domain=rnd.choice(["", "com.evil"]))]
    elif kind == "emptyname":
        nodes = [helper.make_node("Relu", [""], ["y"])]
    elif kind == "selfloop":
        nodes = [helper.make_node("Add", ["x", "y"], ["y"])]
    elif kind == "subgraph":
        g = helper.make_graph([], "inner", [], [])
        for _ in range(rnd.choice([10, 200, 2000])):
            g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"], body=g)], "inner", [], [])
        nodes = list(g.node)
    else:
        nodes = [helper.make_node("Relu", ["x"], ["y"])]
        opset = rnd.choice([1, 6, 999, 1 << 40])
    return f"graph_{kind}", _model(nodes, [_vi("x")], [_vi("y")], inits, opset=opset)


def hostile_metadata(rnd, donor_metadata: dict[str, str]):
    """The shipped LSTM model's metadata, with one value replaced by hostile JSON; the graph is a tiny valid LSTM."""
    md = dict(donor_metadata)
    key = rnd.choice(list(md))
    md[key] = rnd.choice(["null", "[]", "{}", "[null]", "\"x\"", "1e999", "-1", "[" * 20000 + "]" * 20000,
                          json.dumps([{"name": None, "unit": None, "mean": None, "std": None}]),
                          json.dumps([{"name": "temperature", "unit": "degF", "mean": 0, "std": 0}]),
                          json.dumps({"inputs": [[1e39] * 5] * 8, "outputs": None}),
                          json.dumps({"inputs": [], "outputs": []}),
                          json.dumps({"inputs": [[0.1] * 5] * 100000, "outputs": [[0.0] * 5] * 100000}),
                          json.dumps({"longWindow": 1 << 40, "shortWindow": 0, "warmupSteps": -1, "threshold": float("nan")}),
                          "h0_0:hn_0,h0_0:hn_0", "x:y", "", ":", "h0_0:cn_0,c0_0:hn_0"])
    hidden = 4
    w = _f32("W", np.full((1, 4 * hidden, 5), 0.1))
    r = _f32("R", np.full((1, 4 * hidden, hidden), 0.1))
    nodes = [helper.make_node("LSTM", ["X", "W", "R", "", "", "h0_0", "c0_0"], ["Y", "hn_0", "cn_0"], hidden_size=hidden)]
    ins = [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", 1, 5]),
           helper.make_tensor_value_info("h0_0", TensorProto.FLOAT, [1, 1, hidden]),
           helper.make_tensor_value_info("c0_0", TensorProto.FLOAT, [1, 1, hidden])]
    outs = [_vi("Y", shape=["T", 1, 1, hidden]), _vi("hn_0", shape=[1, 1, hidden]), _vi("cn_0", shape=[1, 1, hidden])]
    return f"metadata_{key}", _model(nodes, ins, outs, [w, r], metadata=md)


FAMILIES = [expand_big, constantofshape_big, tile_big, pad_big, matmul_broadcast, deep_chain, many_initializers,
            rnn_family, rnn_family, shape_ops, shape_ops, quantized, broken_graph, broken_graph]


def generate(count: int, seed: int, donor_metadata: dict[str, str]) -> list[tuple[str, bytes]]:
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        if rnd.random() < 0.15:
            name, data = hostile_metadata(rnd, donor_metadata)
        else:
            family = rnd.choice(FAMILIES)
            name, data = family(rnd)
        out.append((f"h{i:04d}_{name}"[:120], data))
    return out


def metadata_of(path: str) -> dict[str, str]:
    m = onnx.load(path)
    return {p.key: p.value for p in m.metadata_props}
