"""`make deploy-web` against S3 and CloudFront (moto): the release, then index.html, then the invalidation."""

from __future__ import annotations

from devtools.deploy_web import IMMUTABLE, NO_CACHE, plan, publish
from devtools.local_stack.aws import aws_client

REGION = "us-east-1"


def test_the_site_is_uploaded_with_its_cache_headers_and_index_html_invalidated(moto_url: str) -> None:
    s3 = aws_client("s3", moto_url, REGION)
    cloudfront = aws_client("cloudfront", moto_url, REGION)
    s3.create_bucket(Bucket="web-site")
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "t",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": "web-site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]["Id"]
    release = plan()

    invalidation = publish(release, s3, "web-site", cloudfront, distribution)

    index = s3.get_object(Bucket="web-site", Key="index.html")
    assert index["CacheControl"] == NO_CACHE
    assert f'<base href="/{release.prefix}" />' in index["Body"].read().decode()
    main = s3.get_object(Bucket="web-site", Key=f"{release.prefix}js/main.js")
    assert main["CacheControl"] == IMMUTABLE
    assert main["ContentType"].startswith("text/javascript")
    listed = s3.list_objects_v2(Bucket="web-site")["KeyCount"]
    assert listed == len(release.assets) + 1
    done = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation)["Invalidation"]
    assert sorted(done["InvalidationBatch"]["Paths"]["Items"]) == ["/", "/index.html"]
