"""The build report: every snippet with its pages, status, duration and cache hit or miss."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_atomic
from .engine import Evaluation
from .results import Result
from .texts import Texts


@dataclass
class Row:
    """One snippet of the build: its evaluation and the pages (``docs/x.md:LINE``) that embed it."""

    evaluation: Evaluation
    pages: list[str] = field(default_factory=list)

    @property
    def result(self) -> Result:
        return self.evaluation.result

    @property
    def status(self) -> str:
        return self.evaluation.status

    def to_json(self) -> dict:
        r = self.result
        return {
            "snippet": f"snippets/{r.snippet}",
            "pages": self.pages,
            "status": self.status,
            "duration_s": round(r.duration, 3),
            "cache": "hit" if r.cached else "miss",
            "key": r.key,
            "loads": r.loads,
            "failure": r.failure.to_json() if r.failure else None,
        }


def write_json(rows: list[Row], path: Path, summary: dict) -> None:
    data = {"summary": summary, "snippets": [row.to_json() for row in rows]}
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode())


def markdown_table(rows: list[Row], texts: Texts) -> str:
    if not rows:
        return texts.report_empty + "\n"
    lines = [texts.report_header, "| --- | --- | --- | ---: | --- |"]
    for row in rows:
        pages = "<br>".join(f"`{page}`" for page in row.pages) or "—"
        cache = texts.report_cache_hit if row.result.cached else texts.report_cache_miss
        lines.append(
            f"| `snippets/{row.result.snippet}` | {pages} | {row.status} | {row.result.duration:.2f} s | {cache} |"
        )
    return "\n".join(lines) + "\n"


def summarize(rows: list[Row], wall_seconds: float, worker_starts: int) -> dict:
    results = [row.result for row in rows]
    ran = [r for r in results if not r.cached and (r.failure is None or r.failure.kind != "invalid")]
    return {
        "snippets": len(rows),
        "ok": sum(row.status == "ok" for row in rows),
        "failed": sum(not r.ok for r in results),
        "drift": sum(row.status == "drift" for row in rows),
        "cache_hits": sum(r.cached for r in results),
        "executed": len(ran),
        "checkpoint_loads": sum(len(r.loads) for r in ran),
        "worker_starts": worker_starts,
        "execution_wall_s": round(wall_seconds, 3),
        "worker_peak_rss_mb": round(max((r.peak_rss_kb for r in ran), default=0) / 1024, 1),
    }
