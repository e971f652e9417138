#!/usr/bin/env python3
"""Expected values for tests/unit/kingdee/auth_test.cpp, computed outside the SDK.

Kingdee API 2.0 request signature, as Kingdee's guide and public clients describe it:
  text = METHOD "\n" enc(path) "\n" k1=enc(enc(v1))&k2=enc(enc(v2))... (keys sorted) "\n"
         "x-api-nonce:" nonce "\n" "x-api-timestamp:" timestamp "\n"
  X-Api-Signature = Base64(lowercase hex HMAC-SHA256(client_secret, text))
where enc percent-encodes every byte but A-Z a-z 0-9 - _ . ~ with upper-case hex
(urllib.parse.quote with safe=""). Run it and paste the output into the test's literals:
  python3 tests/unit/kingdee/api_signature_vectors.py
"""
import base64
import hashlib
import hmac
from urllib.parse import quote


def enc(text):
    return quote(text, safe="")


def signature_text(method, path, params, nonce, timestamp):
    query = "&".join(f"{k}={enc(enc(v))}" for k, v in sorted(params.items()))
    return f"{method}\n{enc(path)}\n{query}\nx-api-nonce:{nonce}\nx-api-timestamp:{timestamp}\n"


def signature(secret, text):
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def app_signature(app_key, app_secret):
    digest = hmac.new(app_secret.encode(), app_key.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


CASES = [
    ("token call", "GET", "/jdyconnector/app_management/kingdee_auth_token",
     {"app_key": "erpbridge-demo-app", "app_signature": app_signature("erpbridge-demo-app", "erpbridge-demo-secret")},
     "1234567", "1741234567890", "client-secret-0001"),
    ("values needing encoding", "POST", "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup",
     {"access_token": "a/b=c+d", "备注": "中文 值", "z": "~-_.!*'()"},
     "42", "1700000000000", "s3cr3t/+="),
    ("authorize", "POST", "/jdyconnector/app_management/push_app_authorize",
     {"outerInstanceId": "509132114453729280"}, "1234567", "1741234567890",
     "88e40499b2af98eaa8e81046353954a3"),
]

print("app_signature(abc, abc123) =", app_signature("abc", "abc123"))
print("app_signature(erpbridge-demo-app, erpbridge-demo-secret) =",
      app_signature("erpbridge-demo-app", "erpbridge-demo-secret"))
for name, method, path, params, nonce, ts, secret in CASES:
    text = signature_text(method, path, params, nonce, ts)
    print(f"--- {name}")
    print("text:", repr(text))
    print("signature:", signature(secret, text))
