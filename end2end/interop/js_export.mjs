// Interop exporter for Watchpost (server/tests/api/interop.rs): sends the same two spans over every OTLP
// protocol the OpenTelemetry JS SDK supports, and exits non-zero if any
// export did not succeed.
import { context, diag, DiagConsoleLogger, DiagLogLevel, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { credentials } from '@grpc/grpc-js';

const EXPECTED_SPANS = 2;
// Bounds the exporters' internal retries, so a dead endpoint fails in seconds.
const EXPORT_TIMEOUT_MS = 5000;

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`export.mjs: environment variable ${name} is required`);
    process.exit(2);
  }
  return value;
}

const httpBase = requireEnv('WATCHPOST_OTLP_HTTP').replace(/\/+$/, '');
const grpcUrl = requireEnv('WATCHPOST_OTLP_GRPC');
const runId = requireEnv('INTEROP_RUN_ID');

// SDK-internal warnings/errors (e.g. "export failed") go to stderr; stdout
// stays reserved for the one-line-per-protocol summary.
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

const protocols = {
  'http-json': () => new HttpJsonExporter({ url: `${httpBase}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS }),
  'http-protobuf': () => new HttpProtoExporter({ url: `${httpBase}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS }),
  // Plaintext h2c: pass insecure credentials explicitly rather than relying
  // on the exporter inferring them from the http:// scheme.
  grpc: () => new GrpcExporter({ url: grpcUrl, credentials: credentials.createInsecure(), timeoutMillis: EXPORT_TIMEOUT_MS }),
};

// The exporters only report failures through the export() callback (which
// the span processor turns into a diag log), so wrap the exporter to record
// every ExportResult ourselves.
function recordingExporter(inner) {
  const outcome = { exported: 0, errors: [] };
  const exporter = {
    export(spans, resultCallback) {
      inner.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) {
          outcome.exported += spans.length;
        } else {
          outcome.errors.push(result.error ?? new Error(`export result code ${result.code}`));
        }
        resultCallback(result);
      });
    },
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => inner.shutdown(),
  };
  return { exporter, outcome };
}

function emitSpans(provider) {
  const tracer = provider.getTracer('interop', '1.0.0');
  const parent = tracer.startSpan('GET /interop', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 200, // integer -> OTLP intValue
      'interop.flag': true,
      'interop.ratio': 0.5, // non-integer -> OTLP doubleValue
      'interop.tags': ['a', 'b'],
    },
  });
  parent.addEvent('exception', { 'exception.message': 'boom' });
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });

  // Parent passed via an explicit context, so no global context manager is needed.
  const child = tracer.startSpan(
    'SELECT interop',
    { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } },
    trace.setSpan(context.active(), parent),
  );
  child.end(); // child ends before parent, as the contract requires
  parent.end();
}

async function run(protocol, makeExporter) {
  const { exporter, outcome } = recordingExporter(makeExporter());
  const provider = new BasicTracerProvider({
    // Keep the SDK's telemetry.sdk.* attributes; ours override service.name.
    resource: defaultResource().merge(
      resourceFromAttributes({ 'service.name': `interop-js-${protocol}`, 'interop.run': runId }),
    ),
    sampler: new AlwaysOnSampler(), // ignore any OTEL_TRACES_SAMPLER in the environment
    // Batching sends both spans in one request; forceFlush makes it happen now.
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });

  emitSpans(provider);
  try {
    await provider.forceFlush();
  } catch (err) {
    // BatchSpanProcessor rejects on failure; the recorded outcome below says why.
    if (outcome.errors.length === 0) outcome.errors.push(err);
  }
  await provider.shutdown().catch((err) => outcome.errors.push(err));

  if (outcome.errors.length > 0 || outcome.exported !== EXPECTED_SPANS) {
    const reason = outcome.errors.map((e) => e?.message ?? String(e)).join('; ') || 'no error reported';
    console.error(
      `export over ${protocol} FAILED (${outcome.exported}/${EXPECTED_SPANS} spans exported): ${reason}`,
    );
    return false;
  }
  console.log(`exported ${outcome.exported} spans over ${protocol}`);
  return true;
}

let allOk = true;
for (const [protocol, makeExporter] of Object.entries(protocols)) {
  // Sequential, one provider per protocol, so each request is attributable.
  if (!(await run(protocol, makeExporter))) allOk = false;
}
// Exit explicitly: a lingering gRPC channel must not keep the process alive.
process.exit(allOk ? 0 : 1);
