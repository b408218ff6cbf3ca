"""`bot.py bench`: query latency and ingest throughput, hybrid next to the dense-only baseline.

The measurements (``desk_cli/benchmark/``) import the whole core and ``ingest`` (text splitters included, about
a second): each handler imports them when ``bench`` runs, so other commands start without them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from desk_cli import exit_codes
from dispute_desk.embedding import build_embedder
from dispute_desk.eval import load_questions
from dispute_desk.settings import PROJECT_DIR, Settings
from dispute_desk.store import ChunkStore

if TYPE_CHECKING:
    from desk_cli.benchmark.forum import ForumFigures

DEFAULT_QUESTIONS = PROJECT_DIR / "tests" / "eval" / "test.jsonl"  # members' questions, stories and all


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("bench", help="measure query latency and ingest throughput")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="question set to time")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the question set")
    parser.add_argument("--docs", type=int, default=5000, help="documents for the unchanged re-ingest run")
    parser.add_argument("--skip-reingest", action="store_true", help="skip the unchanged re-ingest run")
    parser.add_argument("--forum-posts", type=int, default=0, metavar="N",
                        help="also ingest a generated Discourse export of N posts (e.g. 20000) and time it")
    parser.add_argument("--forum-only", action="store_true", help="run only the --forum-posts benchmark")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--concurrency", type=int, metavar="N",
                        help="only the load test: N concurrent questions through the core against the configured "
                             "store; prints throughput and p50/p95/p99")
    parser.add_argument("--requests", type=int, default=0, help="questions in the load test (default 10 x N)")
    parser.add_argument("--backends", action="store_true",
                        help="only compare encode speed (chunks/s) of the torch and onnx embedding backends")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="only the scale test: open a generated N-chunk index in --scale-dir (built there on the "
                             "first run, random vectors); prints load time and memory. Run it twice: the first "
                             "load re-reads and saves the corpus, the second uses the saved one")
    parser.add_argument("--scale-dir", type=Path, default=Path("data-scale"), help="data dir for --scale")
    parser.set_defaults(handler=handle)


def handle_scale(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from desk_cli.benchmark import scale

    scale_settings = settings.updated({"data_dir": args.scale_dir, "chroma_host": None})
    embedder = build_embedder(scale_settings)
    with console.status(f"opening (building first if needed) {args.scale} generated chunks in {args.scale_dir}..."):
        result = scale.scale_load(scale_settings, embedder, args.scale)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        source = "saved corpus" if result.cached else "re-read and re-tokenised (now saved)"
        console.print(f"{result.chunks} chunks: index load {result.load_s:.1f} s ({source}), "
                      f"RSS while answering {result.rss_mb:.0f} MB", highlight=False)
    return exit_codes.OK


def handle_backends(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from desk_cli.benchmark import speed

    texts = speed.knowledge_texts(settings.knowledge_dir)
    with console.status("loading both backends (the first onnx use exports the model)..."):
        embedders = {backend: build_embedder(settings.updated({"embedding_backend": backend}))
                     for backend in ("torch", "onnx")}
    with console.status(f"encoding {len(texts)} chunks with each backend, 3 alternating rounds..."):
        rates = speed.encode_speed(embedders, texts)
    speedup = rates["onnx"] / rates["torch"] if rates["torch"] else 0.0
    if args.json:
        print(json.dumps({"chunks": len(texts), "chunks_per_s": rates, "speedup": round(speedup, 2)}, indent=2))
        return exit_codes.OK
    table = Table(title=f"Encode speed, {len(texts)} chunks (median of 3)", title_justify="left")
    table.add_column("backend")
    table.add_column("chunks/s", justify="right")
    for backend, rate in rates.items():
        table.add_row(backend, f"{rate:.1f}")
    table.add_row("onnx / torch", f"{speedup:.2f}x")
    console.print(table)
    return exit_codes.OK


def handle_load(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from desk_cli.benchmark import load
    from dispute_desk.desk import Desk

    if args.concurrency < 1:
        console.print("[red]--concurrency must be at least 1[/red]")
        return exit_codes.USAGE
    questions = [item.question for item in load_questions(args.questions)]
    desk = Desk.open(settings)
    requests = args.requests or 10 * args.concurrency
    with console.status(f"{requests} questions, {args.concurrency} at a time..."):
        result = load.concurrent_load(desk.ask, questions, args.concurrency, requests)
    if args.json:
        mode = {"store_mode": settings.store.store_mode, "model": desk.embedder.name,
                "ceiling_qps": result.ceiling_qps, "floor_ms": result.floor_ms}
        print(json.dumps(asdict(result) | mode, indent=2))
        return exit_codes.OK
    store_mode = settings.store.store_mode
    table = Table(title=f"Load: {result.concurrency} concurrent, {store_mode} store ({desk.embedder.name})",
                  title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("questions (errors)", f"{result.requests} ({result.errors})")
    table.add_row("throughput (questions/s)", f"{result.throughput_qps:.1f}")
    table.add_row("latency p50 / p95 / p99 (ms)", f"{result.p50_ms:.0f} / {result.p95_ms:.0f} / {result.p99_ms:.0f}")
    table.add_row("longest event-loop stall (ms)", f"{result.max_loop_stall_ms:.0f}")
    table.add_row("one question alone (ms, mean)", f"{result.serial_ms:.1f}")
    table.add_row(f"work of {result.cores} busy cores, relative to one", f"{result.speedup:.2f}x")
    table.add_row("ceiling: most questions/s this machine can answer", f"{result.ceiling_qps:.1f}")
    table.add_row(f"latency floor at {result.concurrency} concurrent (ms, mean)", f"{result.floor_ms:.0f}")
    console.print(table)
    return exit_codes.OK


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    if args.forum_only:
        return _forum_only(args, settings, console)
    if args.concurrency is not None:
        return handle_load(args, settings, console)
    if args.backends:
        return handle_backends(args, settings, console)
    if args.scale is not None:
        return handle_scale(args, settings, console)
    from desk_cli.benchmark import speed
    from desk_cli.benchmark.forum import forum_export

    ChunkStore(settings).live(settings.embedding.model)  # no index: exit 2 with the fix, before the model
    questions = [item.question for item in load_questions(args.questions)]
    embedder = build_embedder(settings)
    with console.status("timing queries..."):
        latency = speed.query_latency(settings, embedder, questions, args.repeat)
    with console.status("timing a full ingest of the knowledge folder..."):
        ingest = speed.ingest_speed(settings, embedder, settings.knowledge_dir)
    forum = None
    if args.forum_posts > 0:
        with console.status(f"ingesting a generated forum export of {args.forum_posts} posts twice..."):
            forum = forum_export(settings, embedder, args.forum_posts)
    reingest = None
    if not args.skip_reingest:
        with console.status(f"ingesting {args.docs} documents twice..."):
            reingest = speed.unchanged_reingest(settings, embedder, args.docs)
    if args.json:
        print(json.dumps({
            "latency": {k: asdict(v) for k, v in latency.items()},
            "ingest": {k: asdict(v) | {"ratio": round(v.ratio, 3)} for k, v in ingest.items()},
            "reingest": None if reingest is None else {"documents": args.docs, "first_s": reingest[0],
                                                       "unchanged_s": reingest[1]},
            "forum_export": None if forum is None else forum.to_json(),
        }, indent=2))
        return exit_codes.OK
    table = Table(title=f"Dispute Desk benchmark ({embedder.name})", title_justify="left")
    table.add_column("figure")
    table.add_column("hybrid (default)", justify="right")
    table.add_column("dense-only baseline", justify="right")
    h, d = latency["hybrid"], latency["dense"]
    table.add_row(f"warm query p50 (ms, {h.runs} runs)", f"{h.p50_ms:.1f}", f"{d.p50_ms:.1f}")
    table.add_row("warm query p95 (ms)", f"{h.p95_ms:.1f}", f"{d.p95_ms:.1f}")
    hi, di = ingest["hybrid"], ingest["dense"]
    table.add_row(f"full ingest (chunks/s, {hi.chunks} chunks)", f"{hi.ingest_chunks_per_s:.1f}",
                  f"{di.ingest_chunks_per_s:.1f}")
    table.add_row("embedder encode alone (chunks/s)", f"{hi.encode_chunks_per_s:.1f}", f"{di.encode_chunks_per_s:.1f}")
    table.add_row("ingest / encode", f"{hi.ratio:.0%}", f"{di.ratio:.0%}")
    table.add_row("index load for answering (ms)", f"{hi.index_load_ms:.0f}", f"{di.index_load_ms:.0f}")
    if reingest is not None:
        table.add_row(f"first ingest of {args.docs} docs (s)", f"{reingest[0]:.1f}", "same")
        table.add_row(f"unchanged re-ingest of {args.docs} docs (s)", f"{reingest[1]:.2f}", "same")
    console.print(table)
    if forum is not None:
        console.print(_forum_table(forum))
    return exit_codes.OK


def _forum_only(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    if args.forum_posts <= 0:
        console.print("[red]--forum-only needs --forum-posts N[/red]")
        return exit_codes.USAGE
    from desk_cli.benchmark.forum import forum_export

    embedder = build_embedder(settings)
    with console.status(f"ingesting a generated forum export of {args.forum_posts} posts twice..."):
        forum = forum_export(settings, embedder, args.forum_posts)
    if args.json:
        print(json.dumps({"forum_export": forum.to_json()}, indent=2))
    else:
        console.print(_forum_table(forum))
    return exit_codes.OK


def _forum_table(forum: ForumFigures) -> Table:
    table = Table(title=f"Generated Discourse export: {forum.posts} posts in {forum.topics} topics, "
                        f"{forum.chunks} chunks", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("first ingest (s)", f"{forum.first_s:.1f}")
    table.add_row("first ingest (chunks/s)", f"{forum.ingest_chunks_per_s:.1f}")
    table.add_row("embedder encode alone (chunks/s)", f"{forum.encode_chunks_per_s:.1f}")
    table.add_row("ingest / encode", f"{forum.ratio:.0%}")
    table.add_row("unchanged re-ingest (s)", f"{forum.unchanged_s:.2f}")
    table.add_row("index load for answering, fresh process (ms)", f"{forum.index_load_ms:.0f}")
    table.add_row("answer p50, fresh process (ms)", f"{forum.answer_p50_ms:.1f}")
    table.add_row("memory: model loaded / answering from the index (MB RSS)",
                  f"{forum.rss_model_mb:.0f} / {forum.rss_answering_mb:.0f}")
    return table
