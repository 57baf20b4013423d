"""The ObjectStore port on S3 (moto locally): multipart uploads driven part by part, presigned downloads.

Why multipart by hand instead of `upload_fileobj`: an export is produced row by row over several worker
runs, so the caller uploads each part itself and keeps the upload id and the parts' ETags in its
checkpoint; any run may add the next part or re-send one (same number: S3 replaces it). S3 requires
every part but the last to be ≥ 5 MiB (`vkc.exports.task` ships 8 MiB; 10,000 parts ⇒ up to 80 GB per
object). The bucket's lifecycle rule aborts uploads left incomplete for a day, so no orphaned parts stay
billed. Completing an upload replaces the object under the same key. Errors leave as
`ObjectStoreError` with the operation and AWS' error code only (`UploadGone` for a missing upload).
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from vkc.observability import instrument
from vkc.ports import UploadGone, attachment
from vkc.settings import Settings

if TYPE_CHECKING:
    from botocore.exceptions import ClientError
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef


class ObjectStoreError(RuntimeError):
    """An S3 call failed; the message names the operation and the AWS error code, never data."""


class S3ObjectStore:
    """Implements `vkc.exports.ports.ObjectStore` on one bucket."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        if not bucket:
            raise ObjectStoreError("EXPORTS_BUCKET is not configured")
        self._client = client
        self._bucket = bucket

    def start_upload(self, key: str, *, content_type: str, content_disposition: str) -> str:
        created = _call(
            "CreateMultipartUpload",
            lambda: self._client.create_multipart_upload(
                Bucket=self._bucket,
                Key=key,
                ContentType=content_type,
                ContentDisposition=content_disposition,
                ServerSideEncryption="AES256",
            ),
        )
        return str(created["UploadId"])

    def upload_part(self, key: str, upload_id: str, number: int, data: bytes | bytearray) -> str:
        """Part `number` again replaces it: a resumed export re-sends the parts its last record lacks.

        A bytearray goes as it is (botocore's validator accepts one; the stubs say bytes only): no copy.
        """
        body = cast("bytes", data)
        response = _call(
            "UploadPart",
            lambda: self._client.upload_part(
                Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
            ),
            gone_on_missing=True,
        )
        return str(response["ETag"])

    def complete_upload(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        listed: list[CompletedPartTypeDef] = [{"PartNumber": n, "ETag": etag} for n, etag in parts]
        _call(
            "CompleteMultipartUpload",
            lambda: self._client.complete_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": listed}
            ),
            gone_on_missing=True,
        )

    def abort_upload(self, key: str, upload_id: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)

    def put_object(self, key: str, data: bytes) -> None:
        _call(
            "PutObject",
            lambda: self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ServerSideEncryption="AES256"),
        )

    def get_object(self, key: str) -> bytes:
        body = _call("GetObject", lambda: self._client.get_object(Bucket=self._bucket, Key=key))["Body"]
        return bytes(body.read())

    def delete_object(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        with contextlib.suppress(ClientError, BotoCoreError):
            self._client.delete_object(Bucket=self._bucket, Key=key)

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


def _call(operation: str, fn: Any, *, gone_on_missing: bool = False) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except ClientError as exc:
        if gone_on_missing and _code(exc) == "NoSuchUpload":
            raise UploadGone(f"S3 {operation} failed: NoSuchUpload") from None
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
