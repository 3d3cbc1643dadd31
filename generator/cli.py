"""The ``partnerkit`` command line: parses options, calls operations, formats errors and progress.

This is the only module that writes to the terminal.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from pathlib import Path

import click

from generator import __version__
from generator.errors import ContentErrors, PartnerkitError


class TerminalReporter:
    """Renders library progress on stderr: steps as lines, progress as a bar redrawn in place, drawn
    only when stderr is a terminal (so CI logs and pipes get no carriage returns)."""

    def __init__(self, quiet: bool = False, bars: bool | None = None):
        self.quiet = quiet
        self.bars = sys.stderr.isatty() if bars is None else bars
        self._bar_label: str | None = None

    def step(self, message: str) -> None:
        if not self.quiet:
            self._end_bar()
            click.echo(message, err=True)

    def progress(self, label: str, done: float, total: float, unit: str) -> None:
        if self.quiet or not self.bars:
            return
        click.echo(f"\r{progress_line(label, done, total, unit)}", err=True, nl=False)
        self._bar_label = label
        if done >= total:
            self._end_bar()

    def warning(self, message: str) -> None:
        self._end_bar()
        click.secho(f"Warning: {message}", err=True, fg="yellow")

    def _end_bar(self) -> None:
        if self._bar_label is not None:
            click.echo("", err=True)
            self._bar_label = None


def progress_line(label: str, done: float, total: float, unit: str, width: int = 30) -> str:
    """``Releases [##########----] 2/3 built``: counts (ints) as whole numbers, measures to one decimal."""
    share = 0 if total <= 0 else min(done / total, 1.0)
    filled = int(share * width)
    bar = "#" * filled + "-" * (width - filled)

    def number(value: float) -> str:
        return str(value) if isinstance(value, int) else f"{value:.1f}"

    return f"{label} [{bar}] {number(done)}/{number(total)} {unit}"


def format_content_errors(errors: ContentErrors) -> str:
    """The located list of errors and the closing ``Aborted with N errors`` line."""
    count = len(errors.errors)
    lines = [str(error) for error in errors.errors]
    lines.append(f"Aborted with {count} error{'s' if count != 1 else ''}")
    return "\n".join(lines)


def run_operation(debug: bool, operation, *args, **kwargs):
    """Call an operation; turn partnerkit's errors into plain messages and exit status 1."""
    try:
        return operation(*args, **kwargs)
    except ContentErrors as exc:
        if debug:
            raise
        click.echo(format_content_errors(exc), err=True)
    except PartnerkitError as exc:
        if debug:
            raise
        click.echo(f"Error: {exc}", err=True)
    sys.exit(1)


def path_type(**options) -> click.Path:
    """Every path option is made absolute here, once, against the folder the command runs in: operations
    only ever see absolute paths, whatever folder they later run tools in."""
    return click.Path(path_type=Path, resolve_path=True, **options)


def database(db: str | None) -> str | None:
    """``--db``: a URL stays as given; a file path (or ``sqlite:///path``) is made absolute like other paths."""
    from generator.store.database import database_kind, sqlite_path

    if db is None or database_kind(db) != "sqlite":
        return db
    return str(sqlite_path(db).resolve())


def address(value: str, option: str) -> tuple[str, int]:
    """``HOST:PORT`` (an IPv6 host in brackets) as a pair; a usage error otherwise."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"{value}: give HOST:PORT, e.g. 127.0.0.1:9108", param_hint=option)
    return host.strip("[]"), int(port)


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when it lies inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


_command_is_the_process = False
"""Set by :func:`main`: the process ends with the command, so what it allocates need not be collected."""


@contextlib.contextmanager
def without_cyclic_collector():
    """Runs a check or a build without Python's cyclic garbage collector: they load, render and end, what
    they allocate lives until then in few reference cycles (at 500 modules, 1 MB more for a check, 3 MB
    for a build of one release), and the collector's passes over every model and page cost a seventh of a check's time.
    Run in-process (tests), the collector is on again after; run by :func:`main`, the process ends instead."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting and not _command_is_the_process:
            gc.enable()


project_option = click.option(
    "--project", "-p", "project", type=path_type(file_okay=False), default=Path("."),
    show_default=True, help="Project folder holding site_config.yml and content/.",
)
debug_option = click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")


COMMANDS_IN_ORDER_OF_USE = (
    "transcribe", "check", "serve", "build", "release",
    "deploy", "invite", "revoke", "collect", "worklists", "signals", "notify", "report",
    "export-qti", "credential-key", "revoke-certificate", "lrs-send", "backup", "restore", "forget",
)
"""``partnerkit --help`` lists the commands in the order people use them: write and preview, publish,
deploy and reach the reps, run the jobs that read what they did, certificates and learning records,
keeping the data safe, then forgetting a rep."""


class CommandsInOrderOfUse(click.Group):
    """A group whose help lists commands in :data:`COMMANDS_IN_ORDER_OF_USE`, each with its whole first
    sentence (wrapped, never cut off with "...")."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        known = {name: index for index, name in enumerate(COMMANDS_IN_ORDER_OF_USE)}
        return sorted(self.commands, key=lambda name: (known.get(name, len(known)), name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.get_short_help_str(limit=10_000))
                for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=CommandsInOrderOfUse, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="partnerkit")
def cli() -> None:
    """Build a partner learning site from YAML playbooks and recorded talks."""


@cli.command()
@project_option
@click.option("--site-dir", "-d", type=path_type(file_okay=False), default=None,
              help="Output folder (default: site/ in the project).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Releases built at the same time (default: one more than the cores).")
@click.option("--only", metavar="VERSION", default=None,
              help="Rebuild this release even if unchanged; others come from the cache.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@debug_option
def build(project: Path, site_dir: Path | None, jobs: int | None, only: str | None, quiet: bool, debug: bool) -> None:
    """Build the static site into site/ (one folder per release when versions are declared)."""
    from generator.engine import start_early, stop_early

    start_early(project, rebuild=only is not None)  # the engine's code loads while partnerkit's does
    try:
        with without_cyclic_collector():
            from generator.commands.build import build as build_operation

            run_operation(debug, build_operation, project, site_dir or project / "site", TerminalReporter(quiet), jobs, only)
    finally:
        stop_early()


@cli.command()
@project_option
@debug_option
def check(project: Path, debug: bool) -> None:
    """Validate content and config without building."""
    with without_cyclic_collector():
        from generator.commands.check import check as check_operation
        from generator.model.content import CONTENT_KINDS

        catalog = run_operation(debug, check_operation, project, TerminalReporter(), keep_compiled=True)
    counts = ", ".join(
        f"{len(items)} {CONTENT_KINDS[kind].kind_name if len(items) == 1 else CONTENT_KINDS[kind].kind_plural}"
        for kind, items in catalog.documents.items()
    )
    if catalog.talks:
        counts += f", {len(catalog.talks)} talk{'s' if len(catalog.talks) != 1 else ''}"
    click.echo(f"OK: {counts or 'no documents'}")


@cli.command()
@project_option
@click.option("--dev-addr", "-a", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@click.option("--demo", is_flag=True,
              help="Also run a local collector with fictional reps (kept in .partnerkit-cache/demo/) and print their personal links.")
@debug_option
def serve(project: Path, dev_addr: str, demo: bool, debug: bool) -> None:
    """Preview the site with live reload while you edit content."""
    from generator.commands.serve import serve as serve_operation

    prepared, ready = None, None
    if demo:
        from generator.commands.demo import DEMO_DIR, prepare_demo

        prepared = run_operation(debug, prepare_demo, project, dev_addr)

        def ready() -> None:
            click.echo(f"Demo: the preview runs a collector on 127.0.0.1 and knows these fictional reps "
                       f"(kept in {DEMO_DIR}/; site_config.yml and private/ are not touched).")
            click.echo("Open a personal link, read, mark modules done, take the quiz and the exam:")
            for entry, link in prepared.links:
                click.echo(f"  {entry.name} ({entry.role}, {entry.partner_name}): {link}")
            click.echo("Then stop the preview (Ctrl+C) or, in another terminal, run: partnerkit report --demo")

    sys.exit(run_operation(debug, serve_operation, project, dev_addr, TerminalReporter(), prepared, ready))


@cli.command()
@project_option
@click.argument("version")
@click.option("--alias", "aliases", multiple=True, help="Alias for this release (repeatable), e.g. latest; moved from older releases.")
@click.option("--title", default=None, help="Name in the version selector (default: the version).")
@click.option("--ref", default=None, help="Git tag to create or use (default: v<VERSION>).")
@debug_option
def release(project: Path, version: str, aliases: tuple[str, ...], title: str | None, ref: str | None, debug: bool) -> None:
    """Tag the committed content as a release and add it to site_config.yml."""
    from generator.commands.release import release as release_operation

    declared = run_operation(debug, release_operation, project, version, list(aliases), title, ref)
    names = ", ".join([declared.version, *declared.aliases])
    click.echo(f"Release {names} declared from git ref {declared.ref}; run partnerkit build to publish it.")


@cli.command()
@project_option
@click.option("--force", is_flag=True,
              help="Transcribe again; where a transcript was edited, write <name>.new.vtt beside it to compare.")
@debug_option
def transcribe(project: Path, force: bool, debug: bool) -> None:
    """Transcribe new recordings in transcripts/ so they can be reviewed before building."""
    from generator.load.content import load_project
    from generator.transcripts.step import transcribe_project

    reporter = TerminalReporter()
    run = run_operation(debug, transcribe_project, project, reporter, force)
    catalog = run_operation(debug, load_project, project, reporter, run)
    click.echo(f"{len(catalog.talks)} talk{'s' if len(catalog.talks) != 1 else ''} ready in transcripts/")


@cli.command()
@project_option
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep a reverse proxy in front).")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--metrics", default=None, metavar="HOST:PORT",
              help="Serve Prometheus metrics on this address (keep it private, e.g. 127.0.0.1:9108); off by default.")
@debug_option
def collect(project: Path, db: str | None, host: str, port: int, metrics: str | None, debug: bool) -> None:
    """Run the collector that stores the view events the site's beacon sends."""
    from generator.commands.collect import collect as collect_operation

    run_operation(debug, collect_operation, project, database(db), host, port, TerminalReporter(),
                  address(metrics, "--metrics") if metrics else None)


@cli.command()
@project_option
@click.option("--roster", type=path_type(dir_okay=False), default=None,
              help="Roster CSV (default: private/roster.csv in the project).")
@click.option("--output", "-o", type=path_type(dir_okay=False), default=None,
              help="Write rep id, name, e-mail and link as CSV here instead of printing.")
@debug_option
def invite(project: Path, roster: Path | None, output: Path | None, debug: bool) -> None:
    """Make one personal link per rep (signed with the key in PARTNERKIT_TOKEN_KEYS)."""
    from generator.csvfile import csv_text, write_csv
    from generator.commands.collect import DEFAULT_ROSTER, invites

    rows = run_operation(debug, invites, project, roster or project / DEFAULT_ROSTER)
    header, table = ("rep_id", "name", "email", "link"), [(entry.rep_id, entry.name, entry.email, link) for entry, link in rows]
    if output:
        write_csv(output, header, table)
        click.echo(f"{len(rows)} personal links written to {shown(output)}")
    else:
        click.echo(csv_text(header, table, line_end="\n"), nl=False)


@cli.command()
@project_option
@click.option("--sales", "sales_file", type=path_type(dir_okay=False), default=None,
              help="Sales per rep and month (rep_id,month,amount; default: private/sales.csv in the project).")
@click.option("--month", default=None, metavar="YYYY-MM", help="Month to report (default: last month).")
@click.option("--roster", type=path_type(dir_okay=False), default=None,
              help="Roster CSV (default: private/roster.csv in the project).")
@click.option("--output", "-o", type=path_type(file_okay=False), default=None,
              help="Folder for report.html and the CSV/JSON tables (default: private/reports/<month>/).")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@click.option("--demo", is_flag=True, help="Report on the demo's reps and visits (partnerkit serve --demo); default month: this one.")
@click.option("--by", type=click.Choice(["views", "minutes"]), default="views", show_default=True,
              help="Measure reading for the key-person quadrants in page views or engaged minutes.")
@click.option("--activity-threshold", type=float, default=None, metavar="N",
              help="More than N views (or minutes) counts as many (default: the median).")
@click.option("--sales-threshold", type=float, default=None, metavar="N",
              help="More than N in sales counts as results (default: the median).")
@debug_option
def report(project: Path, sales_file: Path | None, month: str | None, roster: Path | None, output: Path | None,
           db: str | None, demo: bool, by: str, activity_threshold: float | None, sales_threshold: float | None,
           debug: bool) -> None:
    """Who the key people are, how engagement spreads per partner, and what is read."""
    from generator.commands.collect import DEFAULT_DB, DEFAULT_ROSTER, DEFAULT_SALES
    from generator.commands.report import ReportRequest, report as report_operation
    from generator.report.output import ReportOptions

    data = project
    if demo:
        from datetime import date

        from generator.commands.demo import demo_report_paths

        data = run_operation(debug, demo_report_paths, project)
        month = month or date.today().strftime("%Y-%m")
        db = db or str(data / DEFAULT_DB)
    request = ReportRequest(sales_file or data / DEFAULT_SALES, roster or data / DEFAULT_ROSTER, month, output, database(db), data,
                            ReportOptions(by, activity_threshold, sales_threshold))
    path = run_operation(debug, report_operation, project, request)
    click.echo(f"Report written to {shown(path)}")


@cli.command()
@project_option
@click.argument("rep")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@debug_option
def forget(project: Path, rep: str, db: str | None, debug: bool) -> None:
    """Delete everything stored about one rep: events, totals, exam attempts, certificates, credentials, worklist ticks and
    notes, notifications, xAPI statements not yet sent, reports; says what the LRS already holds."""
    from generator.commands.reps import forget as forget_operation

    forgotten = run_operation(debug, forget_operation, project, rep, database(db))
    click.echo(forgotten.summary(rep))
    for report in forgotten.reports:
        click.echo(f"Deleted {report} (it named {rep}; run partnerkit report again to remake it)")
    for worklist in forgotten.worklists:
        click.echo(f"Deleted {worklist} and its .html (it showed a step {rep} ticked; "
                   f"run partnerkit worklists again to remake today's)")
    if forgotten.lrs is not None and forgotten.lrs.delivered:
        click.echo(f"The LRS already holds {forgotten.lrs.delivered} xAPI statements about {rep} (sent since "
                   f"{forgotten.lrs.first[:10]}; actor account name {rep}): partnerkit cannot delete them there, ask its administrator")
    if forgotten.lrs is not None and forgotten.lrs.waiting:
        click.echo(f"{forgotten.lrs.waiting} statements about {rep} not yet sent to the LRS are deleted: they will not be sent")
    if forgotten.on_roster:
        click.echo(f"{rep} is still on the roster: remove their row there, or they are counted again")


@cli.command("lrs-send")
@project_option
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@debug_option
def lrs_send(project: Path, db: str | None, debug: bool) -> None:
    """Send the xAPI statements waiting for the LRS now (partnerkit collect also sends them as it runs)."""
    from generator.commands.collect import lrs_send as send

    url, done, (delivered, waiting) = run_operation(debug, send, project, database(db))
    click.echo(f"Sent {done.delivered} statements to {url}" + (f" ({done.already_held} it already held)" if done.already_held else ""))
    if done.failed:
        click.echo(f"{done.failed} could not be sent ({done.last_error}): they are tried again later")
    click.echo(f"In all: {delivered} delivered, {waiting} waiting")


@cli.command()
@project_option
@click.argument("rep")
@debug_option
def revoke(project: Path, rep: str, debug: bool) -> None:
    """Refuse every personal link issued to REP so far, at once (no restart); invite sends new ones."""
    from generator.commands.reps import revoke as revoke_operation

    entry = run_operation(debug, revoke_operation, project, rep)
    click.echo(f"Links of {entry.name} ({entry.partner_id}/{entry.rep_id}) issued until now are refused;"
               f" partnerkit invite makes a new one")


def counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{table.replace('_', ' ')} {count}" for table, count in counts.items())


@cli.command()
@project_option
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@click.option("--output", "-o", type=path_type(dir_okay=False), required=True, help="Backup file to write.")
@debug_option
def backup(project: Path, db: str | None, output: Path, debug: bool) -> None:
    """Copy the collector's database to a file while collectors keep running (SQLite's online backup; pg_dump for PostgreSQL)."""
    from generator.commands.backup import backup as backup_operation

    counts = run_operation(debug, backup_operation, project, database(db), output)
    click.echo(f"Backed up to {shown(output)}" + (f": {counted(counts)}" if counts else ""))


@cli.command()
@project_option
@click.argument("backup_file", type=path_type(dir_okay=False, exists=True))
@click.option("--db", default=None, help="Database to restore into (default: private/events.sqlite in the project).")
@click.option("--force", is_flag=True, help="Replace what the database holds (stop the collectors first).")
@debug_option
def restore(project: Path, backup_file: Path, db: str | None, force: bool, debug: bool) -> None:
    """Restore a backup made by partnerkit backup into an empty database (or, with --force, over one)."""
    from generator.commands.backup import restore as restore_operation

    counts = run_operation(debug, restore_operation, project, backup_file, database(db), force)
    click.echo(f"Restored {shown(backup_file)}: {counted(counts)}")


@cli.command()
@project_option
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Day to run the procedures as of (default: today, UTC).")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@debug_option
def worklists(project: Path, day, db: str | None, debug: bool) -> None:
    """Run every procedure on every customer (customers.file): cases for each partner's worklist."""
    from generator.commands.worklists import worklists as worklists_operation

    run = run_operation(debug, worklists_operation, project, day.date() if day else None, database(db))
    cases = lambda count: f"{count} case{'s' if count != 1 else ''}"  # noqa: E731
    click.echo(f"{run.day}: {cases(run.summary.opened)} opened, {run.summary.kept} still open or kept,"
               f" {run.summary.closed} closed; {run.open_cases} open in all")
    for note in run.notes:
        click.echo(note)
    if run.files:
        click.echo(f"Worklists written to {shown(run.files[0].parent)}/")


@cli.command()
@project_option
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Day to evaluate (default: yesterday, UTC).")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@debug_option
def signals(project: Path, day, db: str | None, debug: bool) -> None:
    """Raise the day's deal signals (signals: in site_config.yml): reps whose reading suggests a live deal."""
    from generator.commands.signals import signals as signals_operation

    run = run_operation(debug, signals_operation, project, day.date() if day else None, database(db))
    new = f"{len(run.new)} new signal{'s' if len(run.new) != 1 else ''}"
    click.echo(f"{run.day}: {new}, {len(run.already)} raised before")
    for signal in [*run.new, *run.already]:
        read = ", ".join(f"{item.title} ({item.day})" for item in signal.read)
        away = f" after reading none since {signal.away_since}" if signal.away_since else ""
        click.echo(f"  {signal.rule}: {signal.partner}/{signal.rep} read {read}{away}")


@cli.command("revoke-certificate")
@project_option
@click.argument("certificate")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@debug_option
def revoke_certificate(project: Path, certificate: str, db: str | None, debug: bool) -> None:
    """Revoke the certificate with id CERTIFICATE: the verify page and the credentials' revocation list say so at once."""
    from generator.commands.credentials import revoke_certificate as revoke_operation

    revoked = run_operation(debug, revoke_operation, project, certificate, database(db))
    click.echo(f"Certificate {certificate} is revoked (since {revoked}): its verifiable credentials no longer verify")


@cli.command("credential-key")
@click.argument("key_id", default="k1")
@click.option("--algorithm", type=click.Choice(["RS256", "EdDSA"]), default="RS256", show_default=True,
              help="RS256 (RSA 2048): every Open Badges 3.0 verifier accepts it. EdDSA (Ed25519): also signs the"
                   " credentials' Data Integrity proof.")
@debug_option
def credential_key(key_id: str, algorithm: str, debug: bool) -> None:
    """Print a new signing key for certificates' credentials: put it first in PARTNERKIT_CREDENTIAL_KEYS."""
    from generator.commands.credentials import credential_key as make_key

    click.echo(run_operation(debug, make_key, key_id, algorithm))


@cli.command()
@project_option
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Day the messages are due on (default: today, UTC).")
@click.option("--outbox", type=path_type(file_okay=False), default=None,
              help="Folder for the .eml files (default: private/outbox/<date>/ in the project).")
@click.option("--send", is_flag=True, help="Send over SMTP (notifications: in site_config.yml) instead of writing files.")
@click.option("--dry-run", is_flag=True, help="Only say what is due: counts per kind and recipients.")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@debug_option
def notify(project: Path, day, outbox: Path | None, send: bool, dry_run: bool, db: str | None, debug: bool) -> None:
    """Write (or --send) the reminders and digests due today: certificates ending, what's new, tiers at risk, key people."""
    from generator.commands.notify import notify as notify_operation

    if send and outbox:
        click.echo("Error: give --outbox or --send, not both", err=True)
        sys.exit(2)
    result = run_operation(debug, notify_operation, project, day.date() if day else None, outbox, send, dry_run,
                           database(db), TerminalReporter())
    for name in result.skipped_people:
        click.echo(f"Skipped {name}: no usable e-mail address on the roster", err=True)
    for row in result.unconfirmed:
        click.echo(f"Unconfirmed: {row.key.kind} to {row.key.recipient} ({row.key.subject}, {row.key.period}) was being"
                   f" sent at {row.claimed_at} when a run stopped; it is not resent (check the mail server's log)", err=True)
    counts = result.counts()
    summary = ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "nothing due"
    skipped = f"; {result.already} sent before, {result.unsubscribed} unsubscribed" if result.already or result.unsubscribed else ""
    if dry_run:
        click.echo(f"{len(result.due)} messages due: {summary}{skipped}")
        for message in result.due:
            click.echo(f"  {message.kind}: {message.recipient.name} <{message.recipient.email}>")
    elif send:
        for message, answer in result.failed:
            click.echo(f"Refused: {message.kind} to {message.recipient.email}: {answer}", err=True)
        click.echo(f"Sent {result.sent} of {len(result.due)} messages ({summary}){skipped}")
        if result.failed:
            sys.exit(1)
    else:
        folder = shown(result.written[0].parent) if result.written else "nowhere (nothing due)"
        click.echo(f"{len(result.written)} messages written to {folder} ({summary}){skipped}; partnerkit notify --send sends them")


@cli.command("export-qti")
@project_option
@click.argument("quiz")
@click.option("--output", "-o", type=path_type(dir_okay=False), default=None,
              help="Zip file to write (default: <QUIZ>.qti.zip in the current folder).")
@debug_option
def export_qti(project: Path, quiz: str, output: Path | None, debug: bool) -> None:
    """Write QUIZ as a QTI 2.1 package (zip) to import into an LMS such as Moodle or Canvas.

    Practice quizzes and exams can both be exported. The package holds the right answers, feedback
    and explanations: import it only into the vendor's own LMS, which keeps them from candidates."""
    from generator.certification.qti import export_quiz

    path = run_operation(debug, export_quiz, project, quiz, output or Path(f"{quiz}.qti.zip").resolve(),
                         TerminalReporter())
    click.echo(f"QTI package written to {shown(path)}")


@cli.group()
def deploy() -> None:
    """Write the files that run the site and its collector in production (nginx, systemd)."""


def write_or_print(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from generator.atomic import write_atomically

    write_atomically(output, text.encode())
    click.echo(f"Written to {shown(output)}", err=True)


@deploy.command("nginx")
@project_option
@click.option("--site-dir", "-d", type=path_type(file_okay=False), default=None,
              help="Where the built site is served from (default: site/ in the project).")
@click.option("--collector", "collectors", multiple=True, default=["127.0.0.1:8765"], show_default=True, metavar="HOST:PORT",
              help="Address partnerkit collect listens on (repeat it for several collectors on one PostgreSQL database).")
@click.option("--certificate", default=None, metavar="FILE",
              help="TLS certificate chain (default: Let's Encrypt's fullchain.pem for the site's host).")
@click.option("--certificate-key", default=None, metavar="FILE", help="Its private key (default: Let's Encrypt's privkey.pem).")
@click.option("--listen", default="443", show_default=True, metavar="[HOST:]PORT", help="Where nginx takes HTTPS.")
@click.option("--listen-http", default="80", show_default=True, metavar="[HOST:]PORT",
              help="Where nginx takes plain HTTP (redirected to HTTPS).")
@click.option("--output", "-o", type=path_type(dir_okay=False), default=None, help="File to write (default: print it).")
@debug_option
def deploy_nginx(project: Path, site_dir: Path | None, collectors: tuple[str, ...], certificate: str | None, certificate_key: str | None,
                 listen: str, listen_http: str, output: Path | None, debug: bool) -> None:
    """nginx server blocks for the site (site_url's host) and the collector (analytics.endpoint's host), on TLS."""
    from generator.commands.deploy import nginx_config, nginx_site

    for collector in collectors:
        address(collector, "--collector")
    site = run_operation(debug, nginx_site, project, site_dir, tuple(collectors), certificate, certificate_key, listen, listen_http)
    write_or_print(nginx_config(site), output)


@deploy.command("systemd")
@project_option
@click.option("--user", default="partnerkit", show_default=True, help="Unprivileged user the collector runs as.")
@click.option("--db", default=None, help="Database (default: private/events.sqlite in the project).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (nginx in front).")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--metrics", default=None, metavar="HOST:PORT", help="Serve Prometheus metrics there (e.g. 127.0.0.1:9108).")
@click.option("--environment-file", default="/etc/partnerkit/collector.env", show_default=True,
              help="File with PARTNERKIT_TOKEN_KEYS=… (and PARTNERKIT_CREDENTIAL_KEYS=…), readable by root only.")
@click.option("--output", "-o", type=path_type(dir_okay=False), default=None, help="File to write (default: print it).")
@debug_option
def deploy_systemd(project: Path, user: str, db: str | None, host: str, port: int, metrics: str | None,
                   environment_file: str, output: Path | None, debug: bool) -> None:
    """A systemd service for partnerkit collect, with the sandboxing options systemd offers."""
    from generator.commands.deploy import systemd_unit

    if metrics:
        address(metrics, "--metrics")
    write_or_print(run_operation(debug, systemd_unit, project, user, database(db), host, port, metrics, environment_file), output)


EXTRA_OF_MODULE = {
    "starlette": "collector", "uvicorn": "collector", "httptools": "collector", "crawlerdetect": "collector",
    "matplotlib": "collector", "psycopg": "collector", "segno": "collector", "prometheus_client": "collector",
}
"""Modules that come with an extra of partnerkit, by top-level name: a command that needs one says which
extra to install instead of failing with a traceback."""


def main() -> None:
    global _command_is_the_process
    _command_is_the_process = True
    # partnerkit's models use no pydantic plugin: the first model built need not search every installed
    # package's entry points for one (a user who sets the variable, even empty, decides instead)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        cli()
    except ModuleNotFoundError as exc:
        extra = EXTRA_OF_MODULE.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        click.echo(f'Error: this command needs partnerkit\'s {extra} (the {exc.name} package is not installed):'
                   f' pip install "partnerkit[{extra}]"', err=True)
        sys.exit(1)
    finally:
        # the process ends here: the collector need not walk every object left (the models, templates and
        # modules of a start-up, 40 ms of a check) only for the interpreter to free them anyway
        gc.freeze()
