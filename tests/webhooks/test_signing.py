"""The signature is what the README says it is, and the README's verification works."""

import hashlib
import hmac
import re
import time
from pathlib import Path

from django.conf import settings

from apps.webhooks.sending import body_of
from apps.webhooks.signing import signature, signature_is_valid


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_body():
    body = body_of({"id": "e1", "event": "record.created"})
    expected = hmac.new(b"whsec_k", b"1796212800." + body, hashlib.sha256).hexdigest()
    assert signature("whsec_k", 1796212800, body) == f"sha256={expected}"


def test_old_timestamps_and_other_bodies_are_refused():
    body = b'{"id":"e1"}'
    header = signature("whsec_k", 1000, body)
    assert signature_is_valid("whsec_k", "1000", body, header, now=1100)
    assert not signature_is_valid("whsec_k", "1000", body, header, now=2000)
    assert not signature_is_valid("whsec_k", "1000", body + b" ", header, now=1100)
    assert not signature_is_valid("whsec_k", "soon", body, header, now=1100)


def test_the_readme_example_verifies_a_signed_request():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme[readme.index("## Outgoing webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the documentation's own example
    body = body_of({"id": "e1", "event": "record.created"})
    now = str(int(time.time()))
    headers = {"X-Portal-Timestamp": now, "X-Portal-Signature": signature("s", int(now), body)}
    assert namespace["verify"]("s", headers, body)
    assert not namespace["verify"]("other", headers, body)
