"""The ObjectStore port on S3 (moto locally): streaming multipart uploads and presigned downloads.

Why multipart by hand instead of `upload_fileobj`: an export is produced row by row, so the writer is a
file-like object that ships a part every time `PART_SIZE` bytes have accumulated. At most one part is
held in memory, whatever the export's size; S3 requires every part but the last to be ≥ 5 MiB, so parts
are 8 MiB (10,000 parts ⇒ up to 80 GB per object). An upload that fails is aborted, so no orphaned parts
are billed (the bucket's lifecycle rule also aborts stale ones after a day). Completing an upload
replaces the object under the same key, so a re-run of the same export overwrites rather than
duplicates. Errors leave as `ObjectStoreError` with the operation and AWS' error code only.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vkc.observability import instrument
from vkc.ports import attachment
from vkc.settings import Settings

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

MIB = 1024 * 1024
PART_SIZE = 8 * MIB
MIN_PART_SIZE = 5 * MIB


class ObjectStoreError(RuntimeError):
    """An S3 call failed; the message names the operation and the AWS error code, never data."""


class S3MultipartWriter:
    """A write-only binary stream that becomes one S3 object when `complete()` is called."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        key: str,
        *,
        content_type: str,
        content_disposition: str,
        part_size: int = PART_SIZE,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"S3 parts must be at least {MIN_PART_SIZE} bytes")
        self._client = client
        self._bucket = bucket
        self._key = key
        self._part_size = part_size
        self._buffer = bytearray()
        self._parts: list[CompletedPartTypeDef] = []
        self.bytes_written = 0
        created = _call(
            "CreateMultipartUpload",
            lambda: client.create_multipart_upload(
                Bucket=bucket,
                Key=key,
                ContentType=content_type,
                ContentDisposition=content_disposition,
                ServerSideEncryption="AES256",
            ),
        )
        self._upload_id: str = created["UploadId"]

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.bytes_written += len(data)
        while len(self._buffer) >= self._part_size:
            chunk = bytes(self._buffer[: self._part_size])
            del self._buffer[: self._part_size]
            self._upload_part(chunk)
        return len(data)

    @property
    def buffered_bytes(self) -> int:
        return len(self._buffer)

    @property
    def parts(self) -> int:
        return len(self._parts)

    def complete(self) -> int:
        """Ship the rest and assemble the object; returns its size in bytes."""
        if self._buffer or not self._parts:  # an empty export is still a (0-byte) part
            self._upload_part(bytes(self._buffer))
            self._buffer.clear()
        parts = self._parts
        _call(
            "CompleteMultipartUpload",
            lambda: self._client.complete_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, MultipartUpload={"Parts": parts}
            ),
        )
        return self.bytes_written

    def abort(self) -> None:
        """Drop the parts uploaded so far (best effort: the lifecycle rule catches what this misses)."""
        self._buffer.clear()
        from botocore.exceptions import BotoCoreError, ClientError

        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)

    def _upload_part(self, chunk: bytes) -> None:
        number = len(self._parts) + 1
        response = _call(
            "UploadPart",
            lambda: self._client.upload_part(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=chunk
            ),
        )
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})


class S3ObjectStore:
    """Implements `vkc.exports.ports.ObjectStore` on one bucket."""

    def __init__(self, client: S3Client, bucket: str, *, part_size: int = PART_SIZE) -> None:
        if not bucket:
            raise ObjectStoreError("EXPORTS_BUCKET is not configured")
        self._client = client
        self._bucket = bucket
        self._part_size = part_size

    def open_writer(self, key: str, *, content_type: str, content_disposition: str) -> S3MultipartWriter:
        return S3MultipartWriter(
            self._client,
            self._bucket,
            key,
            content_type=content_type,
            content_disposition=content_disposition,
            part_size=self._part_size,
        )

    def upload_file(self, path: Path, key: str, *, content_type: str, content_disposition: str) -> int:
        """Stream a local file up part by part (one part in memory at a time); returns its size."""
        writer = self.open_writer(key, content_type=content_type, content_disposition=content_disposition)
        try:
            with path.open("rb") as f:
                while chunk := f.read(self._part_size):
                    writer.write(chunk)
            return writer.complete()
        except BaseException:
            writer.abort()
            raise

    def size_of(self, key: str) -> int | None:
        """The object's size, or None when it does not exist (expired by the lifecycle rule, say)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise ObjectStoreError(f"S3 HeadObject failed: {_code(exc)}") from None
        except BotoCoreError as exc:
            raise ObjectStoreError(f"S3 HeadObject failed: {type(exc).__name__}") from None
        return int(head["ContentLength"])

    def presigned_get(self, key: str, *, expires_s: int, filename: str | None = None) -> str:
        """A GET URL valid for `expires_s` (signed locally, no call to S3)."""
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = attachment(filename)
        return str(
            _call(
                "PresignGetObject",
                lambda: self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_s),
            )
        )


def _call(operation: str, fn: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except ClientError as exc:
        raise ObjectStoreError(f"S3 {operation} failed: {_code(exc)}") from None
    except BotoCoreError as exc:
        raise ObjectStoreError(f"S3 {operation} failed: {type(exc).__name__}") from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@lru_cache(maxsize=4)
def _client(region: str) -> S3Client:
    # boto3 is imported here, not with the module: the API's cold start should not pay for it
    instrument("botocore")
    import boto3
    from botocore.config import Config

    # SigV4 is required for presigned URLs on KMS/AES-encrypted buckets and in newer regions.
    config = Config(
        signature_version="s3v4",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=3,
        read_timeout=30,
    )
    return boto3.client("s3", region_name=region, config=config)


def exports_store(settings: Settings) -> S3ObjectStore:
    """The process-wide store of the exports bucket (`AWS_ENDPOINT_URL` points boto3 at moto locally)."""
    return S3ObjectStore(_client(settings.aws_region), settings.exports_bucket)
