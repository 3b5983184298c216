"""Reads and validates a scope file; every failure names the file, the field path and the fix."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from socready.errors import ScopeError
from socready.scope.models import FileSource, Scope

FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove it or check its spelling against `socready init`",
    "literal_error": "use one of the allowed values",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_type": "write the date as YYYY-MM-DD",
    "datetime_parsing": "write it as YYYY-MM-DDTHH:MM:SS with a zone, e.g. 2026-03-15T09:00:00Z",
    "datetime_from_date_parsing": "write it as YYYY-MM-DDTHH:MM:SS with a zone, e.g. 2026-03-15T09:00:00Z",
    "datetime_type": "write it as YYYY-MM-DDTHH:MM:SS with a zone, e.g. 2026-03-15T09:00:00Z",
    "too_short": "list at least one entry",
}


class _TextDatesLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates and times as text: YAML's own conversion fails on an impossible date
    (2026-02-30) with an error naming no field, while the scope model names the field and the fix."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _field_path(location: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def describe_validation_error(source: str, error: ValidationError, what: str = "scope file") -> str:
    lines = [f"{source}: invalid {what}"]
    for problem in error.errors():
        fix = FIXES.get(problem["type"], "")
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"  - {_field_path(problem['loc']) or '(top level)'}: {message}" + (f" ({fix})" if fix else ""))
    return "\n".join(lines)


def _absolute(location: str, base: Path) -> str:
    if location.startswith("s3://") or Path(location).is_absolute():
        return location
    return str((base / location).resolve())


def scope_from_text(text: str, *, source: str = "<scope>", base: Path | None = None) -> Scope:
    """Parse scope YAML; relative paths are resolved against `base` (the scope file's folder)."""
    try:
        raw = yaml.load(text, Loader=_TextDatesLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScopeError(f"{source}:{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    return scope_from_mapping(raw, source=source, base=base)


def scope_from_mapping(raw: object, *, source: str, base: Path | None = None) -> Scope:
    """Validate parsed scope settings; relative paths are resolved against `base` (default: the working folder)."""
    if not isinstance(raw, dict):
        raise ScopeError(f"{source}: expected a mapping of settings at the top level; run `socready init`")
    try:
        scope = Scope.model_validate(raw)
    except ValidationError as exc:
        # not chained: the validation error repeats each input, and a token pasted into the scope must not reach
        # a log or traceback
        raise ScopeError(describe_validation_error(source, exc)) from None
    base = base or Path.cwd()
    files = {
        name: FileSource(path=_absolute(spec.path, base), columns=spec.columns)
        for name, spec in scope.files
        if spec is not None
    }
    return scope.model_copy(
        update={
            "evidence_store": _absolute(scope.evidence_store, base),
            "output": _absolute(scope.output, base),
            "files": scope.files.model_copy(update=files),
            "tickets": scope.tickets.model_copy(
                update={"state_dir": scope.tickets.state_dir and _absolute(scope.tickets.state_dir, base)}
            ),
        }
    )


def load_scope(path: Path) -> Scope:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ScopeError(f"{path}: scope file not found; create one with `socready init {path}`") from exc
    except OSError as exc:
        raise ScopeError(f"{path}: cannot read scope file: {exc.strerror}") from exc
    return scope_from_text(text, source=str(path), base=path.parent.resolve())


def _read_s3(url: str) -> str:
    import boto3  # the worker's own credentials: the scope that could name others is not read yet
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = url.removeprefix("s3://").partition("/")
    try:
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except (ClientError, BotoCoreError) as exc:
        raise ScopeError(f"{url}: cannot read the scope file: {exc}") from exc


def read_scope(location: str | None, inline: dict | None = None) -> Scope:
    """A run's scope: a local file, an s3://bucket/key, or the settings themselves (a deployment parameter).
    Relative paths in a scope read from S3 or given inline are resolved against the working folder."""
    if (location is None) == (inline is None):
        raise ScopeError("give the scope once: scope_path (a file or s3://bucket/key) or scope_settings")
    if inline is not None:
        return scope_from_mapping(inline, source="parameter scope_settings")
    if location.startswith("s3://"):
        return scope_from_text(_read_s3(location), source=location)
    return load_scope(Path(location))
