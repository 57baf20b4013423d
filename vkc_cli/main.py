"""`vkc` entry point: the argument parser and the dispatch (exit 0 ok, 1 API/usage error, 2 bad
arguments, 130 interrupted)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from vkc_cli import __version__, commands, config
from vkc_cli.client import Api
from vkc_cli.errors import EXIT_USAGE, CliError
from vkc_cli.output import emit_json, note

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
PRIORITIES = ("high", "normal", "low")
SENTIMENTS = ("positive", "neutral", "negative")
SORTS = ("date_desc", "date_asc", "likes_desc", "likes_asc", "match_count_desc", "match_count_asc")


def timestamp(text: str) -> str:
    """An ISO 8601 date or date-time, sent with its zone (UTC when none is given); a typo is exit 2."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 date or time: {text!r} (e.g. 2026-01-31 or 2026-01-31T12:00)"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def common_options(*, top: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name (`vkc --json jobs list` = `vkc jobs list --json`)."""
    default = None if top else argparse.SUPPRESS
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection and output")
    group.add_argument(
        "--json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="machine-readable JSON on stdout, no progress bar",
    )
    group.add_argument("--profile", default=default, help="config profile (default: VKC_PROFILE or the file's default)")
    group.add_argument("--endpoint", default=default, help="API base URL (overrides VKC_ENDPOINT and the profile)")
    group.add_argument("--api-key", default=default, help="API key (overrides VKC_API_KEY and the profile)")
    group.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0 if top else argparse.SUPPRESS,
        help="seconds to wait for each HTTP response (default 30)",
    )
    return parent


def filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--community", action="append", metavar="ID|NAME", help="community id or short name; repeatable")
    group.add_argument("--keyword", action="append", metavar="ID|TEXT", help="matched by this keyword; repeatable")
    group.add_argument("--category", action="append", help="matched by a keyword of this category; repeatable")
    group.add_argument("--q", help='full-text search in every word form: words, "a phrase", -excluded, a or b')
    group.add_argument("--sentiment", action="append", choices=SENTIMENTS, help="repeatable")
    group.add_argument(
        "--has-match",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="matched by at least one keyword (--no-has-match: by none)",
    )
    group.add_argument("--spam", action=argparse.BooleanOptionalAction, default=None, help="flagged as spam or not")
    group.add_argument(
        "--profanity", action=argparse.BooleanOptionalAction, default=None, help="flagged for profanity or not"
    )
    group.add_argument("--post", metavar="OWNER_POST", help="one post, as in VK links: -123_456")
    group.add_argument(
        "--from", dest="date_from", type=timestamp, metavar="WHEN", help="written at or after (ISO 8601; UTC)"
    )
    group.add_argument("--to", dest="date_to", type=timestamp, metavar="WHEN", help="written before (exclusive)")
    group.add_argument("--sort", choices=SORTS, default="date_desc", help="order (default date_desc)")


def wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait-timeout",
        type=positive_float,
        metavar="SECONDS",
        help="give up waiting after this long (the job keeps running)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = common_options(top=False)
    parser = argparse.ArgumentParser(
        prog="vkc",
        description="VK Comments Parser on the command line: communities, collections, jobs, comments, exports.",
        parents=[common_options(top=True)],
        epilog="Configure once with `vkc configure --endpoint URL --api-key KEY` (or `vkc configure --local` after "
        "`make up`). Exit codes: 0 ok, 1 API or usage error, 2 bad arguments. Docs: docs/cli.md",
    )
    parser.add_argument("--version", action="version", version=f"vkc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def leaf(
        group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
    ) -> argparse.ArgumentParser:
        return group.add_parser(name, help=help_text, description=help_text, parents=[common])

    p = leaf(sub, "configure", "save the endpoint and API key (no options: show the effective configuration)")
    p.add_argument(
        "--local", action="store_true", help="use the `make up` stack (.local/stack.json and .local/dev-api-key)"
    )
    p.add_argument("--local-dir", help="the .local directory (default: found from the current directory up)")
    p.add_argument("--default", action="store_true", help="make --profile the default profile")
    p.add_argument("--no-verify", action="store_true", help="save without calling the API first")
    p.set_defaults(handler=commands.cmd_configure, needs_api=False)

    tokens = sub.add_parser("tokens", help="VK access tokens").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = leaf(tokens, "add", "add a VK token (its type is detected; it is stored in Secrets Manager, never shown again)")
    p.add_argument(
        "token", nargs="?", help="the token; `-` or nothing reads it from stdin / a prompt (kept out of shell history)"
    )
    p.add_argument("--label", help="your name for it")
    p.set_defaults(handler=commands.cmd_tokens_add)
    p = leaf(tokens, "list", "list VK tokens with their state and today's usage")
    p.set_defaults(handler=commands.cmd_tokens_list)

    comm = sub.add_parser("communities", help="tracked communities").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = leaf(comm, "add", "add communities: ids, links or short names, or a file (one per line, or CSV)")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="e.g. https://vk.com/apiclub, club1, -1, apiclub")
    p.add_argument("--file", "-f", help="a .txt (one per line) or .csv file; `-` reads stdin; runs an import job")
    p.add_argument("--format", choices=("txt", "csv"), help="the file's format (default: from the name or the content)")
    p.add_argument("--priority", choices=PRIORITIES, help="queue of the import job (default low)")
    wait_option(p)
    p.set_defaults(handler=commands.cmd_communities_add)
    p = leaf(comm, "list", "list communities")
    p.add_argument("--q", help="part of the name or short name")
    p.add_argument(
        "--can-collect", action=argparse.BooleanOptionalAction, default=None, help="only collectable ones (or not)"
    )
    p.add_argument(
        "--monitoring", action=argparse.BooleanOptionalAction, default=None, help="only with monitoring on (or off)"
    )
    p.add_argument("--limit", type=positive_int, help="at most this many (default all)")
    p.set_defaults(handler=commands.cmd_communities_list)

    p = leaf(sub, "collect", "collect a community's posts and comments, with a live progress bar")
    p.add_argument("community", metavar="COMMUNITY", help="community id, or what you would paste (added if new)")
    p.add_argument("--since", type=timestamp, metavar="WHEN", help="only posts published at or after (ISO 8601)")
    p.add_argument("--until", type=timestamp, metavar="WHEN", help="only posts published at or before")
    p.add_argument("--max-posts", type=positive_int, metavar="N", help="at most the N newest posts")
    p.add_argument("--priority", choices=PRIORITIES, help="queue (default high)")
    p.add_argument("--no-wait", action="store_true", help="start it and return (follow with `vkc jobs tail`)")
    wait_option(p)
    p.set_defaults(handler=commands.cmd_collect)

    jobs = sub.add_parser("jobs", help="background jobs").add_subparsers(dest="action", metavar="ACTION", required=True)
    p = leaf(jobs, "list", "list jobs, newest first")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--limit", type=positive_int, default=20, help="at most this many (default 20)")
    p.set_defaults(handler=commands.cmd_jobs_list)
    p = leaf(jobs, "show", "a job's state, progress, totals and completeness")
    p.add_argument("job_id", metavar="ID")
    p.set_defaults(handler=commands.cmd_jobs_show)
    p = leaf(jobs, "tail", "follow active jobs (or the given ones) until they finish")
    p.add_argument("job_ids", nargs="*", metavar="ID")
    p.add_argument("--interval", type=positive_float, default=1.0, help="seconds between polls (default 1)")
    p.set_defaults(handler=commands.cmd_jobs_tail)
    p = leaf(jobs, "cancel", "stop a job (what it stored is kept)")
    p.add_argument("job_id", metavar="ID")
    p.set_defaults(handler=commands.cmd_jobs_cancel)
    p = leaf(jobs, "retry", "start a new job that resumes a failed or cancelled one")
    p.add_argument("job_id", metavar="ID")
    p.add_argument("--wait", action="store_true", help="follow the new job until it finishes")
    wait_option(p)
    p.set_defaults(handler=commands.cmd_jobs_retry)

    comments = sub.add_parser("comments", help="stored comments").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = leaf(comments, "search", "search comments (newest first by default)")
    filter_options(p)
    p.add_argument("--limit", type=positive_int, default=20, help="at most this many (default 20)")
    p.add_argument("--all", action="store_true", help="every match (pages through with the cursor)")
    p.set_defaults(handler=commands.cmd_comments_search)

    p = leaf(sub, "export", "export comments to a file (CSV, XLSX or JSONL): starts the export, waits, downloads")
    p.add_argument("--format", required=True, choices=("csv", "xlsx", "jsonl"))
    filter_options(p)
    p.add_argument("--columns", help="comma-separated columns, in order (default: the API's)")
    p.add_argument("--output", "-o", metavar="FILE", help="where to save it (default: the export's file name here)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    wait_option(p)
    p.set_defaults(handler=commands.cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.wait_timeout = getattr(args, "wait_timeout", None)
    try:
        if not getattr(args, "needs_api", True):
            return int(args.handler(args))
        settings = config.resolve(profile=args.profile, endpoint=args.endpoint, api_key=args.api_key)
        endpoint, api_key = settings.require()
        with Api(endpoint, api_key, timeout=args.timeout) as api:
            return int(args.handler(args, api))
    except CliError as exc:
        if exc.exit_code == EXIT_USAGE:
            parser.exit(EXIT_USAGE, f"vkc: error: {exc.message}\n")
        report(exc, as_json=args.json)
        return exc.exit_code
    except KeyboardInterrupt:
        note("Interrupted.")
        return 130
    except BrokenPipeError:
        return 0


def report(exc: CliError, *, as_json: bool) -> None:
    if as_json:
        emit_json(exc.to_json(), sys.stderr)
    note(f"Error: {exc.message}")
    if exc.hint:
        note(f"Hint: {exc.hint}")


if __name__ == "__main__":
    sys.exit(main())
