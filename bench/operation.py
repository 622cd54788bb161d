"""Day-to-day operation benchmark, each figure against a baseline in the same run:

- a scheduler tick over 100 schedules in 20 bot files, against only reading those
  files (what a tick cannot avoid), and a tick that runs all 100 pushes;
- streaming a reply through the blocked-word screen (20 words), against the same
  reply, same seed, unscreened, on the real model;
- the per-person rate-limit check on a journal holding 100,000 inbox messages,
  against a bare SQLite round trip.

    .venv/bin/python bench/operation.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.engine import Engine, ModelPool  # noqa: E402
from runtime.inbox import Inbox  # noqa: E402
from runtime.models.catalog import ModelCatalog  # noqa: E402
from runtime.outbox import Outbox  # noqa: E402
from runtime.safety import WordGuard, over_rate_limit  # noqa: E402
from runtime.schedules.runner import Scheduler  # noqa: E402
from runtime.spec import BotRepository, parse_bot  # noqa: E402
from runtime.spec.model import ModelSettings  # noqa: E402
from runtime.store import Journal  # noqa: E402
from runtime.store.settings import Settings  # noqa: E402
from runtime.wecom.bindings import Bindings  # noqa: E402

BLOCKED = [
    "赌博",
    "返现",
    "加微信",
    "vx",
    "刷单",
    "兼职",
    "代开发票",
    "贷款",
    "彩票",
    "外挂",
    "casino",
    "refund",
    "lottery",
    "loan",
    "crypto",
    "bitcoin",
    "forex",
    "invoice",
    "escort",
    "weapon",
]


def median_ms(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def scheduler_figures(root: Path) -> None:
    bots = root / "bots"
    bots.mkdir()
    for b in range(20):
        text = "早报 {date}：昨天新增线索 {new_leads} 条"
        schedules = "".join(
            f"  - {{id: s{s}, cron: '{s} 9 * * 1-5', text: '{text}'}}\n" for s in range(5)
        )
        (bots / f"bot{b}.yaml").write_text(
            f"id: bot{b}\nname: Bot {b}\nschedules:\n{schedules}", encoding="utf-8"
        )
    clock = [1795395540.0]  # Monday 8:59 in Shanghai
    journal = Journal(root / "j.sqlite3")
    bindings = Bindings(Settings(root / "settings.json"), journal)
    for b in range(20):
        bindings.bind(f"bot{b}", "webhook", {"key": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"})
    repo = BotRepository(bots, ModelCatalog(root / "gguf"), "zh")
    scheduler = Scheduler(repo, journal, Outbox(journal, bindings), clock=lambda: clock[0])
    scheduler.tick()  # first sight of every schedule
    read = median_ms(lambda: [repo.load(i) for i in repo.ids()], 20)
    idle = median_ms(scheduler.tick, 20)
    clock[0] += 5 * 60 + 30  # 9:05:30: every schedule is due
    started = time.perf_counter()
    ran = len(scheduler.tick())
    due = (time.perf_counter() - started) * 1000
    print(
        f"scheduler, 20 bots x 5 schedules: reading the files {read:.1f} ms; "
        f"an idle tick {idle:.1f} ms ({idle / read:.2f}x); "
        f"a tick running {ran} pushes {due:.0f} ms ({due / ran:.1f} ms per push)"
    )


def screen_figures(gguf: Path) -> None:
    engine = Engine(ModelCatalog(gguf), ModelPool(threads=2))
    settings = ModelSettings(temperature=0.7, seed=7, max_tokens=300, context=2048)
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Write a long, detailed story about a lighthouse."},
    ]
    engine.generate(settings, messages, pinned=1, max_tokens=8).read_all()  # load and warm

    def run(screened: bool) -> tuple[float, int, str]:
        generation = engine.generate(settings, messages, pinned=1, max_tokens=300)
        pieces = WordGuard(BLOCKED).screen(iter(generation)) if screened else generation
        started = time.perf_counter()
        text = "".join(pieces)
        return time.perf_counter() - started, generation.stats.generated_tokens, text

    plain, screened = [], []
    for _ in range(3):  # alternate, so that warm-up and noise fall on both
        seconds, tokens, text_plain = run(False)
        plain.append(tokens / seconds)
        seconds, tokens, text_screened = run(True)
        screened.append(tokens / seconds)
    same = "same text" if text_plain == text_screened else "TEXT DIFFERS"
    p, s = statistics.median(plain), statistics.median(screened)
    print(
        f"blocked-word screen (20 words) on a 300-token reply: {s:.1f} tok/s screened vs "
        f"{p:.1f} unscreened ({s / p:.3f}x), {same}"
    )


def rate_limit_figures(root: Path) -> None:
    journal = Journal(root / "rate.sqlite3")
    spec = parse_bot(b"id: shop\nname: Shop\n", "shop.yaml", lang="en")
    now = time.time()
    with journal.transaction() as db:
        db.executemany(
            "INSERT INTO inbox (channel, bot_id, msgid, conversation, speaker, text, reply,"
            " received_at) VALUES ('aibot', 'shop', ?, ?, ?, 'hi', '{}', ?)",
            [(f"m{i}", f"u{i % 5000}", f"u{i % 5000}", now - i) for i in range(100_000)],
        )
    bare = median_ms(lambda: journal.connection().execute("SELECT 1").fetchone(), 200)
    check = median_ms(lambda: over_rate_limit(Inbox(journal), spec, "u42", now), 200)
    print(
        f"rate-limit check, 100,000 inbox rows: {check:.3f} ms vs a bare SQLite query {bare:.3f} ms"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        scheduler_figures(root)
        rate_limit_figures(root)
    screen_figures(ROOT / "gguf")


if __name__ == "__main__":
    main()
