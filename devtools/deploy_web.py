"""Upload the dashboard (web/) to the stack's site bucket after `sam deploy`, then invalidate index.html.

    make deploy-web STACK=<stack-name> [REGION=eu-central-1]

Each release goes under its own prefix, `r/<hash of every file>/`, uploaded with an immutable cache
header: a browser or an edge that holds an old file keeps a consistent old release, and nothing needs
invalidating but index.html. index.html is uploaded last, at the root, with `no-cache` and a
`<base href="/r/<hash>/">`, so its relative URLs (and the import map, whose hash the CSP pins) resolve
into the release without rewriting a byte of JavaScript. The bucket and distribution come from the
stack's outputs (WebBucketName, WebDistributionId) unless given.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WEB_ROOT = Path(__file__).resolve().parents[1] / "web"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
#: documentation next to the code, not part of the site
_NOT_SHIPPED = {"README.md"}


@dataclass(frozen=True, slots=True)
class Upload:
    key: str
    body: bytes
    content_type: str
    cache_control: str


@dataclass(frozen=True, slots=True)
class Release:
    prefix: str  # "r/<hash>/"
    assets: list[Upload]
    index: Upload


def _site_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in _NOT_SHIPPED)


def plan(root: Path = WEB_ROOT) -> Release:
    """What to upload, derived only from the files: the same tree always gives the same release."""
    files = _site_files(root)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    prefix = f"r/{digest.hexdigest()[:16]}/"
    assets: list[Upload] = []
    index: Upload | None = None
    for path in files:
        relative = path.relative_to(root).as_posix()
        kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if relative == "index.html":
            html = path.read_text(encoding="utf-8")
            if "<head>" not in html:
                raise ValueError("web/index.html has no <head> to put the release's <base href> in")
            based = html.replace("<head>", f'<head>\n    <base href="/{prefix}" />', 1)
            index = Upload("index.html", based.encode(), kind, NO_CACHE)
        else:
            assets.append(Upload(prefix + relative, path.read_bytes(), kind, IMMUTABLE))
    if index is None:
        raise ValueError(f"{root} has no index.html")
    return Release(prefix, assets, index)


def publish(release: Release, s3: Any, bucket: str, cloudfront: Any | None, distribution_id: str | None) -> str:
    """Upload the release's assets, then index.html (so it never names missing files); invalidate it."""
    for item in [*release.assets, release.index]:
        s3.put_object(
            Bucket=bucket, Key=item.key, Body=item.body, ContentType=item.content_type, CacheControl=item.cache_control
        )
    if cloudfront is None or not distribution_id:
        return ""
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 2, "Items": ["/", "/index.html"]},
            "CallerReference": f"deploy-web-{release.prefix}-{time.time_ns()}",
        },
    )
    return str(answer["Invalidation"]["Id"])


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(prog="python -m devtools.deploy_web", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="the deployed stack (its outputs name the bucket and distribution)")
    parser.add_argument("--region", default=None)
    parser.add_argument("--bucket", help="instead of the stack's WebBucketName")
    parser.add_argument("--distribution", help="instead of the stack's WebDistributionId")
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    bucket, distribution = args.bucket, args.distribution
    if not bucket:
        if not args.stack:
            parser.error("give --stack (or --bucket and --distribution)")
        outputs = stack_outputs(session.client("cloudformation"), args.stack)
        bucket, distribution = outputs["WebBucketName"], distribution or outputs.get("WebDistributionId")
    release = plan()
    invalidation = publish(release, session.client("s3"), bucket, session.client("cloudfront"), distribution)
    size = sum(len(a.body) for a in release.assets) + len(release.index.body)
    print(f"uploaded {len(release.assets) + 1} files ({size:,} bytes) as {release.prefix} to s3://{bucket}")
    if invalidation:
        print(f"invalidated / and /index.html on {distribution} ({invalidation})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
