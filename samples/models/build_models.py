#!/usr/bin/env python3
"""Build Starling's sample ONNX models deterministically.

Writes into the directory of this script (samples/models/):
  iris.onnx, fraud.onnx, mlp.onnx, heavy.onnx, types.onnx
  <name>.request.json / <name>.response.json   (Open Inference Protocol v2 bodies)
  fraud.features.json, fraud-reference.csv

Everything is seeded; running it twice with the pinned requirements.txt gives
byte-identical files. Run it through build.sh, which sets up the pinned venv.
"""

from __future__ import annotations

import csv
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = Path(__file__).resolve().parent

OPSET = 17          # default domain; onnxruntime 1.23 supports up to 23
ML_OPSET = 3        # ai.onnx.ml
IR_VERSION = 8      # matches opset 17; readable by every onnxruntime >= 1.11
PRODUCER = "starling-samples"

FRAUD_FEATURES = ["amount", "age", "account_age_days", "country", "foreign_ip"]
COUNTRIES = ["US", "DE", "FR", "GB", "BR", "IN"]

# numpy dtype -> OIP v2 datatype
NP_TO_OIP = {
    np.dtype(np.bool_): "BOOL",
    np.dtype(np.uint8): "UINT8",
    np.dtype(np.uint16): "UINT16",
    np.dtype(np.uint32): "UINT32",
    np.dtype(np.uint64): "UINT64",
    np.dtype(np.int8): "INT8",
    np.dtype(np.int16): "INT16",
    np.dtype(np.int32): "INT32",
    np.dtype(np.int64): "INT64",
    np.dtype(np.float16): "FP16",
    np.dtype(np.float32): "FP32",
    np.dtype(np.float64): "FP64",
}
OIP_TO_NP = {v: k for k, v in NP_TO_OIP.items()}


# --------------------------------------------------------------------------- helpers

def finalize(model: onnx.ModelProto, doc: str) -> onnx.ModelProto:
    """Stable metadata, de-duplicated opset imports, fixed IR version, checked."""
    seen: dict[str, int] = {}
    for imp in model.opset_import:
        seen[imp.domain] = max(seen.get(imp.domain, 0), imp.version)
    del model.opset_import[:]
    for domain in sorted(seen):
        model.opset_import.append(helper.make_opsetid(domain, seen[domain]))
    model.ir_version = IR_VERSION
    model.producer_name = PRODUCER
    model.producer_version = "1"
    model.domain = "dev.starling.samples"
    model.model_version = 1
    model.doc_string = doc
    onnx.checker.check_model(model, full_check=True)
    return model


def save(model: onnx.ModelProto, name: str) -> Path:
    path = OUT / f"{name}.onnx"
    path.write_bytes(model.SerializeToString(deterministic=True))
    return path


def session(path: Path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def json_value(v):
    """numpy scalar -> JSON value; floats use the shortest repr of their own width."""
    if isinstance(v, np.floating):
        # float32: shortest decimal that round-trips to the same float32 (like Java's
        # Float.toString); float16: its exact value (numpy's float16 repr is too lossy,
        # 65504 would print as 6.55e+04); float64: Python's own shortest repr.
        f = float(str(v)) if v.dtype == np.float32 else float(v)
        if math.isnan(f) or math.isinf(f):
            raise ValueError("non-finite value in reference output")
        return f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return v  # str


def oip_tensor(name: str, arr: np.ndarray) -> dict:
    if arr.dtype == object or arr.dtype.kind in ("U", "S"):
        datatype = "BYTES"
    else:
        datatype = NP_TO_OIP[arr.dtype]
    return {
        "name": name,
        "shape": list(arr.shape),
        "datatype": datatype,
        "data": [json_value(x) for x in arr.reshape(-1)],
    }


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")


def write_examples(name: str, path: Path, feeds: dict[str, np.ndarray]) -> dict:
    """Write <name>.request.json and <name>.response.json (onnxruntime's answer)."""
    write_json(OUT / f"{name}.request.json",
               {"inputs": [oip_tensor(k, v) for k, v in feeds.items()]})
    sess = session(path)
    out_names = [o.name for o in sess.get_outputs()]
    results = sess.run(out_names, feeds)
    response = {
        "model_name": name,
        "outputs": [oip_tensor(n, np.asarray(r)) for n, r in zip(out_names, results)],
    }
    write_json(OUT / f"{name}.response.json", response)
    return dict(zip(out_names, results))


def bench_batch1(path: Path, feeds: dict[str, np.ndarray], seconds: float = 3.0) -> float:
    """Median ms of single-thread batch-1 runs."""
    sess = session(path)
    for _ in range(50):
        sess.run(None, feeds)
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        sess.run(None, feeds)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def io_summary(path: Path) -> str:
    m = onnx.load(str(path))

    def fmt(v):
        t = v.type.tensor_type
        dims = [d.dim_param if d.dim_param else (d.dim_value if d.HasField("dim_value") else "?")
                for d in t.shape.dim]
        return f"{v.name} {TensorProto.DataType.Name(t.elem_type)} {dims}"

    ins = ", ".join(fmt(v) for v in m.graph.input)
    outs = ", ".join(fmt(v) for v in m.graph.output)
    return f"in: {ins} | out: {outs}"


# --------------------------------------------------------------------------- iris

def build_iris() -> Path:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(max_iter=1000, random_state=0).fit(X, y)
    model = convert_sklearn(
        clf,
        name="iris",
        initial_types=[("float_input", FloatTensorType([None, 4]))],
        options={id(clf): {"zipmap": False}},
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
    )
    model = finalize(model, "Iris LogisticRegression (scikit-learn), classes 0=setosa 1=versicolor 2=virginica")
    path = save(model, "iris")
    feeds = {"float_input": np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)}
    out = write_examples("iris", path, feeds)
    # sanity: agrees with scikit-learn on the whole data set
    sess = session(path)
    label, _ = sess.run(None, {"float_input": X.astype(np.float32)})
    agree = float(np.mean(label == clf.predict(X)))
    print(f"iris   : label={out['label'].tolist()} agreement with sklearn={agree:.3f}")
    return path


def build_iris_tree() -> Path:
    """A second iris classifier (a shallow decision tree) taking the same input as iris.onnx:
    the 'new version' in model-swap and canary tests, where answers must show which one served."""
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    X, y = load_iris(return_X_y=True)
    clf = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    model = convert_sklearn(
        clf,
        name="iris_tree",
        initial_types=[("float_input", FloatTensorType([None, 4]))],
        options={id(clf): {"zipmap": False}},
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
    )
    model = finalize(model, "Iris DecisionTree depth 2 (scikit-learn): same input as iris.onnx, other answers")
    path = save(model, "iris_tree")
    feeds = {"float_input": np.array([[5.1, 3.5, 1.4, 0.2]], dtype=np.float32)}
    out = write_examples("iris_tree", path, feeds)
    print(f"iris_tree: label={out['label'].tolist()} probabilities={out['probabilities'].tolist()}")
    return path


# --------------------------------------------------------------------------- fraud

def fraud_sample(rng: np.random.Generator, n: int):
    """Synthetic card transactions. Returns (X float32 [n,5], y int64 [n], raw columns)."""
    amount = np.round(rng.lognormal(mean=4.0, sigma=1.2, size=n), 2)           # median ~55
    age = np.clip(np.round(rng.normal(41.0, 14.0, size=n)), 18, 120).astype(np.int64)
    old = rng.random(n) < 0.01                                                  # a few very old customers
    age[old] = rng.integers(80, 121, size=int(old.sum()))
    account_age_days = np.round(rng.exponential(scale=500.0, size=n), 1)
    country = rng.choice(len(COUNTRIES), size=n, p=[0.35, 0.15, 0.12, 0.13, 0.12, 0.13])
    foreign_ip = rng.random(n) < np.where(np.isin(country, [4, 5]), 0.15, 0.07)

    logit = (
        -5.2
        + 1.1 * (np.log(amount + 1.0) - 4.0)              # bigger amounts are riskier
        + 1.6 * np.exp(-account_age_days / 30.0)          # brand-new accounts are riskier
        + 0.6 * (account_age_days < 7)
        + 2.0 * foreign_ip                                # foreign IP is risky
        + 0.5 * (age < 25) + 0.3 * (age > 85)
        + np.array([0.0, -0.2, -0.1, -0.1, 0.4, 0.3])[country]
    )
    p = 1.0 / (1.0 + np.exp(-logit))
    y = (rng.random(n) < p).astype(np.int64)
    X = np.column_stack([amount, age, account_age_days, country, foreign_ip.astype(np.float64)]).astype(np.float32)
    raw = (amount, age, account_age_days, country, foreign_ip)
    return X, y, raw


def build_fraud() -> Path:
    from sklearn.ensemble import GradientBoostingClassifier
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    rng = np.random.default_rng(20240601)
    X, y, _ = fraud_sample(rng, 40_000)
    clf = GradientBoostingClassifier(
        n_estimators=120, max_depth=3, learning_rate=0.1, subsample=1.0, random_state=7
    ).fit(X, y)
    model = convert_sklearn(
        clf,
        name="fraud",
        initial_types=[("float_input", FloatTensorType([None, 5]))],
        options={id(clf): {"zipmap": False}},
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
    )
    model = finalize(
        model,
        "Synthetic fraud scoring (GradientBoostingClassifier). float_input columns: "
        + ", ".join(FRAUD_FEATURES)
        + "; country = index in " + ",".join(COUNTRIES)
        + "; foreign_ip = 0/1. Classes 0=legit 1=fraud.",
    )
    meta = model.metadata_props.add()
    meta.key, meta.value = "features", ",".join(FRAUD_FEATURES)
    meta = model.metadata_props.add()
    meta.key, meta.value = "country_codes", ",".join(COUNTRIES)
    onnx.checker.check_model(model)
    path = save(model, "fraud")

    features = {"amount": 950.0, "age": 23, "account_age_days": 3, "country": "BR", "foreign_ip": True}
    write_json(OUT / "fraud.features.json", features)
    row = [features["amount"], features["age"], features["account_age_days"],
           COUNTRIES.index(features["country"]), 1.0 if features["foreign_ip"] else 0.0]
    out = write_examples("fraud", path, {"float_input": np.array([row], dtype=np.float32)})

    # reference data for drift detection: same distribution, its own seed
    _, _, raw = fraud_sample(np.random.default_rng(20240602), 2_000)
    amount, age, acct, country, foreign = raw
    with open(OUT / "fraud-reference.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(FRAUD_FEATURES)
        for i in range(len(amount)):
            w.writerow([f"{amount[i]:.2f}", int(age[i]), f"{acct[i]:.1f}", COUNTRIES[country[i]],
                        "true" if foreign[i] else "false"])

    # sanity: sensible dependence on the features
    sess = session(path)
    def p_fraud(a, ag, d, c, f):
        return float(sess.run(None, {"float_input": np.array([[a, ag, d, c, f]], dtype=np.float32)})[1][0, 1])
    print(f"fraud  : base rate={y.mean():.3f} train acc={clf.score(X, y):.3f} "
          f"p(example)={out['probabilities'][0, 1]:.3f} "
          f"p(30$, 45y, 2000d, US, no)={p_fraud(30, 45, 2000, 0, 0):.3f} "
          f"p(950$, 23y, 3d, BR, foreign)={p_fraud(950, 23, 3, 4, 1):.3f}")
    return path


# --------------------------------------------------------------------------- mlp

def build_mlp() -> Path:
    rng = np.random.default_rng(64102410)
    dims = [64, 1024, 512, 10]
    inits, nodes = [], []
    prev = "input"
    for i, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:])):
        w = (rng.standard_normal((fan_in, fan_out)) * math.sqrt(2.0 / fan_in)).astype(np.float32)
        b = (rng.standard_normal(fan_out) * 0.01).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"fc{i}.weight"), numpy_helper.from_array(b, f"fc{i}.bias")]
        last = i == len(dims) - 2
        gemm_out = "logits" if last else f"fc{i}.out"
        nodes.append(helper.make_node("Gemm", [prev, f"fc{i}.weight", f"fc{i}.bias"], [gemm_out], name=f"fc{i}"))
        if not last:
            nodes.append(helper.make_node("Relu", [gemm_out], [f"relu{i}.out"], name=f"relu{i}"))
            prev = f"relu{i}.out"
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model = finalize(model, "MLP 64-1024-512-10 with ReLU, seeded random weights")
    path = save(model, "mlp")
    x = np.round(np.random.default_rng(1).standard_normal((1, 64)), 3).astype(np.float32)
    out = write_examples("mlp", path, {"input": x})
    print("mlp    : logits=" + " ".join(f"{v:.3f}" for v in out["logits"][0]))
    return path


# --------------------------------------------------------------------------- heavy

# (out_channels, stride) per 3x3 conv; tuned so batch-1 single-thread onnxruntime takes 1-2 ms
HEAVY_CONVS = [(32, 1), (64, 1), (64, 1), (64, 2), (64, 1)]


def build_heavy() -> Path:
    rng = np.random.default_rng(32323232)
    inits, nodes = [], []
    prev, cin = "image", 1
    for i, (cout, stride) in enumerate(HEAVY_CONVS):
        w = (rng.standard_normal((cout, cin, 3, 3)) * math.sqrt(2.0 / (cin * 9))).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.01).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"conv{i}.weight"), numpy_helper.from_array(b, f"conv{i}.bias")]
        nodes.append(helper.make_node("Conv", [prev, f"conv{i}.weight", f"conv{i}.bias"], [f"conv{i}.out"],
                                      name=f"conv{i}", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                      strides=[stride, stride]))
        nodes.append(helper.make_node("Relu", [f"conv{i}.out"], [f"relu{i}.out"], name=f"relu{i}"))
        prev, cin = f"relu{i}.out", cout
    nodes.append(helper.make_node("GlobalAveragePool", [prev], ["gap.out"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap.out"], ["flat.out"], name="flatten", axis=1))
    w = (rng.standard_normal((cin, 10)) * math.sqrt(1.0 / cin)).astype(np.float32)
    b = (rng.standard_normal(10) * 0.01).astype(np.float32)
    inits += [numpy_helper.from_array(w, "fc.weight"), numpy_helper.from_array(b, "fc.bias")]
    nodes.append(helper.make_node("Gemm", ["flat.out", "fc.weight", "fc.bias"], ["scores"], name="fc"))
    graph = helper.make_graph(
        nodes, "heavy",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 1, 32, 32])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 10])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model = finalize(model, "Compute-heavy CNN: 3x3 convs " + ", ".join(f"{c}ch/s{s}" for c, s in HEAVY_CONVS)
                     + " -> GAP -> Gemm; seeded random weights")
    path = save(model, "heavy")
    x = np.round(np.random.default_rng(2).random((1, 1, 32, 32)), 3).astype(np.float32)
    out = write_examples("heavy", path, {"image": x})
    print("heavy  : scores=" + " ".join(f"{v:.3f}" for v in out["scores"][0]))
    return path


# --------------------------------------------------------------------------- types

TYPES = [  # (name, onnx type, numpy dtype, example values)
    ("b", TensorProto.BOOL, np.bool_, [True, False, True]),
    ("u8", TensorProto.UINT8, np.uint8, [0, 1, 255]),
    ("i8", TensorProto.INT8, np.int8, [-128, 0, 127]),
    ("i16", TensorProto.INT16, np.int16, [-32768, 0, 32767]),
    ("i32", TensorProto.INT32, np.int32, [-2147483648, 0, 2147483647]),
    ("i64", TensorProto.INT64, np.int64, [-9223372036854775808, 0, 9223372036854775807]),
    ("f16", TensorProto.FLOAT16, np.float16, [0.5, -1.25, 65504.0]),
    ("f32", TensorProto.FLOAT, np.float32, [1.5, -2.25, 1024.125]),
    ("f64", TensorProto.DOUBLE, np.float64, [0.1, -1e300, 2.5]),
    ("s", TensorProto.STRING, object, ["hello", "", "ünïcødé ✓"]),
]


# ONNX Runtime's Java API cannot create UINT16/32/64 tensors, so a model taking them as input
# cannot be served from Java at all. They are still covered as outputs: Cast from the u8 input.
UNSIGNED_OUTPUTS = [("u16_out", TensorProto.UINT16), ("u32_out", TensorProto.UINT32), ("u64_out", TensorProto.UINT64)]


def build_types() -> Path:
    inputs, outputs, nodes = [], [], []
    for name, et, _, _ in TYPES:
        inputs.append(helper.make_tensor_value_info(name, et, ["n"]))
        outputs.append(helper.make_tensor_value_info(f"{name}_out", et, ["n"]))
        nodes.append(helper.make_node("Identity", [name], [f"{name}_out"], name=f"identity_{name}"))
    for out_name, et in UNSIGNED_OUTPUTS:
        outputs.append(helper.make_tensor_value_info(out_name, et, ["n"]))
        nodes.append(helper.make_node("Cast", ["u8"], [out_name], to=et, name=f"cast_{out_name}"))
    graph = helper.make_graph(nodes, "types", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model = finalize(model, "Datatype coverage: one Identity per input type, plus Cast u8 -> UINT16/32/64 "
                     "outputs; every input/output shaped [n]")
    path = save(model, "types")
    feeds = {name: np.array(vals, dtype=dt) for name, _, dt, vals in TYPES}
    out = write_examples("types", path, feeds)
    bad = [n for n, _, _, _ in TYPES if not np.array_equal(out[f"{n}_out"], feeds[n])]
    bad += [o for o, _ in UNSIGNED_OUTPUTS if not np.array_equal(out[o].astype(np.uint64), feeds["u8"].astype(np.uint64))]
    if bad:
        raise SystemExit(f"types: onnxruntime changed values for {bad}")
    print(f"types  : {len(TYPES)} input datatypes round-trip through onnxruntime: " + ", ".join(n for n, *_ in TYPES)
          + "; outputs also " + ", ".join(o for o, _ in UNSIGNED_OUTPUTS))
    return path


# --------------------------------------------------------------------------- main

def main() -> int:
    np.seterr(all="raise")
    print(f"numpy {np.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    paths = [build_iris(), build_iris_tree(), build_fraud(), build_mlp(), build_heavy(), build_types()]
    np.seterr(all="ignore")
    for p in paths:
        print(f"{p.name:12s} {p.stat().st_size:>9,d} bytes  {io_summary(p)}")
    if os.environ.get("STARLING_SKIP_TIMING") != "1":
        for p in paths:
            req = json.loads((OUT / f"{p.stem}.request.json").read_text(encoding="utf-8"))
            feeds = {}
            for t in req["inputs"]:
                dt = object if t["datatype"] == "BYTES" else OIP_TO_NP[t["datatype"]]
                feeds[t["name"]] = np.array(t["data"], dtype=dt).reshape(t["shape"])
            ms = bench_batch1(p, feeds, seconds=3.0 if p.stem == "heavy" else 1.0)
            print(f"timing : {p.stem:6s} batch-1, 1 thread, onnxruntime {ort.__version__}: median {ms:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
