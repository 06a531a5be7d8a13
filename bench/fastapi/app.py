"""FastAPI + uvicorn + onnxruntime peer for Starling's benchmarks.

A straightforward, reasonably tuned Open Inference Protocol v2 server, written the way a
competent FastAPI user would write one:

  GET  /v2/health/live, /v2/health/ready
  GET  /v2/models/{name}            (metadata)
  GET  /v2/models/{name}/ready
  POST /v2/models/{name}/infer

Every *.onnx file in $MODEL_DIR (default samples/models) is loaded at start-up as an
onnxruntime.InferenceSession with intra_op_num_threads=1 and inter_op_num_threads=1
(one uvicorn worker = one inference thread at a time per request; scale with --workers).

Choices made for speed (measured on the 2-core bench machine, see bench/results/):
- Request/response are pydantic v2 models. The tensor `data` element type is a union of
  *strict* types: pydantic's default (lax) union of bool|int|float|str costs ~1 ms to
  validate 1,024 floats, the strict union ~0.17 ms, with the same validation outcome for
  JSON input.
- A response_model with the default response class lets FastAPI serialize the response
  straight to JSON bytes in pydantic-core (Rust), without jsonable_encoder/json.dumps.
- INFER_MODE=inline (default): the endpoint is `async def` and calls session.run on the
  event loop. INFER_MODE=threadpool: the endpoint is a sync `def`, which FastAPI runs in
  its threadpool. See bench/fastapi/README.md for the measured difference.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, StrictBool, StrictFloat, StrictInt, StrictStr

MODEL_DIR = Path(os.environ.get("MODEL_DIR", "samples/models"))
INFER_MODE = os.environ.get("INFER_MODE", "inline")

OIP_TO_NP: dict[str, Any] = {
    "BOOL": np.bool_,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
    "UINT32": np.uint32,
    "UINT64": np.uint64,
    "INT8": np.int8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FP16": np.float16,
    "FP32": np.float32,
    "FP64": np.float64,
    "BYTES": object,
}
NP_TO_OIP = {np.dtype(v): k for k, v in OIP_TO_NP.items() if v is not object}
ORT_TO_OIP = {
    "tensor(bool)": "BOOL", "tensor(uint8)": "UINT8", "tensor(uint16)": "UINT16",
    "tensor(uint32)": "UINT32", "tensor(uint64)": "UINT64", "tensor(int8)": "INT8",
    "tensor(int16)": "INT16", "tensor(int32)": "INT32", "tensor(int64)": "INT64",
    "tensor(float16)": "FP16", "tensor(float)": "FP32", "tensor(double)": "FP64",
    "tensor(string)": "BYTES",
}

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr


class InferInput(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[Scalar]


class RequestedOutput(BaseModel):
    name: str


class InferRequest(BaseModel):
    id: str | None = None
    inputs: list[InferInput]
    outputs: list[RequestedOutput] | None = None


class InferOutput(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[Scalar]


class InferResponse(BaseModel):
    model_name: str
    model_version: str | None = None
    id: str | None = None
    outputs: list[InferOutput]


class TensorMetadata(BaseModel):
    name: str
    datatype: str
    shape: list[int]


class ModelMetadata(BaseModel):
    name: str
    versions: list[str]
    platform: str
    inputs: list[TensorMetadata]
    outputs: list[TensorMetadata]


class Ready(BaseModel):
    ready: bool


def load_models(model_dir: Path) -> dict[str, ort.InferenceSession]:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sessions = {}
    for path in sorted(model_dir.glob("*.onnx")):
        sessions[path.stem] = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return sessions


SESSIONS = load_models(MODEL_DIR)
OUTPUT_NAMES = {name: [o.name for o in s.get_outputs()] for name, s in SESSIONS.items()}

app = FastAPI(title="onnxruntime OIP v2 (FastAPI peer)")


def _session(name: str) -> ort.InferenceSession:
    sess = SESSIONS.get(name)
    if sess is None:
        raise HTTPException(status_code=404, detail=f"model '{name}' not found")
    return sess


def _to_numpy(t: InferInput) -> np.ndarray:
    dtype = OIP_TO_NP.get(t.datatype)
    if dtype is None:
        raise HTTPException(status_code=400, detail=f"input '{t.name}': unknown datatype {t.datatype}")
    try:
        arr = np.asarray(t.data, dtype=dtype)
        return arr.reshape(t.shape)
    except (ValueError, TypeError, OverflowError) as e:
        raise HTTPException(status_code=400, detail=f"input '{t.name}': {e}") from e


def _to_output(name: str, arr: np.ndarray) -> InferOutput:
    datatype = "BYTES" if arr.dtype == object else NP_TO_OIP[arr.dtype]
    return InferOutput(name=name, shape=list(arr.shape), datatype=datatype, data=arr.ravel().tolist())


def _infer(model_name: str, req: InferRequest) -> InferResponse:
    sess = _session(model_name)
    feeds = {t.name: _to_numpy(t) for t in req.inputs}
    names = [o.name for o in req.outputs] if req.outputs else OUTPUT_NAMES[model_name]
    try:
        results = sess.run(names, feeds)
    except Exception as e:  # onnxruntime raises its own exception types for bad inputs
        raise HTTPException(status_code=400, detail=str(e)) from e
    return InferResponse(
        model_name=model_name,
        id=req.id,
        outputs=[_to_output(n, r) for n, r in zip(names, results)],
    )


if INFER_MODE == "threadpool":
    @app.post("/v2/models/{model_name}/infer", response_model=InferResponse, response_model_exclude_none=True)
    def infer(model_name: str, req: InferRequest) -> InferResponse:
        return _infer(model_name, req)
elif INFER_MODE == "inline":
    @app.post("/v2/models/{model_name}/infer", response_model=InferResponse, response_model_exclude_none=True)
    async def infer(model_name: str, req: InferRequest) -> InferResponse:
        return _infer(model_name, req)
else:
    raise SystemExit(f"INFER_MODE must be inline or threadpool, not {INFER_MODE!r}")


@app.get("/v2/health/ready", response_model=Ready)
async def ready() -> Ready:
    return Ready(ready=True)


@app.get("/v2/health/live", response_model=Ready)
async def live() -> Ready:
    return Ready(ready=True)


@app.get("/v2/models/{model_name}/ready", response_model=Ready)
async def model_ready(model_name: str) -> Ready:
    _session(model_name)
    return Ready(ready=True)


@app.get("/v2/models/{model_name}", response_model=ModelMetadata)
async def metadata(model_name: str) -> ModelMetadata:
    sess = _session(model_name)

    def meta(args):
        return [TensorMetadata(name=a.name, datatype=ORT_TO_OIP.get(a.type, a.type),
                               shape=[d if isinstance(d, int) else -1 for d in a.shape]) for a in args]

    return ModelMetadata(name=model_name, versions=["1"], platform="onnxruntime_onnx",
                         inputs=meta(sess.get_inputs()), outputs=meta(sess.get_outputs()))
