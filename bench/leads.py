"""Lead extraction benchmark: precision and recall per field type, validators alone
against validators plus the model (grammar-constrained), with latency, on the
labelled messages in bench/leads_data.py (Chinese and English, decoys included).

    .venv/bin/python bench/leads.py [--model FILE.gguf]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.leads_data import labelled  # noqa: E402
from runtime.engine import Engine, ModelPool  # noqa: E402
from runtime.leads.extract import extract  # noqa: E402
from runtime.models.catalog import ModelCatalog  # noqa: E402
from runtime.spec.model import LeadField, ModelSettings  # noqa: E402

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
FIELDS = [
    LeadField(key="phone", label="手机 mobile", type="phone_cn"),
    LeadField(key="email", label="邮箱 email", type="email"),
    LeadField(key="wechat", label="微信号 WeChat id", type="wechat_id"),
    LeadField(key="company", label="公司 company", type="text"),
    LeadField(
        key="product",
        label="关注产品 product",
        type="choice",
        options=["IM SDK", "智能客服", "音视频"],
    ),
    LeadField(key="meeting", label="见面时间 meeting time", type="datetime"),
]


def score(results: list[tuple[dict, dict]]) -> dict[str, tuple[float, float, int]]:
    table = {}
    for fld in FIELDS:
        tp = sum(1 for want, got in results if fld.key in got and got[fld.key] == want.get(fld.key))
        predicted = sum(1 for _, got in results if fld.key in got)
        actual = sum(1 for want, _ in results if fld.key in want)
        precision = tp / predicted if predicted else 1.0
        recall = tp / actual if actual else 1.0
        table[fld.key] = (precision, recall, actual)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="default")
    args = parser.parse_args()
    data = labelled()
    engine = Engine(ModelCatalog(ROOT / "gguf"), ModelPool(), "en")
    settings = ModelSettings(file=args.model, temperature=0, context=4096)

    def generate(system: str, message: str, schema: dict, max_tokens: int) -> str:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": message}]
        return engine.generate(
            settings, messages, pinned=1, max_tokens=max_tokens, schema=schema
        ).read_all()

    unparsed = []
    logging.getLogger("runtime.leads.extract").addFilter(lambda r: unparsed.append(r) and False)
    runs = {}
    for name, model in (("validators alone", None), ("validators + model", generate)):
        results, times = [], []
        for message, want in data:
            started = time.perf_counter()
            # as in a conversation: validators for every field; the model for a free-text
            # field when the bot has just asked for it: here every message that is not about
            # another field counts as a reply to "which company?" (chatter and decoys included)
            about_other = any(k in want for k in ("phone", "email", "wechat", "meeting"))
            asked = [] if about_other else [fld for fld in FIELDS if fld.type == "text"]
            wanted = [fld for fld in FIELDS if fld.type != "text"] + asked
            got = extract(wanted, message, NOW, model)
            times.append(time.perf_counter() - started)
            results.append((want, {k: str(v) for k, v in got.items()}))
        runs[name] = (score(results), times)

    print(f"{len(data)} labelled messages, model {args.model}\n")
    print(f"{'field (type)':<22}" + "".join(f"{name:>30}" for name in runs))
    print(f"{'':<22}" + "".join(f"{'precision  recall':>30}" for _ in runs))
    for fld in FIELDS:
        cells = ""
        for scores, _ in runs.values():
            precision, recall, _n = scores[fld.key]
            cells += f"{precision:>19.2f} {recall:>9.2f} "
        print(f"{fld.key + ' (' + fld.type + ')':<22}{cells}  n={scores[fld.key][2]}")
    print(f"\nmodel answers that did not parse: {len(unparsed)}")
    for name, (_, times) in runs.items():
        print(
            f"\nlatency, {name}: median {statistics.median(times) * 1000:.2f} ms, "
            f"max {max(times) * 1000:.1f} ms per message"
        )


if __name__ == "__main__":
    main()
