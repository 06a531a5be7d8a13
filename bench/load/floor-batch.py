#!/usr/bin/env python3
"""In-process onnxruntime cost per row at several batch sizes (one session, one thread).

The peer benchmark's floor (floor.py) runs batch 1. A server that merges concurrent requests
(Starling's opportunistic batching) pays ONNX Runtime's per-row cost at the batch sizes the load
produces, so reading its CPU budget needs that curve: the same request row repeated B times along
the first dimension, run in a loop for SECONDS after WARMUP_SECONDS, reported as microseconds per
row and rows per second. No HTTP, no JSON.

usage: floor-batch.py MODEL_DIR SECONDS WARMUP_SECONDS BATCHES MODEL [MODEL...]
       BATCHES: comma-separated batch sizes, e.g. 1,2,4,8,16
prints one line per model and batch size:
  BATCH_RESULT {"model":..,"batch":..,"calls":..,"us_per_call":..,"us_per_row":..,"rows_per_s":..}
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from floor import OIP_TO_NP


def main() -> int:
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    model_dir = Path(sys.argv[1])
    seconds = float(sys.argv[2])
    warmup = float(sys.argv[3])
    batches = [int(b) for b in sys.argv[4].split(",")]
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    for name in sys.argv[5:]:
        req = json.loads((model_dir / f"{name}.request.json").read_text(encoding="utf-8"))
        sess = ort.InferenceSession(str(model_dir / f"{name}.onnx"), so, providers=["CPUExecutionProvider"])
        rows = {
            t["name"]: np.asarray(t["data"], dtype=OIP_TO_NP[t["datatype"]]).reshape(t["shape"])
            for t in req["inputs"]
        }
        for batch in batches:
            # The request's rows (batch 1 in every sample request) repeated to `batch` rows.
            feeds = {n: np.repeat(r[:1], batch, axis=0) for n, r in rows.items()}
            start_at = time.perf_counter() + warmup
            end_at = start_at + seconds
            calls = 0
            while True:
                sess.run(None, feeds)
                now = time.perf_counter()
                if now >= end_at:
                    break
                if now >= start_at:
                    calls += 1
            us_per_call = seconds * 1e6 / calls
            result = {
                "model": name,
                "batch": batch,
                "calls": calls,
                "us_per_call": round(us_per_call, 2),
                "us_per_row": round(us_per_call / batch, 2),
                "rows_per_s": round(calls * batch / seconds, 1),
            }
            print("BATCH_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
