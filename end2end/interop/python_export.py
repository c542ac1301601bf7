"""Sends a fixed pair of spans with the official OpenTelemetry Python SDK,
over each protocol that SDK supports (OTLP/HTTP protobuf and OTLP/gRPC).

The Rust interop test (server/tests/api/interop.rs) starts Watchpost, runs
this script, and reads the spans back from the database. Environment:
WATCHPOST_OTLP_HTTP (base URL), WATCHPOST_OTLP_GRPC (URL), INTEROP_RUN_ID.
Exits non-zero if any export fails.
"""

import os
import sys

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode


class Recording(SpanExporter):
    """Wraps an exporter to learn whether its exports succeeded: the SDK
    itself only logs failures."""

    def __init__(self, inner):
        self.inner = inner
        self.exported = 0
        self.failed = 0

    def export(self, spans):
        result = self.inner.export(spans)
        if result == SpanExportResult.SUCCESS:
            self.exported += len(spans)
        else:
            self.failed += 1
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return True


def send(protocol, exporter, run_id):
    recording = Recording(exporter)
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"interop-python-{protocol}", "interop.run": run_id})
    )
    # Simple processor: each span is exported as it ends, so results are known at once.
    provider.add_span_processor(SimpleSpanProcessor(recording))
    tracer = provider.get_tracer("interop", "1.0.0")
    with tracer.start_as_current_span("GET /interop", kind=SpanKind.SERVER) as parent:
        parent.set_attribute("http.request.method", "GET")
        parent.set_attribute("http.response.status_code", 200)
        parent.set_attribute("interop.flag", True)
        parent.set_attribute("interop.ratio", 0.5)
        parent.set_attribute("interop.tags", ["a", "b"])
        parent.add_event("exception", {"exception.message": "boom"})
        parent.set_status(Status(StatusCode.ERROR, "boom"))
        with tracer.start_as_current_span("SELECT interop", kind=SpanKind.CLIENT) as child:
            child.set_attribute("db.system", "postgresql")
    provider.shutdown()
    if recording.failed or recording.exported != 2:
        print(f"export over {protocol} failed", file=sys.stderr)
        return False
    print(f"exported 2 spans over {protocol}")
    return True


def main():
    http = os.environ["WATCHPOST_OTLP_HTTP"].rstrip("/")
    grpc = os.environ["WATCHPOST_OTLP_GRPC"]
    run_id = os.environ["INTEROP_RUN_ID"]
    results = [
        send("http-protobuf", HttpExporter(endpoint=f"{http}/v1/traces", timeout=10), run_id),
        send("grpc", GrpcExporter(endpoint=grpc, insecure=True, timeout=10), run_id),
    ]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
