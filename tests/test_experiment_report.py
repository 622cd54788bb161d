"""The experiment report through the command line, on experiments written to a real journal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from runtime.store import Journal

ROOT = Path(__file__).resolve().parent.parent


def experiment(data: Path, split: dict[str, tuple[int, int]], seed: str = "1") -> None:
    """`split`: variant -> (people, converted) for xiaolan-sales."""
    journal = Journal(data / "botstudio.sqlite3")
    with journal.transaction() as db:
        for variant, (people, converted) in split.items():
            for i in range(people):
                user = f"{variant}-{i}"
                db.execute(
                    "INSERT INTO assignments VALUES ('xiaolan-sales', ?, ?, ?, ?)",
                    (seed, user, variant, time.time()),
                )
                if i < converted:
                    db.execute(
                        "INSERT INTO leads (bot_id, user, conversation, variant, converted,"
                        " converted_at, created_at, updated_at)"
                        " VALUES ('xiaolan-sales', ?, ?, ?, 1, ?, 0, 0)",
                        (user, user, variant, time.time() - 86400 * (i % 3)),
                    )
    journal.close()


def report(bots: Path, data: Path, lang: str = "en", as_json: bool = True):
    env = {**os.environ, "BOTSTUDIO_LANG": lang}
    args = ["report", "xiaolan-sales", *(["--json"] if as_json else [])]
    result = subprocess.run(
        [sys.executable, "launch.py", "--bots", str(bots), "--data", str(data), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if as_json else result.stdout


def test_a_clear_winner_is_named_with_its_chance(tmp_path: Path, bots_dir: Path) -> None:
    experiment(tmp_path, {"A": (1000, 100), "B": (1000, 150)})
    data = report(bots_dir, tmp_path)
    a, b = data["variants"]
    assert (a["id"], a["users"], a["conversions"]) == ("A", 1000, 100)
    assert b["rate"] == 0.15 and b["ci_low"] < 0.15 < b["ci_high"]
    assert b["p_value"] < 0.01 and b["chance_to_win"] > 0.99
    assert data["srm_p"] > 0.5
    assert data["advice"].startswith("B is better with") and "adopt B" in data["advice"]
    chinese = report(bots_dir, tmp_path, lang="zh")
    assert chinese["advice"] == "B 更好的概率为 99%，建议采用 B。"  # never a certain 100%


def test_too_little_data_says_how_many_more_people(tmp_path: Path, bots_dir: Path) -> None:
    experiment(tmp_path, {"A": (100, 10), "B": (100, 13)})
    data = report(bots_dir, tmp_path, lang="zh")
    assert data["advice"].startswith("样本还不够：每组还需约 ")
    assert "人" in data["advice"]


def test_a_broken_split_is_flagged_before_anything_else(tmp_path: Path, bots_dir: Path) -> None:
    experiment(tmp_path, {"A": (1300, 130), "B": (700, 140)})
    data = report(bots_dir, tmp_path)
    assert data["srm_p"] < 0.001
    assert "do not trust the results" in data["advice"]
    text = report(bots_dir, tmp_path, as_json=False)
    assert "sample ratio check" in text and "do not trust" in text


def test_adopting_the_winner_rewrites_yaml_that_check_accepts(
    tmp_path: Path, bots_dir: Path
) -> None:
    from runtime.experiments.adopt import adopt
    from runtime.models.catalog import ModelCatalog
    from runtime.spec import BotRepository

    repo = BotRepository(bots_dir, ModelCatalog(ROOT / "gguf"), "en")
    spec = repo.load("xiaolan-sales")
    winner_greeting = spec.resolve("B").greeting
    adopted = adopt(repo, spec, "B", {"advice": "adopt B"}, tmp_path / "experiments")
    assert adopted.greeting == winner_greeting and adopted.experiment.seed == "2"
    assert (
        json.loads((tmp_path / "experiments" / "xiaolan-sales-1.json").read_text())["adopted"]
        == "B"
    )
    text = (bots_dir / "xiaolan-sales.yaml").read_text(encoding="utf-8")
    assert (
        (text.startswith("# 小蓝") and "seed: '2'" in text)
        or 'seed: "2"' in text
        or "seed: 2" in text
    )
    result = subprocess.run(
        [sys.executable, "launch.py", "--bots", str(bots_dir), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout
    reloaded = repo.load("xiaolan-sales")
    assert reloaded.experiment.seed == "2" and reloaded.resolve("A").greeting == winner_greeting
