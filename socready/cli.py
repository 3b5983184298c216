"""The `socready` command: init, check, advise, run, demo, sandbox, evidence verify, export, controls."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from datetime import date, datetime, time, timedelta
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from socready.advisor.prompt import add_answer_arguments, collect_profile
from socready.advisor.render import render
from socready.advisor.rules import recommend
from socready.advisor.scope_writer import write_scope
from socready.catalog import load_catalog
from socready.errors import SocreadyError
from socready.evidence import EvidenceStore, open_scope_store, open_store
from socready.evidence.signing import check_signature, sign_head
from socready.scope import Scope, load_scope

DEFAULT_SANDBOX_DIR = Path(".socready/sandbox")
SANDBOX_MODULES = {"socready_sandbox", "moto", "flask", "werkzeug"}  # the sandbox and what only it needs
EXIT_NO_EVIDENCE = 3


def _prefect_defaults() -> None:
    """Prefect's ephemeral server needs 13-28 s to start on 2 cores; its default timeout is 20 s."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def parse_as_of(text: str | None, scope: Scope) -> datetime | None:
    """A date means the end of that local day; a datetime without offset is local time in the scope's zone."""
    if text is None:
        return None
    tz = ZoneInfo(scope.window.timezone)
    try:
        if len(text) <= 10:
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(0), tz)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SocreadyError(f"--as-of {text!r}: use YYYY-MM-DD or an ISO date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if path.exists() and not args.force:
        raise SocreadyError(f"{path} already exists; pass --force to overwrite it")
    path.write_text(files("socready.scope").joinpath("starter.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {path}; edit it, then run `socready check {path}`")
    return 0


def unreadable_exports(scope: Scope) -> list[str]:
    """Local export files (files.*) that are missing or unreadable; s3:// ones are read at collection time."""
    problems = []
    for name, spec in scope.files:
        if spec is None or spec.path.startswith("s3://"):
            continue
        path = Path(spec.path)
        if not path.is_file():
            problems.append(f"files.{name}.path: {path} does not exist or is not a file; fix the path")
        elif not os.access(path, os.R_OK):
            problems.append(f"files.{name}.path: {path} is not readable by this user; fix its permissions")
    return problems


def cmd_check(args: argparse.Namespace) -> int:
    from socready.applicability import check_control_settings  # the control specs (and pandas) load only here

    scope = load_scope(Path(args.path))
    check_control_settings(load_catalog(), scope, args.path)
    if problems := unreadable_exports(scope):
        raise SocreadyError(f"{args.path}: export files cannot be read\n  - " + "\n  - ".join(problems))
    window = scope.window
    print(
        f"{args.path}: valid. {scope.organization}, SOC 2 {scope.report.type}, {', '.join(scope.categories)}; "
        f"window {window.start} to {window.end} ({window.timezone})"
    )
    return 0


def cmd_advise(args: argparse.Namespace) -> int:
    recommendation = recommend(collect_profile(vars(args), interactive=sys.stdin.isatty()))
    if args.write_scope:  # written (or refused) before printing, so a refusal leaves no half-done output
        write_scope(recommendation, Path(args.write_scope), force=args.force)
    print(recommendation.model_dump_json(indent=2) if args.json else render(recommendation))
    if args.write_scope:
        print(
            f"wrote {args.write_scope}; set aws, jira, files and owners, then run `socready check {args.write_scope}`",
            file=sys.stderr if args.json else sys.stdout,  # keep --json output parseable
        )
    return 0


def cmd_controls(args: argparse.Namespace) -> int:
    for control in load_catalog().values():
        print(
            f"{control.id:<12} {control.owner:<12} {control.kind:<10} {','.join(control.criteria):<16} {control.title}"
        )
    return 0


def run_readiness(
    scope_path: Path,
    as_of: str | None,
    dry_run: bool,
    output: str | None,
    full: bool = False,
    server: threading.Thread | None = None,
) -> int:
    """Runs the flow; `server`: Prefect's temporary server already starting (else it starts here, while the
    flow's modules are imported: the two took ~7 s each, one after the other)."""
    from socready.applicability import check_control_settings

    scope = load_scope(scope_path)  # an unreadable scope stops here, before Prefect starts
    check_control_settings(load_catalog(), scope, str(scope_path))  # and so does a misspelled control setting
    server = server or start_prefect_server()
    from flows.readiness import readiness  # Prefect is imported only for commands that run the flow

    if server:
        server.join()
    state = readiness(
        str(scope_path.resolve()),
        as_of=parse_as_of(as_of, scope),
        dry_run=dry_run,
        output_dir=output,
        full_backfill=full,
        return_state=True,
    )
    paths = state.result(raise_on_failure=False)  # a run lacking evidence ends Failed, with the report written
    if isinstance(paths, BaseException):
        raise paths
    from socready.report.model import Report
    from socready.report.outcome import run_problems
    from socready.report.summary import summary_table

    report = Report.model_validate_json(Path(paths["json"]).read_text(encoding="utf-8"))
    print(summary_table(report))
    print(f"\nReport: {paths['html']}\n        {paths['md']}\n        {paths['json']}")
    return EXIT_NO_EVIDENCE if run_problems(report) else 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.scope:
        return run_readiness(Path(args.scope), args.as_of, args.dry_run, args.output, args.full)
    return cmd_demo(args)


def sandbox_environment() -> ModuleType:
    """The sandbox is its own distribution (socready-sandbox): imported only by the commands that start it."""
    try:
        from socready_sandbox import environment
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in SANDBOX_MODULES:
            raise
        raise SocreadyError(
            f"the sandbox is not installed ({missing} is missing). From a checkout of socready run "
            "`pip install ./sandbox`, or `make demo`, which installs it and runs the demo."
        ) from None
    return environment


def start_prefect_server() -> threading.Thread | None:
    """Starts the flow's temporary Prefect server (a process of its own, ~7 s) while this process does other work;
    join the thread before the flow runs, which then finds the server running. None: an API URL is set."""

    def start() -> None:
        from prefect.server.api.server import SubprocessASGIServer

        SubprocessASGIServer().start()  # the instance Prefect's client takes when no API URL is set

    _prefect_defaults()
    if os.environ.get("PREFECT_API_URL"):
        return None
    starting = threading.Thread(target=start, name="prefect-server-start", daemon=True)
    starting.start()
    return starting


def cmd_demo(args: argparse.Namespace) -> int:
    Sandbox = sandbox_environment().Sandbox
    folder = Path(args.sandbox_dir)
    print(f"Starting the sandbox (moto AWS + Jira stand-in) in {folder} ...", flush=True)
    server = start_prefect_server()  # alongside the sandbox's seeding
    with Sandbox(folder) as sandbox:
        print(f"  AWS: {sandbox.aws_endpoint}   Jira: {sandbox.jira_url}   scope: {sandbox.scope_path}", flush=True)
        return run_readiness(sandbox.scope_path, args.as_of, args.dry_run, args.output, args.full, server)


def cmd_sandbox(args: argparse.Namespace) -> int:
    environment = sandbox_environment()
    with environment.Sandbox(Path(args.sandbox_dir)) as sandbox:
        # Throwaway credentials of loopback stand-ins, shown so another shell can reach them; never real ones.
        exports = "\n".join(f"  export {name}={os.environ[name]}" for name in environment.SANDBOX_ENV)
        print(
            f"Sandbox running. Scope file: {sandbox.scope_path}\n  AWS (moto): {sandbox.aws_endpoint}\n"
            f"  Jira: {sandbox.jira_url}\nIn another shell:\n{exports}\n"
            f"  socready run --scope {sandbox.scope_path}\nCtrl-C stops the sandbox.",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")
    return 0


def _chosen_store(args: argparse.Namespace) -> tuple[str, EvidenceStore]:
    """The store named by --store, else the one of the --scope file."""
    if args.store:
        return args.store, open_store(args.store)
    scope = load_scope(Path(args.scope))
    return scope.evidence_store, open_scope_store(scope)


def cmd_sign(args: argparse.Namespace) -> int:
    location, store = _chosen_store(args)
    print(f"{location}: wrote {sign_head(store.backend, Path(args.key))}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    location, store = _chosen_store(args)
    signature = check_signature(store.backend, Path(args.key)) if args.key else None
    if signature:
        print(f"{'SIGNATURE OK' if signature.ok else 'SIGNATURE FAILED'}: {signature.detail}")
    runs = [args.run] if args.run else store.run_ids()
    ledger_problems = store.verify_ledger()
    if not runs and not ledger_problems:
        raise SocreadyError(f"{location}: no runs with a manifest found")
    for found in ledger_problems:
        print(f"{found.problem.upper()}: run {found.run_id} {found.detail}")
    problems = [p for run in runs for p in store.verify(run)]
    for problem in problems:
        print(f"{problem.problem.upper():<8} run {problem.run_id} {problem.sha256} {problem.source} {problem.query}")
    derived = store.verify_derived()
    for key in derived:
        print(f"DERIVED CHANGED: {key} (runs rebuild it from raw evidence)")
    total = len(problems) + len(ledger_problems) + len(derived) + (signature is not None and not signature.ok)
    print(f"{location}: {len(runs)} run(s), the run ledger and derived data checked, {total} problem(s)")
    return 1 if total else 0


def cmd_sample(args: argparse.Namespace) -> int:
    from socready.sampling import sample_control, write_sample

    scope = load_scope(Path(args.scope))
    store = open_scope_store(scope)
    sample = sample_control(store, args.control_id, run_id=args.run, seed=args.seed)
    paths = write_sample(sample, store, Path(args.output or scope.output))
    print(
        f"{sample.control.id}: {len(sample.items)} of {sample.population} item(s) from run {sample.run_id} "
        f"(seed {sample.seed})\n  " + "\n  ".join(map(str, paths))
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from socready.export.package import export_package  # GX and trestle load only for this command

    if args.store:
        if not args.report:
            raise SocreadyError("--store needs --report: the folder holding that run's report.json")
        store, report, acceptances = open_store(args.store), Path(args.report), []
    else:
        scope = load_scope(Path(args.scope))
        store = open_scope_store(scope)
        report, acceptances = Path(args.report or scope.output), scope.exceptions
    output = Path(args.output) if args.output else None
    package = export_package(store, report, run_id=args.run, output=output, acceptances=acceptances)
    print(
        f"wrote {package.path}: run {package.run_id}, {package.files} files, {package.objects} evidence objects, "
        f"{package.exceptions} exception(s), {package.data_docs_pages} Data Docs page(s)\n"
        f"check it with: unzip it, then `sha256sum -c SHA256SUMS` and `socready evidence verify --store evidence`"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="socready",
        description=(
            "Proves SOC 2 controls operated over the whole observation window, scores Type II readiness, "
            "opens gap tickets and writes an auditor-ready report."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="write a commented starter scope file")
    init.add_argument("path", nargs="?", default="socready.yaml", help="where to write it (default: socready.yaml)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(handler=cmd_init)

    check = commands.add_parser("check", help="validate a scope file without collecting anything")
    check.add_argument("path", nargs="?", default="socready.yaml", help="scope file (default: socready.yaml)")
    check.set_defaults(handler=cmd_check)

    advise = commands.add_parser(
        "advise",
        help="recommend SOC 1/2/3, Type I/II, TSC categories and a dated timeline, each with its reason",
        description="Answers missing from the flags are asked interactively on a terminal.",
    )
    add_answer_arguments(advise)
    advise.add_argument("--write-scope", metavar="PATH", help="write a starter scope file there (default: don't)")
    advise.add_argument("--force", action="store_true", help="overwrite an existing scope file")
    advise.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    advise.set_defaults(handler=cmd_advise)

    commands.add_parser("controls", help="list the control catalog").set_defaults(handler=cmd_controls)

    def run_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--as-of", help="assess as of this date (end of that local day) or ISO date-time; default: now"
        )
        sub.add_argument("--dry-run", action="store_true", help="print the gap-ticket plan; write nothing to Jira")
        sub.add_argument(
            "--full",
            action="store_true",
            help="fetch every evidence file again instead of only those earlier runs did not fetch",
        )
        sub.add_argument("--output", help="report folder (default: the scope's `output`)")
        sub.add_argument(
            "--sandbox-dir",
            default=str(DEFAULT_SANDBOX_DIR),
            help=f"sandbox state folder (default: {DEFAULT_SANDBOX_DIR})",
        )

    run = commands.add_parser(
        "run",
        help="run the readiness flow (through Prefect) for a scope file; without --scope, on the built-in sandbox",
    )
    run.add_argument("--scope", help="scope file; omit to use the built-in sandbox company")
    run_options(run)
    run.set_defaults(handler=cmd_run)

    demo = commands.add_parser("demo", help="start the sandbox and run the full pipeline on it")
    run_options(demo)
    demo.set_defaults(handler=cmd_demo)

    sandbox = commands.add_parser("sandbox", help="start the sandbox (moto AWS + Jira stand-in) until Ctrl-C")
    sandbox.add_argument("--sandbox-dir", default=str(DEFAULT_SANDBOX_DIR), help="sandbox state folder")
    sandbox.set_defaults(handler=cmd_sandbox)

    evidence = commands.add_parser("evidence", help="evidence store operations")
    evidence_commands = evidence.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")

    def store_options(sub: argparse.ArgumentParser) -> None:
        where = sub.add_mutually_exclusive_group()
        where.add_argument("--scope", default="socready.yaml", help="read the store location from this scope file")
        where.add_argument("--store", help="evidence store location: a folder or s3://bucket/prefix")

    verify = evidence_commands.add_parser(
        "verify", help="name every evidence object, manifest or run ledger entry that was changed or removed"
    )
    store_options(verify)
    verify.add_argument("--run", help="check one run id's objects (default: every run in the store)")
    verify.add_argument("--key", metavar="PUBLIC.pem", help="also check the signed ledger head with this Ed25519 key")
    verify.set_defaults(handler=cmd_verify)
    sign = evidence_commands.add_parser("sign", help="sign the run ledger's head with your Ed25519 private key")
    store_options(sign)
    sign.add_argument("--key", required=True, metavar="PRIVATE.pem", help="unencrypted Ed25519 private key (PEM)")
    sign.set_defaults(handler=cmd_sign)

    sample = commands.add_parser(
        "sample",
        help="draw a reproducible auditor sample of a control's population and write it with its evidence",
        description="Sample size by population: ≤ 5 all; 6-50: 5; 51-250: 10 % rounded up; > 250: 25.",
    )
    sample.add_argument("control_id", metavar="CONTROL_ID", help="a population or periodic control, e.g. HR-01")
    sample.add_argument("--scope", default="socready.yaml", help="scope file (default: socready.yaml)")
    sample.add_argument("--run", help="run id (default: the latest run that assessed the control)")
    sample.add_argument("--seed", type=int, help="random seed (default: derived from the run and control ids)")
    sample.add_argument("--output", help="folder for sample-<CONTROL>.csv/.json (default: the scope's `output`)")
    sample.set_defaults(handler=cmd_sample)

    export = commands.add_parser(
        "export",
        help="write the auditor package: report, evidence, populations, samples, exceptions, GX Data Docs, OSCAL",
        description="One run's auditor package as a zip; docs/auditor-package.md describes its layout.",
    )
    source = export.add_mutually_exclusive_group()
    source.add_argument(
        "--scope",
        default="socready.yaml",
        metavar="PATH",
        help="take the store, report folder and accepted exceptions from this scope file (default: socready.yaml)",
    )
    source.add_argument(
        "--store", metavar="LOCATION", help="evidence store: a folder or s3://bucket/prefix (needs --report)"
    )
    export.add_argument("--run", metavar="RUN_ID", help="run to export (default: the store's latest run)")
    export.add_argument(
        "--report", metavar="DIR", help="folder with the run's report.json, .md, .html (default: the scope's output)"
    )
    export.add_argument(
        "--output", metavar="FILE.zip", help="zip to write (default: <report folder>/auditor-package-<run id>.zip)"
    )
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except SocreadyError as exc:
        print(f"socready: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
