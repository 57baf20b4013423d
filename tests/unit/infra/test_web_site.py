"""The dashboard as AWS serves it: the CSP CloudFront sends, and what `make deploy-web` uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.deploy_web import IMMUTABLE, NO_CACHE, plan
from devtools.local_stack.static_site import csp
from devtools.local_stack.template import REPO_ROOT, SamTemplate


def _resource(kind: str) -> dict:
    (found,) = SamTemplate.load().of_type(kind).values()
    return found


def test_cloudfront_sends_the_csp_the_local_stack_sends() -> None:
    policy = _resource("AWS::CloudFront::ResponseHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"]
    sent = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"].strip()
    assert sent == csp((REPO_ROOT / "web" / "index.html").read_bytes())


def test_the_api_paths_go_to_the_api_uncached_with_every_header_but_host() -> None:
    config = _resource("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    routes = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(routes) == {"/v1/*", "/health/*", "/swagger*"}
    for behaviour in routes.values():
        assert behaviour["TargetOriginId"] == "api"
        assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
        assert behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHost
        assert "POST" in behaviour["AllowedMethods"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "site"


def _site(root: Path) -> Path:
    (root / "js").mkdir(parents=True)
    (root / "index.html").write_text('<html><head><script type="module" src="js/main.js"></script></head></html>')
    (root / "js" / "main.js").write_text("export {};\n")
    (root / "README.md").write_text("notes for developers\n")
    return root


def test_a_release_is_immutable_under_its_hash_and_index_html_points_at_it(tmp_path: Path) -> None:
    release = plan(_site(tmp_path / "web"))
    assert [(a.key, a.cache_control, a.content_type) for a in release.assets] == [
        (f"{release.prefix}js/main.js", IMMUTABLE, "text/javascript; charset=utf-8")
    ]
    assert release.index.key == "index.html"
    assert release.index.cache_control == NO_CACHE
    assert f'<base href="/{release.prefix}" />' in release.index.body.decode()


def test_the_same_files_give_the_same_release_and_a_change_a_new_one(tmp_path: Path) -> None:
    root = _site(tmp_path / "web")
    first = plan(root)
    assert plan(root).prefix == first.prefix
    (root / "js" / "main.js").write_text("export const changed = 1;\n")
    assert plan(root).prefix != first.prefix


def test_the_real_site_plans(tmp_path: Path) -> None:
    release = plan()
    keys = {a.key.removeprefix(release.prefix) for a in release.assets}
    assert {"js/main.js", "css/app.css"} <= keys
    assert "README.md" not in keys
    with pytest.raises(ValueError, match=r"no index\.html"):
        plan(tmp_path)
