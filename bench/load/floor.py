#!/usr/bin/env python3
"""In-process onnxruntime 'floor' for the peer benchmark.

For each model: one InferenceSession (intra_op_num_threads=1, inter_op_num_threads=1),
then a loop for SECONDS that builds the input tensors from the OIP v2 request's data
(numpy, as a server would after JSON parsing) and runs the session, batch 1.
No HTTP, no JSON: the best a single Python thread can do per model.

usage: floor.py MODEL_DIR SECONDS WARMUP_SECONDS MODEL [MODEL...]
prints one line per model: FLOOR_RESULT {"model":..,"runs":..,"rps":..,"p50_ms":..,"p99_ms":..,"rss_mib":..}
"""

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

OIP_TO_NP = {
    "BOOL": np.bool_, "UINT8": np.uint8, "UINT16": np.uint16, "UINT32": np.uint32,
    "UINT64": np.uint64, "INT8": np.int8, "INT16": np.int16, "INT32": np.int32,
    "INT64": np.int64, "FP16": np.float16, "FP32": np.float32, "FP64": np.float64,
    "BYTES": object,
}


def main() -> int:
    model_dir, seconds, warmup = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    for name in sys.argv[4:]:
        sess = ort.InferenceSession(str(model_dir / f"{name}.onnx"), so, providers=["CPUExecutionProvider"])
        req = json.loads((model_dir / f"{name}.request.json").read_text(encoding="utf-8"))
        inputs = [(t["name"], t["data"], OIP_TO_NP[t["datatype"]], t["shape"]) for t in req["inputs"]]

        def once():
            feeds = {n: np.asarray(d, dtype=dt).reshape(s) for n, d, dt, s in inputs}
            sess.run(None, feeds)

        end = time.perf_counter() + warmup
        while time.perf_counter() < end:
            once()
        times = []
        start = time.perf_counter()
        end = start + seconds
        t0 = start
        while t0 < end:
            once()
            t1 = time.perf_counter()
            times.append(t1 - t0)
            t0 = t1
        elapsed = t0 - start
        times.sort()
        result = {
            "model": name,
            "runs": len(times),
            "rps": round(len(times) / elapsed, 1),
            "p50_ms": round(times[len(times) // 2] * 1000, 3),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 3),
            "rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        print("FLOOR_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
