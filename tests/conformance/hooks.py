"""Schemathesis hooks for tipline's API conformance run (tests/it/conformance.rs).

The follow-up operations need a reporter session: each request gets a session of its own,
opened with the receipt of a report the test filed (TIPLINE_RECEIPT), so that schemathesis
ending a session (DELETE /api/v1/followup/session) never spoils the requests after it.
"""

import atexit
import collections
import datetime
import hashlib
import json
import os
import pathlib
import threading
import zlib

import requests
import schemathesis


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=r"^/api/v1/followup").skip_for(
    method="POST", path="/api/v1/followup/session"
)
class ReporterSession:
    def get(self, case, context):
        base = os.environ["TIPLINE_BASE_URL"]
        response = requests.post(
            f"{base}/api/v1/followup/session",
            json={"receipt": os.environ["TIPLINE_RECEIPT"]},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook("filter_body").apply_to(path="/api/v1/reports", method="POST")
def no_incident_after_today(ctx, body):
    """The incident date may not lie after the server's today: the document says so in words
    (and lists the 422), but a schema cannot name today's date."""
    report = body.get("report", body) if isinstance(body, dict) else None
    if not isinstance(report, dict):
        return True
    when = report.get("incident_date")
    if not isinstance(when, str) or len(when.strip()) != 10:
        return True
    return when.strip() <= datetime.date.today().isoformat()


@schemathesis.hook("map_case").apply_to(path="/api/v1/reports", method="POST")
def one_idempotency_key_per_request(ctx, case):
    """A client that sends one key with two different reports gets 422: the document says so,
    but which keys were already used is state a schema cannot hold. A key of an allowed length
    is made this request's own (the same request still sends the same key, so a repeat is
    answered as a repeat); keys of other lengths are sent as generated."""
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and 16 <= len(key.encode()) <= 200:
        request = repr((key, case.body))
        headers["Idempotency-Key"] = hashlib.sha256(request.encode()).hexdigest()
    return case


# Files of the kinds the API takes, from the fuzz seeds (a photo, an image, a PDF, with and
# without metadata to remove).
SAMPLES = sorted(
    path.read_bytes()
    for path in (pathlib.Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "attachment").iterdir()
)


@schemathesis.hook("map_body").apply_to(path="/api/v1/reports", method="POST")
def attachments_are_photos_or_pdfs(ctx, body):
    """Attachments are recognised by content (the document says JPEG, PNG or PDF) and must be
    readable, which no schema can state: each generated file is swapped for a real one, chosen
    by its bytes, so the number of files and the rest of the request stay as generated."""
    if isinstance(body, dict) and "attachments" in body:
        files = body["attachments"]
        pick = lambda data: SAMPLES[zlib.crc32(data if isinstance(data, bytes) else repr(data).encode()) % len(SAMPLES)]
        if isinstance(files, list):
            body["attachments"] = [pick(f) for f in files]
        else:
            body["attachments"] = pick(files)
    return body


# What each operation answered, by status, written when schemathesis exits (to the file named
# by TIPLINE_CONFORMANCE_COUNTS), so the test can tell that every operation was reached and
# answered with success as well as refusals.
ANSWERS = collections.defaultdict(collections.Counter)
ANSWERS_LOCK = threading.Lock()


@schemathesis.hook
def after_call(ctx, case, response):
    with ANSWERS_LOCK:
        ANSWERS[f"{case.method.upper()} {case.path}"][str(response.status_code)] += 1


@atexit.register
def write_answers():
    path = os.environ.get("TIPLINE_CONFORMANCE_COUNTS")
    if path:
        with ANSWERS_LOCK, open(path, "w", encoding="utf-8") as out:
            json.dump(ANSWERS, out, indent=1, sort_keys=True)
