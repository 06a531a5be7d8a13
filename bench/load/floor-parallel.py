#!/usr/bin/env python3
"""In-process onnxruntime ceiling with N sessions running at once (one Python thread each).

The peer benchmark's floor (floor.py) is one session on one thread; "twice the floor" assumes two
cores give twice the runs. This measures what two (or N) single-threaded sessions really do
together on this machine (onnxruntime releases the GIL inside run()), so the compute-heavy target
can be read against the machine rather than against an assumption. Batch 1, inputs built from the
OIP v2 request's data as floor.py does.

usage: floor-parallel.py MODEL_DIR SECONDS WARMUP_SECONDS THREADS MODEL [MODEL...]
prints one line per model: PARALLEL_RESULT {"model":..,"threads":..,"runs":..,"rps":..,"per_thread_rps":[..]}
"""

import json
import sys
import threading
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from floor import OIP_TO_NP


def main() -> int:
    model_dir, seconds, warmup = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    threads = int(sys.argv[4])
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    for name in sys.argv[5:]:
        req = json.loads((model_dir / f"{name}.request.json").read_text(encoding="utf-8"))
        inputs = [(t["name"], t["data"], OIP_TO_NP[t["datatype"]], t["shape"]) for t in req["inputs"]]
        sessions = [
            ort.InferenceSession(str(model_dir / f"{name}.onnx"), so, providers=["CPUExecutionProvider"])
            for _ in range(threads)
        ]
        counts = [0] * threads
        start_at = time.perf_counter() + warmup
        end_at = start_at + seconds

        def loop(i: int) -> None:
            sess = sessions[i]
            while True:
                feeds = {n: np.asarray(d, dtype=dt).reshape(s) for n, d, dt, s in inputs}
                sess.run(None, feeds)
                now = time.perf_counter()
                if now >= end_at:
                    return
                if now >= start_at:
                    counts[i] += 1

        workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        result = {
            "model": name,
            "threads": threads,
            "runs": sum(counts),
            "rps": round(sum(counts) / seconds, 1),
            "per_thread_rps": [round(c / seconds, 1) for c in counts],
        }
        print("PARALLEL_RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
