"""Checks an exported ONNX file against the torch model's outputs.

Debian bookworm packages no onnxruntime, so when it cannot be imported the graph is run by the small
numpy interpreter below. It knows exactly the operators the encoder uses (Mul, Add, Conv, Relu,
MaxPool, Flatten, Gemm) and fails on any other, so it cannot silently skip part of a graph.
"""

import numpy as np

TOLERANCE = 1e-4


def check(path, x, embedding, logits):
    try:
        import onnx
    except ImportError:
        onnx = None
        print("check: python3-onnx not installed, skipping onnx.checker")
    if onnx is not None:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        print("check: onnx.checker.check_model (full_check) passed")

    try:
        import onnxruntime
    except ImportError:
        onnxruntime = None
    if onnxruntime is not None:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = dict(zip(["embedding", "logits"], session.run(["embedding", "logits"], {"input": x})))
        runner = f"onnxruntime {onnxruntime.__version__}"
    elif onnx is not None:
        got = run_numpy(onnx.load(path), {"input": x})
        runner = "numpy reference interpreter (onnxruntime is not packaged by Debian bookworm)"
    else:
        raise SystemExit("check: neither onnxruntime nor python3-onnx is available")

    failed = False
    for name, want in (("embedding", embedding), ("logits", logits)):
        diff = float(np.abs(got[name] - want).max())
        ok = got[name].shape == want.shape and diff <= TOLERANCE * max(1.0, float(np.abs(want).max()))
        failed |= not ok
        print(f"check: {name} {got[name].shape} max |onnx - torch| = {diff:.2e} ({'ok' if ok else 'MISMATCH'})")
    same_class = (got["logits"].argmax(1) == logits.argmax(1)).mean()
    print(f"check: {len(x)} images via {runner}; same predicted class for {same_class:.2%}")
    if failed:
        raise SystemExit("check: ONNX outputs differ from torch")


def run_numpy(model, feeds):
    from onnx import numpy_helper, helper

    values = {t.name: numpy_helper.to_array(t).astype(np.float32) for t in model.graph.initializer}
    values.update({k: v.astype(np.float32) for k, v in feeds.items()})
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        args = [values[i] for i in node.input]
        if node.op_type not in _OPS:
            raise NotImplementedError(f"numpy interpreter: operator {node.op_type} not supported")
        values[node.output[0]] = _OPS[node.op_type](*args, **attrs).astype(np.float32)
    return {o.name: values[o.name] for o in model.graph.output}


def _conv(x, w, b, kernel_shape, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1):
    if tuple(strides) != (1, 1) or any(pads) or tuple(dilations) != (1, 1) or group != 1:
        raise NotImplementedError("numpy interpreter: Conv only with stride 1, no padding, no dilation, group 1")
    windows = np.lib.stride_tricks.sliding_window_view(x, tuple(kernel_shape), axis=(2, 3))  # n c h w kh kw
    return np.einsum("nchwij,ocij->nohw", windows, w, optimize=True) + b[None, :, None, None]


def _maxpool(x, kernel_shape, strides, pads=(0, 0, 0, 0), ceil_mode=0, **_):
    k, s = tuple(kernel_shape), tuple(strides)
    if k != s or any(pads) or ceil_mode or x.shape[2] % k[0] or x.shape[3] % k[1]:
        raise NotImplementedError("numpy interpreter: MaxPool only with kernel == stride, no padding, exact fit")
    n, c, h, w = x.shape
    return x.reshape(n, c, h // k[0], k[0], w // k[1], k[1]).max(axis=(3, 5))


def _gemm(a, b, c, alpha=1.0, beta=1.0, transA=0, transB=0):
    a = a.T if transA else a
    b = b.T if transB else b
    return alpha * (a @ b) + beta * c


_OPS = {
    "Mul": lambda a, b: a * b,
    "Add": lambda a, b: a + b,
    "Relu": lambda x: np.maximum(x, 0),
    "Conv": _conv,
    "MaxPool": _maxpool,
    "Flatten": lambda x, axis=1: x.reshape(int(np.prod(x.shape[:axis])), -1),
    "Gemm": _gemm,
}
