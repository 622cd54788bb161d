"""The engine: GGUF models through llama.cpp, shared, batched and prefix-cached."""

from runtime.engine.engine import Engine, Generation, ModelMissing
from runtime.engine.llama_model import GenerationStats, Sampling, gpu_offload_supported
from runtime.engine.pool import POOL, ModelPool

__all__ = [
    "POOL",
    "Engine",
    "Generation",
    "GenerationStats",
    "ModelMissing",
    "ModelPool",
    "Sampling",
    "gpu_offload_supported",
]
