"""Helpers shared by scripts/check-serve and scripts/bench-serve: starting `shipmeter serve`,
building OTLP requests shaped like Claude Code's telemetry, and posting them."""
import gzip
import http.client
import os
import re
import signal
import subprocess
import time
import urllib.parse

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.resource.v1 import resource_pb2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPMETER = os.environ.get("SHIPMETER_BIN", os.path.join(ROOT, ".build", "debug", "shipmeter"))
BASE_TIME_NS = 1_780_000_000_000_000_000  # 2026-05-28


def shipmeter(*arguments, check=True):
    return subprocess.run([SHIPMETER, *arguments], capture_output=True, text=True, check=check)


class Server:
    """`shipmeter serve` on a free loopback port; `url` once it listens."""

    def __init__(self, ledger, *extra, log=None):
        self.log_path = log or "/tmp/shipmeter-serve-%d.log" % os.getpid()
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([SHIPMETER, "serve", "--ledger", ledger, "--listen", "127.0.0.1:0", *extra],
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        self.url = None
        deadline = time.time() + 60
        while time.time() < deadline:
            with open(self.log_path) as text:
                found = re.search(r"listening on (https?://[0-9.]+:[0-9]+)", text.read())
            if found:
                self.url = found.group(1)
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        if self.url is None:
            self.stop()
            with open(self.log_path) as text:
                raise RuntimeError("serve did not start: " + text.read())
        parsed = urllib.parse.urlparse(self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def connection(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def post(connection, path, body, content_type="application/x-protobuf", token=None, gzipped=False, headers=None):
    """Posts on a kept-alive connection; returns (status, headers, body)."""
    fields = {"Content-Type": content_type}
    if token:
        fields["Authorization"] = "Bearer " + token
    if gzipped:
        body = gzip.compress(body)
        fields["Content-Encoding"] = "gzip"
    fields.update(headers or {})
    connection.request("POST", path, body=body, headers=fields)
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def get(server, path, token=None, basic=None):
    connection = server.connection()
    fields = {}
    if token:
        fields["Authorization"] = "Bearer " + token
    if basic:
        import base64
        fields["Authorization"] = "Basic " + base64.b64encode(basic.encode()).decode()
    connection.request("GET", path, headers=fields)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def _value(value):
    if isinstance(value, bool):
        return common_pb2.AnyValue(bool_value=value)
    if isinstance(value, int):
        return common_pb2.AnyValue(int_value=value)
    if isinstance(value, float):
        return common_pb2.AnyValue(double_value=value)
    return common_pb2.AnyValue(string_value=str(value))


def api_request(session, request_id, input_tokens, output_tokens, offset_ms=0, model="claude-sonnet-4-5", email="dev@example.com"):
    """One Claude Code `api_request` event as an OTLP log record (its documented attributes)."""
    attributes = {
        "event.name": "api_request", "session.id": session, "user.email": email, "model": model,
        "input_tokens": input_tokens, "output_tokens": output_tokens, "cache_read_tokens": 0, "cache_creation_tokens": 0,
        "cost_usd": round((input_tokens * 3 + output_tokens * 15) / 1e6, 6), "duration_ms": 900,
    }
    if request_id is not None:
        attributes["request_id"] = request_id
    return logs_pb2.LogRecord(
        time_unix_nano=BASE_TIME_NS + offset_ms * 1_000_000,
        body=common_pb2.AnyValue(string_value="claude_code.api_request"),
        attributes=[common_pb2.KeyValue(key=key, value=_value(value)) for key, value in attributes.items()])


def logs_request(records):
    resource = resource_pb2.Resource(attributes=[common_pb2.KeyValue(key="service.name", value=_value("claude-code"))])
    scope = logs_pb2.ScopeLogs(scope=common_pb2.InstrumentationScope(name="com.anthropic.claude_code.events"), log_records=records)
    return logs_service_pb2.ExportLogsServiceRequest(resource_logs=[logs_pb2.ResourceLogs(resource=resource, scope_logs=[scope])])


def batch_body(prefix, count, tokens=100):
    """A protobuf body of `count` api_request events with request ids PREFIX-0 … (each `tokens` input tokens)."""
    return logs_request([api_request("%s-session" % prefix, "%s-%d" % (prefix, i), tokens, 10, offset_ms=i) for i in range(count)]).SerializeToString()
