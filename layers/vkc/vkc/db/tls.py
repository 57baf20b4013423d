"""What pg8000 is given for TLS: the proxy's roots only, or no TLS request at all.

Why: pg8000 given no context (DB_SSL=0) still asks the server for TLS, with a context that loads the
whole system CA bundle (~20 ms of a cold start's first request) and then verifies nothing; so
DB_SSL=0 now means plain TCP and no SSLRequest round trip. With DB_SSL=1 (TLS to RDS Proxy, whose
certificates ACM issues) the context trusts only the Amazon Trust Services roots shipped beside this
module instead of the runtime's ~140 CAs: loading five certificates costs ~1 ms instead of ~20 ms,
and a certificate for the proxy's name from any other CA is refused.
"""

from __future__ import annotations

import ssl
from pathlib import Path

#: Amazon Root CA 1-4 and Starfield Services Root CA - G2 (the roots ACM's certificates chain to).
AMAZON_TRUST_ROOTS = Path(__file__).with_name("amazon_trust_roots.pem")


def ssl_context_arg(enabled: bool) -> ssl.SSLContext | bool:
    """pg8000's `ssl_context` argument: a verifying context for the proxy, or False (plain TCP)."""
    if not enabled:
        return False
    # hostname checking and CERT_REQUIRED as create_default_context() sets them; only the roots differ
    return ssl.create_default_context(cafile=str(AMAZON_TRUST_ROOTS))
